"""The device cookie: a signed, long-lived note that this browser has logged in as these users.

Phone numbers are visible along the chain, so anyone can guess at a member's password and fill
the per-phone and per-address ceilings. A device the member has logged in on before skips them
(keeping only its own per-phone-and-device pause), so such a stranger cannot lock the member out
of their own phone. The note is signed with the app's secret key (itsdangerous), so it cannot be
made up or edited, and it names user ids, so it vouches only for those who logged in on it.
"""
import re
import secrets
from dataclasses import dataclass

from flask import after_this_request, current_app, request
from itsdangerous import BadData, URLSafeTimedSerializer

COOKIE = "baolian_device"
PATH = "/api/auth"  # only the login needs it
SALT = "baolian-device"
MAX_USERS = 5  # a phone shared in a family or an office
_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class Device:
    id: str
    users: tuple

    def knows(self, user_id):
        return user_id is not None and user_id in self.users


def _serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def _max_age():
    return int(current_app.config["LOGIN_DEVICE_DAYS"]) * 24 * 3600


def current():
    """This request's device, or None when it has no cookie, or a forged, edited or expired one."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw, max_age=_max_age())
    except BadData:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not _ID.match(data["id"]):
        return None
    users = data.get("users")
    if not isinstance(users, list) or not all(type(u) is int for u in users):
        return None
    return Device(data["id"], tuple(users))


def remember(device, user_id):
    """After a successful login: put the user first on this device's note and send it again
    (a new device gets an id of its own)."""
    device_id = device.id if device else secrets.token_hex(16)
    users = [user_id, *(u for u in (device.users if device else ()) if u != user_id)][:MAX_USERS]
    value = _serializer().dumps({"id": device_id, "users": users})
    max_age = _max_age()
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE", True))  # production: https only

    @after_this_request
    def _set(response):
        response.set_cookie(COOKIE, value, max_age=max_age, path=PATH, httponly=True, samesite="Lax", secure=secure)
        return response
