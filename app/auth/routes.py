"""/api/auth: login, logout and the CSRF token. How logins are throttled: throttle.py."""
import secrets

from flask import request, session
from flask.views import MethodView
from flask_login import current_user, login_user, logout_user
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from werkzeug.exceptions import ServiceUnavailable, TooManyRequests

from app.auth import devices
from app.auth.password import check_new_password, set_new_password
from app.auth.schemas import CsrfOut, LoginIn, PasswordIn
from app.auth.service import check_password, find_user, revoke_session
from app.auth.throttle import Refused, Unavailable
from app.errors import ApiError, Invalid
from app.extensions import db, limiter
from app.messages import ADMIN_TEXT, TEXT
from app.org.models import User
from app.org.schemas import LoginOut
from app.org.service import describe_me

blp = Blueprint("auth", __name__, url_prefix="/api/auth", description="登录与会话")


UNAVAILABLE_RETRY_AFTER = 10  # seconds: the counter store (Redis) is usually back by then


def _too_many(retry_after):
    exc = TooManyRequests(retry_after=retry_after)
    exc.data = {"message": TEXT["login_limited"], "code": "rate_limited"}
    return exc


def _unavailable():
    exc = ServiceUnavailable(retry_after=UNAVAILABLE_RETRY_AFTER)
    exc.data = {"message": TEXT["login_unavailable"], "code": "login_unavailable"}
    return exc


def _checked(user, phone, password, device, wrong):
    """The user, re-read after a throttled password check, or `wrong` raised.

    The slow check holds no database lock (SQLite locks at a POST's first write), so the user
    is read again afterwards, locked on PostgreSQL, and must still be the one that was checked:
    same password, same session epoch, still active. A reset or deactivation that landed
    meanwhile wins."""
    before = (user.id, user.password_hash, user.session_epoch) if user is not None else None
    if user is not None:
        db.session.expunge(user)
    db.session.rollback()
    known = device is not None and device.knows(user.id if user else None)
    try:
        ticket = limiter.take(phone=phone, address=request.remote_addr or "unknown",
                              device=device.id if known else None)
    except Refused as refused:
        raise _too_many(refused.retry_after) from None
    except Unavailable:
        raise _unavailable() from None
    try:
        ok = check_password(user, password)
    except BaseException:
        try:
            ticket.release()
        except Unavailable:
            pass  # the check's own error is the one to answer; the place is forgotten in time
        raise
    try:
        if ok:
            ticket.succeeded()
        else:
            ticket.failed()
    except Unavailable:  # not counted, so not answered either
        raise _unavailable() from None
    if not ok:
        raise wrong
    now = db.session.scalars(select(User).where(User.id == user.id).with_for_update(of=User)).one()
    if (now.id, now.password_hash, now.session_epoch) != before or not now.active:
        raise wrong
    return now


def _start_session(user):
    """A fresh session: nothing from before the login survives (session fixation), and the
    session this browser had before is revoked, so a copy of its cookie stops working too."""
    old_sid, old_user = session.get("sid"), str(session.get("_user_id") or "")
    session.clear()
    if old_sid and old_user.isdigit() and db.session.get(User, int(old_user)) is not None:
        revoke_session(user_id=int(old_user), sid=old_sid)
    login_user(user)
    session.permanent = True
    session["sid"] = secrets.token_hex(16)
    session["epoch"] = user.session_epoch  # a later password change or reset ends this session


@blp.route("/login")
class Login(MethodView):
    @blp.arguments(LoginIn)
    @blp.response(200, LoginOut)
    @blp.alt_response(401, description="手机号或密码错误")
    @blp.alt_response(429, description="尝试过于频繁（Retry-After：需等待的秒数）")
    @blp.alt_response(503, description="登录保护服务（Redis）暂时不可用（Retry-After）")
    def post(self, creds):
        """登录（需要 X-CSRF-Token）"""
        device = devices.current()
        user = _checked(find_user(creds["phone"]), creds["phone"], creds["password"], device,
                        ApiError(TEXT["login_failed"], code="login_failed", status=401))
        _start_session(user)
        devices.remember(device, user.id)
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


@blp.route("/password")
class Password(MethodView):
    @blp.arguments(PasswordIn)
    @blp.response(204)
    @blp.alt_response(422, description="旧密码不对，或新密码太简单（说明怎样改）")
    @blp.alt_response(429, description="尝试过于频繁（Retry-After：需等待的秒数）")
    @blp.alt_response(503, description="登录保护服务（Redis）暂时不可用（Retry-After）")
    def post(self, data):
        """修改密码（临时密码须先改掉）；本人的其他会话随即失效，这个会话继续有效"""
        me = db.session.get(User, current_user.id)
        check_new_password(me, data["new_password"], data["old_password"])
        user = _checked(me, me.phone, data["old_password"], devices.current(),
                        Invalid("old_password", ADMIN_TEXT["wrong_password"]))
        session["epoch"] = set_new_password(user, data["new_password"])
        db.session.commit()
