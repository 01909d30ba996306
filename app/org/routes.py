"""/api/me, /api/users, /api/org-units, /api/departments."""
from flask import request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from app.common.compress import keep_plain
from app.common.fields import Page
from app.extensions import db
from app.org import admin, service
from app.org.schemas import (
    AdminChangePage,
    HandoverIn,
    HandoverOut,
    MeOut,
    OrgUnitIn,
    OrgUnitOut,
    OrgUnitPage,
    OrgUnitPatch,
    OrgUnitQuery,
    PasswordReset,
    UserCreated,
    UserIn,
    UserOut,
    UserPage,
    UserPatch,
    UserQuery,
)

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
        """我范围内的人员（用于选择任务承办人）；managed=1 为我管理的人员"""
        if args.pop("managed", False):
            rows, nxt = admin.list_people(actor=current_user, **{k: v for k, v in args.items() if k != "org_unit_id"})
            return {"items": [service.user_view(u) for u in rows], "next": nxt}
        items, nxt = service.list_users(actor=current_user, **args)
        return {"items": items, "next": nxt}

    @blp.arguments(UserIn)
    @blp.response(201, UserCreated)
    @blp.alt_response(409, description="手机号已被使用")
    def post(self, data):
        """新增人员：答复带一次性临时密码（只显示这一次），首次登录须修改"""
        user, password = admin.create_user(actor=current_user, data=data, address=_address())
        db.session.commit()
        keep_plain()
        return {**service.user_view(user), "temporary_password": password}


@blp.route("/org-units")
class OrgUnits(MethodView):
    @blp.arguments(OrgUnitQuery, location="query")
    @blp.response(200, OrgUnitPage)
    def get(self, args):
        """我范围内的组织"""
        items, nxt = service.list_org_units(actor=current_user, **args)
        return {"items": items, "next": nxt}

    @blp.arguments(OrgUnitIn)
    @blp.response(201, OrgUnitOut)
    def post(self, data):
        """新增组织（书记：本村网格；乡镇：村；管理员：乡镇和部门）"""
        unit = admin.add_org_unit(actor=current_user, address=_address(), **data)
        db.session.commit()
        return unit


@blp.route("/departments")
class Departments(MethodView):
    @blp.response(200, OrgUnitPage)
    def get(self):
        """可派单的部门（数量少，一页返回）"""
        return {"items": service.list_departments(), "next": None}


def _address():
    return request.remote_addr


@blp.route("/users/<int:user_id>")
class UserItem(MethodView):
    @blp.response(200, UserOut)
    @blp.alt_response(404, description="不在我管理的范围内，与不存在相同")
    def get(self, user_id):
        """我管理的一位人员"""
        return service.user_view(admin.managed_user(current_user, user_id))

    @blp.arguments(UserPatch)
    @blp.response(200, UserOut)
    @blp.alt_response(404, description="不在我管理的范围内，与不存在相同")
    @blp.alt_response(409, description="手机号已被使用")
    def patch(self, changes, user_id):
        """编辑、调动、改角色、停用/启用（改角色或停用会结束其所有会话）"""
        user = admin.update_user(actor=current_user, user_id=user_id, changes=changes, address=_address())
        db.session.commit()
        return service.user_view(user)


@blp.route("/users/<int:user_id>/reset-password")
class ResetPassword(MethodView):
    @blp.response(200, PasswordReset)
    def post(self, user_id):
        """重置密码：给出一次性临时密码，结束该用户的所有会话"""
        _user, password = admin.reset_password(actor=current_user, user_id=user_id, address=_address())
        db.session.commit()
        keep_plain()
        return {"temporary_password": password}


@blp.route("/users/<int:user_id>/handover")
class Handover(MethodView):
    @blp.arguments(HandoverIn)
    @blp.response(200, HandoverOut)
    def post(self, data, user_id):
        """交接：把党员的包联户（连同未办结的问题）交给一人或分给几人，全部成功或全部不做"""
        _member, moved = admin.handover(actor=current_user, user_id=user_id, address=_address(), **data)
        db.session.commit()
        return {"moved": moved}


@blp.route("/org-units/<int:unit_id>")
class OrgUnitItem(MethodView):
    @blp.arguments(OrgUnitPatch)
    @blp.response(200, OrgUnitOut)
    def patch(self, data, unit_id):
        """改名（书记：本村网格；乡镇：村；管理员：乡镇和部门）"""
        unit = admin.rename_org_unit(actor=current_user, unit_id=unit_id, name=data["name"], address=_address())
        db.session.commit()
        return unit


@blp.route("/admin-changes")
class AdminChanges(MethodView):
    @blp.arguments(Page, location="query")
    @blp.response(200, AdminChangePage)
    def get(self, args):
        """管理操作记录：我及下级做的人员和组织变动（谁、何时、从哪里、改了什么）"""
        items, nxt = admin.list_changes(actor=current_user, **args)
        return {"items": items, "next": nxt}
