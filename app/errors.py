"""One JSON error shape for every failure: {"error": {"code", "message", "fields"}}."""
import logging
import sqlite3

from flask import current_app, jsonify
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.common.views import render
from app.messages import FIELD_LABELS, HTTP, TEXT

log = logging.getLogger(__name__)


class ApiError(Exception):
    """A refusal a service can raise without knowing about HTTP."""

    status = 400
    code = "bad_request"

    def __init__(self, message, *, fields=None, code=None, status=None, **extra):
        super().__init__(message)
        self.message = message
        self.fields = fields
        self.code = code or self.code
        self.status = status or self.status
        self.extra = extra

    def rendered_extra(self):
        """What the refusal carries besides its message (a conflict's current record), rendered."""
        return {key: render(value) for key, value in self.extra.items()}


class NotFound(ApiError):
    status, code = 404, "not_found"

    def __init__(self, message=None, **kw):
        super().__init__(message or HTTP[404], **kw)


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class Conflict(ApiError):
    status, code = 409, "conflict"


class Invalid(ApiError):
    """Bad input that passed the schema but breaks a rule; names the field."""

    status, code = 422, "invalid"

    def __init__(self, field, detail, **kw):
        super().__init__(field_message(field, detail), fields={field: [detail]}, **kw)


def field_message(field, detail):
    return TEXT["field_error"].format(label=FIELD_LABELS.get(field, field), detail=detail)


def error_response(status, code, message, fields=None, **extra):
    body = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    body.update(extra)
    return jsonify({"error": body}), status


def _flatten_webargs(messages):
    """webargs nests by location ({"json": {...}}); users care about the field."""
    flat = {}
    for location_errors in messages.values():
        if isinstance(location_errors, dict):
            flat.update(location_errors)
        else:
            flat.setdefault("_schema", []).extend(location_errors)
    return flat


def first_error(messages):
    """The first problem in marshmallow's nested messages: (path, detail)."""
    path, value = [], messages
    while True:
        if isinstance(value, dict) and value:
            key = next(iter(value))
            path.append(key)
            value = value[key]
        elif isinstance(value, list) and value:
            value = value[0]
        else:
            return path, str(value) if value != [] else ""


def describe_error(messages):
    """A Chinese sentence naming the field (and the item of a list) that is wrong."""
    path, detail = first_error(messages)
    field = next((p for p in reversed(path) if isinstance(p, str)), "_schema")
    where = "".join(TEXT["item"].format(n=p + 1) for p in path if isinstance(p, int))
    return where + field_message(field, detail)


def http_exception_response(exc):
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    if status == 422 and messages:
        fields = _flatten_webargs(messages)
        return error_response(422, "invalid", describe_error(fields), fields)
    if status == 400 and messages:
        return error_response(400, "bad_json", TEXT["bad_json"])
    message = data.get("message") or HTTP.get(status) or HTTP[400]
    code = data.get("code") or _code_for(status)
    body, status = error_response(status, code, message, **data.get("extra", {}))
    # keep what the exception says about itself: Allow on a 405, Retry-After ...
    return body, status, [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]


def _code_for(status):
    return {
        400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
        405: "method_not_allowed", 409: "conflict", 413: "too_large",
        415: "unsupported_media_type", 422: "invalid", 429: "rate_limited",
    }.get(status, "error" if status < 500 else "server_error")


def register_error_handlers(app):
    @app.errorhandler(ApiError)
    def _api_error(exc):
        return error_response(exc.status, exc.code, exc.message, exc.fields, **exc.rendered_extra())

    @app.errorhandler(StaleDataError)
    def _stale(exc):
        return error_response(409, "version_conflict", TEXT["stale"])

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return error_response(400, "csrf_failed", TEXT["csrf_failed"])

    @app.errorhandler(HTTPException)
    def _http(exc):
        return http_exception_response(exc)

    @app.errorhandler(RecursionError)
    def _too_deep(exc):  # a body nested thousands deep
        return error_response(400, "bad_json", TEXT["bad_json"])

    @app.errorhandler(ValueError)
    def _value_error(exc):
        # webargs parses bodies with the standard json module, which raises a bare ValueError
        # for an integer of more than 4,300 digits: the client sent it, so it is bad JSON.
        if too_many_digits(exc):
            return error_response(400, "bad_json", TEXT["bad_json"])
        return _unexpected(exc)

    @app.errorhandler(OperationalError)
    @app.errorhandler(sqlite3.OperationalError)
    @app.errorhandler(PoolTimeout)
    def _database_error(exc):
        if is_busy(exc):
            return busy_response()
        return _unexpected(exc)

    @app.errorhandler(Exception)
    def _unexpected(exc):
        log.exception("unhandled error")
        return error_response(500, "server_error", HTTP[500])


BUSY_RETRY_AFTER = 2  # seconds; SQLite has already waited busy_timeout before giving up
BUSY_SQLSTATES = {"40001", "40P01", "55P03"}  # PostgreSQL: serialization failure, deadlock, lock not available


def is_busy(exc):
    """The database is busy, not broken: SQLite's lock stayed taken past busy_timeout (or a
    deferred transaction lost its snapshot), PostgreSQL gave up on a lock, or no pooled
    connection came free. Trying again later may well succeed."""
    if isinstance(exc, PoolTimeout):
        return True
    orig = getattr(exc, "orig", exc)
    if isinstance(orig, sqlite3.OperationalError):
        code = getattr(orig, "sqlite_errorcode", None)
        return (code is not None and code & 0xFF in (5, 6)) or "locked" in str(orig)  # SQLITE_BUSY, _LOCKED
    return getattr(orig, "sqlstate", None) in BUSY_SQLSTATES


def busy_response():
    try:  # the failed transaction is finished here, before anything else could use it
        current_app.extensions["sqlalchemy"].session.rollback()
    except Exception:  # noqa: BLE001 - the answer matters more; teardown removes the session
        log.warning("rollback after a busy database failed", exc_info=True)
    body, status = error_response(503, "busy", TEXT["busy"])
    return body, status, {"Retry-After": str(BUSY_RETRY_AFTER)}


def too_many_digits(exc):
    """Python's guard against quadratic int parsing (sys.get_int_max_str_digits)."""
    return isinstance(exc, ValueError) and "integer string conversion" in str(exc)
