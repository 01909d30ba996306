"""Secure by default: every API route needs a live session unless listed as public, every
response carries a strict Content-Security-Policy (no inline script or style) and, in
production, HSTS; of pwa/ only the app's own kinds of file are served."""
import time
from pathlib import PurePosixPath

from flask import abort, current_app, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session as OrmSession

from app.auth.sessions import load_session_user
from app.errors import ApiError
from app.extensions import db, login_manager
from app.messages import ADMIN_TEXT, TEXT

PUBLIC_API = {
    "/api/auth/login", "/api/auth/csrf", "/api/auth/logout", "/api/openapi.json", "/api/docs", "/api/docs.js",
}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'; manifest-src 'self'; worker-src 'self'"
)
HSTS = "max-age=31536000; includeSubDomains"
# What the phone app is made of; pwa/ also holds its README, package.json for Node's tests ...
APP_FILE_TYPES = {".html", ".js", ".css", ".webmanifest", ".png", ".svg", ".ico", ".webp", ".woff2"}


def is_app_file(filename):
    """Whether a path under pwa/ is part of the app a browser loads (no docs, no hidden files)."""
    parts = PurePosixPath(filename).parts
    return bool(parts) and not any(p.startswith(".") for p in parts) and \
        PurePosixPath(filename).suffix.lower() in APP_FILE_TYPES


def _unauthorized():
    raise ApiError(TEXT["unauthenticated"], code="unauthenticated", status=401)


def _only_app_files():
    if request.endpoint == "static" and not is_app_file((request.view_args or {}).get("filename", "")):
        abort(404)


# What a user with a temporary password may still do: see who they are and change it.
BEFORE_PASSWORD_CHANGE = {("GET", "/api/me"), ("POST", "/api/auth/password")}


def _load_user(user_id):
    """The session's user while the session stands (see app/auth/sessions.py); one query."""
    # a cookie from before epochs existed stands for epoch 0: upgrading logs nobody out
    return load_session_user(user_id, sid=session.get("sid"), epoch=session.get("epoch", 0))


def _require_login():
    if not request.path.startswith("/api/") or request.path in PUBLIC_API or request.method == "OPTIONS":
        return None  # OPTIONS only says which methods a route has
    if not current_user.is_authenticated:
        if session.get("_user_id"):  # a session that has ended: forget it in the browser too
            logout_user()
            session.clear()
        return login_manager.unauthorized()
    if current_user.must_change_password and (request.method, request.path) not in BEFORE_PASSWORD_CHANGE:
        raise ApiError(ADMIN_TEXT["password_change_required"], code="password_change_required", status=403)
    return None


# A session cookie's signature carries its time, and a session is over PERMANENT_SESSION_LIFETIME
# after it (30 days). Re-signing a permanent session on every response would make that an idle
# timeout at the cost of a Set-Cookie per request; re-signing it only when it changed, or when
# its signature is older than this, keeps it an idle timeout (to within this much) for free.
RESIGN_AFTER = 3600


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, sent back only when changed or due for re-signing (this
    takes the place of SESSION_REFRESH_EACH_REQUEST), or when signed with a key being retired
    (SECRET_KEY_FALLBACKS): re-signed at once, so removing that key soon logs nobody out."""

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        try:
            data, signed_at = serializer.loads(value, max_age=int(app.permanent_session_lifetime.total_seconds()),
                                               return_timestamp=True)
        except BadSignature:
            return self.session_class()
        opened = self.session_class(data)
        opened.signed_at = signed_at.timestamp() if self._signed_with_current_key(app, value) else None
        return opened

    def _signed_with_current_key(self, app, value):
        if not app.config.get("SECRET_KEY_FALLBACKS"):
            return True
        current = URLSafeTimedSerializer(app.secret_key, salt=self.salt, serializer=self.serializer,
                                         signer_kwargs={"key_derivation": self.key_derivation,
                                                        "digest_method": self.digest_method})
        try:
            current.loads(value)
        except BadSignature:
            return False
        return True

    def should_set_cookie(self, app, session):
        if session.modified:
            return True
        signed_at = getattr(session, "signed_at", None)
        return session.permanent and (signed_at is None or time.time() - signed_at >= RESIGN_AFTER)


# Requests that only read, each statement on its own: on PostgreSQL they run without a
# transaction (autocommit), which spares the BEGIN and ROLLBACK round trips a transaction costs.
# Only routes that never write and need no snapshot across their statements belong here; READ
# COMMITTED gives each statement its own snapshot anyway.
PURE_READS = {("GET", "households.Households")}


def _pure_read_without_transaction():
    if (request.method, request.endpoint) not in PURE_READS:
        return
    current = db.session()
    bind = current.get_bind()
    if not current.in_transaction() and isinstance(bind, Engine) and bind.dialect.name == "postgresql":
        current.connection(execution_options={"isolation_level": "AUTOCOMMIT"})  # (tests bind a Connection)
        current.info[PURE_READ] = True


PURE_READ = "pure_read"


def _no_write_in_a_pure_read(session, _context, _instances):
    """A write added later to a route in PURE_READS would commit statement by statement: refuse."""
    if session.info.get(PURE_READ):
        raise RuntimeError(f"{request.endpoint} is in PURE_READS but wrote: take it out")


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if current_app.config["BAOLIAN_ENV"] == "production":  # served over https behind the proxy
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.path.startswith("/api/") or request.path == "/healthz":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def install(app):
    app.session_interface = SessionCookies()
    if not event.contains(OrmSession, "before_flush", _no_write_in_a_pure_read):
        event.listen(OrmSession, "before_flush", _no_write_in_a_pure_read)
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    app.before_request(_pure_read_without_transaction)  # before the user is read
    app.before_request(_require_login)
    app.before_request(_only_app_files)
    app.after_request(_security_headers)
