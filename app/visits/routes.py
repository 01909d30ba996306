"""/api/visits: record a visit (idempotent by client UUID) and list a household's visits."""
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from app.extensions import db
from app.visits import service
from app.visits.schemas import VisitIn, VisitOut, VisitPage, VisitQuery

blp = Blueprint("visits", __name__, url_prefix="/api/visits", description="走访记录")


@blp.route("")
class Visits(MethodView):
    @blp.arguments(VisitQuery, location="query")
    @blp.response(200, VisitPage)
    def get(self, args):
        """一户的走访记录，新的在前"""
        items, nxt = service.list_visits(actor=current_user, **args)
        return {"items": items, "next": nxt}

    @blp.arguments(VisitIn)
    @blp.response(201, VisitOut)
    @blp.alt_response(200, schema=VisitOut, description="同一编号、同一内容的重发：返回已存记录")
    @blp.alt_response(409, description="同一编号、不同内容")
    def post(self, data):
        """记录一次走访（id 为手机生成的 UUID）"""
        visit, created = service.record_visit(actor=current_user, data=data)
        db.session.commit()
        return visit, (201 if created else 200)
