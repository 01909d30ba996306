"""/api/auth: login, logout and the CSRF token."""
import secrets

from flask import current_app, request, session
from flask.views import MethodView
from flask_login import current_user, login_user, logout_user
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf

from app.auth.schemas import CsrfOut, LoginIn
from app.auth.service import authenticate, revoke_session
from app.errors import ApiError
from app.extensions import db, limiter
from app.messages import TEXT
from app.org.schemas import LoginOut
from app.org.service import describe_me

blp = Blueprint("auth", __name__, url_prefix="/api/auth", description="登录与会话")


def _failed(response):
    return response.status_code == 401


def _phone_key():
    body = request.get_json(silent=True)
    phone = body.get("phone") if isinstance(body, dict) else None
    return f"login-phone:{phone if isinstance(phone, str) else ''}"


_limits = [
    limiter.limit(
        lambda: current_app.config["LOGIN_LIMIT_PER_PHONE"],
        key_func=_phone_key,
        deduct_when=_failed,
        error_message=TEXT["login_limited"],
    ),
    limiter.limit(
        lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
        deduct_when=_failed,
        error_message=TEXT["login_limited"],
    ),
]


@blp.route("/login")
class Login(MethodView):
    decorators = _limits

    @blp.arguments(LoginIn)
    @blp.response(200, LoginOut)
    @blp.alt_response(401, description="手机号或密码错误")
    @blp.alt_response(429, description="失败次数过多")
    def post(self, creds):
        """登录（需要 X-CSRF-Token）"""
        user = authenticate(phone=creds["phone"], password=creds["password"])
        if user is None:
            raise ApiError(TEXT["login_failed"], code="login_failed", status=401)
        session.clear()  # a fresh session: nothing from before the login survives
        login_user(user)
        session.permanent = True
        session["sid"] = secrets.token_hex(16)
        me = describe_me(user)
        db.session.commit()
        return {**me, "csrf_token": generate_csrf()}


@blp.route("/logout")
class Logout(MethodView):
    @blp.response(204)
    def post(self):
        """退出登录（此会话的 Cookie 随即失效）"""
        if current_user.is_authenticated:
            revoke_session(user_id=current_user.id, sid=session.get("sid"))
            db.session.commit()
        logout_user()
        session.clear()


@blp.route("/csrf")
class Csrf(MethodView):
    @blp.response(200, CsrfOut)
    def get(self):
        """取得写操作所需的 CSRF 令牌"""
        return {"csrf_token": generate_csrf()}
