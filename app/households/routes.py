"""/api/households: the caller's households, one household, 新增住户, profile edits, archive and
restore, and a household's residents. /api/residents and /api/imports are in resident_routes.py."""
from flask import jsonify
from flask.views import MethodView
from flask_login import current_user

from app.extensions import db
from app.households import register, resident_routes, residents, service  # noqa: F401 (resident_routes: its views)
from app.households.blueprint import blp
from app.households.schemas import (
    ArchiveIn,
    HouseholdDetail,
    HouseholdNew,
    HouseholdOut,
    HouseholdPage,
    HouseholdPatch,
    HouseholdQuery,
    PlacesOut,
    ResidentList,
    ResidentNew,
    ResidentOut,
    household_page,
)

MANAGERS = "非村党支部书记、乡镇干部或管理员"


@blp.route("/households")
class Households(MethodView):
    @blp.arguments(HouseholdQuery, location="query")
    @blp.response(200, HouseholdPage)
    def get(self, args):
        """我范围内的包联户，含最近一次走访；archived=1 列已归档的户，unvisited_days=N 列 N 天未走访的户"""
        return jsonify(household_page(*service.list_households(actor=current_user, **args)))

    @blp.arguments(HouseholdNew)
    @blp.response(201, HouseholdDetail)
    @blp.alt_response(403, description=MANAGERS)
    def post(self, data):
        """新增住户（村党支部书记及以上）：不填户编号则取本村下一个编号"""
        household = register.create_household(actor=current_user, data=data)
        db.session.commit()
        return service.household_detail(actor=current_user, household_id=household.id)


@blp.route("/households/<int:household_id>")
class HouseholdItem(MethodView):
    @blp.response(200, HouseholdDetail)
    def get(self, household_id):
        """一户的详情与最近的走访"""
        return service.household_detail(actor=current_user, household_id=household_id)

    @blp.arguments(HouseholdPatch)
    @blp.response(200, HouseholdDetail)
    @blp.alt_response(409, description="版本已过期；error.current 为最新记录")
    def patch(self, changes, household_id):
        """修改户信息（带 version；版本过期返回 409 和最新记录）；户编号、网格由村党支部书记及以上修改"""
        service.update_household(actor=current_user, household_id=household_id, changes=changes)
        db.session.commit()
        return service.household_detail(actor=current_user, household_id=household_id)

    @blp.arguments(ArchiveIn)
    @blp.response(200, HouseholdOut)
    @blp.alt_response(409, description="该户还有未办结的问题")
    def delete(self, args, household_id):
        """归档（迁出、户销、合户……）：不再出现在列表和手机上，走访和问题保留；可恢复"""
        household = register.archive_household(actor=current_user, household_id=household_id, **args)
        db.session.commit()
        return service.household_view(household, None)


@blp.route("/households/<int:household_id>/restore")
class HouseholdRestore(MethodView):
    @blp.response(200, HouseholdDetail)
    @blp.alt_response(403, description=MANAGERS)
    def post(self, household_id):
        """恢复已归档的户"""
        register.restore_household(actor=current_user, household_id=household_id)
        db.session.commit()
        return service.household_detail(actor=current_user, household_id=household_id)


@blp.route("/households/<int:household_id>/residents")
class HouseholdResidents(MethodView):
    @blp.response(200, ResidentList)
    def get(self, household_id):
        """一户的家庭成员（户主在前）；身份证号只对村党支部书记及以上脱敏显示"""
        return {"items": residents.household_residents(actor=current_user, household_id=household_id), "next": None}

    @blp.arguments(ResidentNew)
    @blp.response(201, ResidentOut)
    @blp.alt_response(403, description=MANAGERS)
    def post(self, data, household_id):
        """添加家庭成员（村党支部书记及以上）"""
        resident = residents.create_resident(actor=current_user, household_id=household_id, data=data)
        db.session.commit()
        return residents.resident_view(resident, current_user)


@blp.route("/register/places")
class RegisterPlaces(MethodView):
    @blp.response(200, PlacesOut)
    @blp.alt_response(403, description=MANAGERS)
    def get(self):
        """新增住户可选的网格和党员（含各自已包联的户数）"""
        return register.places(actor=current_user)

