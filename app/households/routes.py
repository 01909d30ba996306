"""/api/households: the caller's households, one household, profile edits."""
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from app.extensions import db
from app.households import service
from app.households.schemas import HouseholdDetail, HouseholdPage, HouseholdPatch, HouseholdQuery

blp = Blueprint("households", __name__, url_prefix="/api/households", description="包联户")


@blp.route("")
class Households(MethodView):
    @blp.arguments(HouseholdQuery, location="query")
    @blp.response(200, HouseholdPage)
    def get(self, args):
        """我范围内的包联户，含最近一次走访"""
        items, nxt = service.list_households(actor=current_user, **args)
        return {"items": items, "next": nxt}


@blp.route("/<int:household_id>")
class HouseholdItem(MethodView):
    @blp.response(200, HouseholdDetail)
    def get(self, household_id):
        """一户的详情与最近的走访"""
        return service.household_detail(actor=current_user, household_id=household_id)

    @blp.arguments(HouseholdPatch)
    @blp.response(200, HouseholdDetail)
    @blp.alt_response(409, description="版本已过期；error.current 为最新记录")
    def patch(self, changes, household_id):
        """修改户信息（带 version；版本过期返回 409 和最新记录）"""
        service.update_household(actor=current_user, household_id=household_id, changes=changes)
        db.session.commit()
        return service.household_detail(actor=current_user, household_id=household_id)
