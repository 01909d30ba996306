"""Secure by default: every API route needs a live session unless listed as public, and
every response carries a strict Content-Security-Policy (no inline script or style)."""
from flask import request, session
from flask_login import current_user, logout_user

from app.auth.service import is_revoked, load_user
from app.errors import ApiError
from app.extensions import login_manager
from app.messages import TEXT

PUBLIC_API = {
    "/api/auth/login", "/api/auth/csrf", "/api/auth/logout", "/api/openapi.json", "/api/docs", "/api/docs.js",
}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'; manifest-src 'self'; worker-src 'self'"
)


def _unauthorized():
    raise ApiError(TEXT["unauthenticated"], code="unauthenticated", status=401)


def _require_login():
    if not request.path.startswith("/api/") or request.path in PUBLIC_API:
        return None
    if current_user.is_authenticated and is_revoked(session.get("sid")):
        logout_user()
        session.clear()
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.path.startswith("/api/") or request.path == "/healthz":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def install(app):
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(_unauthorized)
    app.before_request(_require_login)
    app.after_request(_security_headers)
