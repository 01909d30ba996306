"""/api/me, /api/users, /api/org-units, /api/departments."""
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from app.org import service
from app.org.schemas import MeOut, OrgUnitPage, OrgUnitQuery, UserPage, UserQuery

blp = Blueprint("org", __name__, url_prefix="/api", description="组织与人员")


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeOut)
    def get(self):
        """当前用户、角色、所在组织及向上的链条"""
        return service.describe_me(current_user)


@blp.route("/users")
class Users(MethodView):
    @blp.arguments(UserQuery, location="query")
    @blp.response(200, UserPage)
    def get(self, args):
        """我范围内的人员（用于选择任务承办人）"""
        items, nxt = service.list_users(actor=current_user, **args)
        return {"items": items, "next": nxt}


@blp.route("/org-units")
class OrgUnits(MethodView):
    @blp.arguments(OrgUnitQuery, location="query")
    @blp.response(200, OrgUnitPage)
    def get(self, args):
        """我范围内的组织"""
        items, nxt = service.list_org_units(actor=current_user, **args)
        return {"items": items, "next": nxt}


@blp.route("/departments")
class Departments(MethodView):
    @blp.response(200, OrgUnitPage)
    def get(self):
        """可派单的部门（数量少，一页返回）"""
        return {"items": service.list_departments(), "next": None}
