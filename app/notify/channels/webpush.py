"""Web Push (RFC 8030, 8291 aes128gcm, 8292 VAPID) through pywebpush: the only module that
imports it. Chrome's push service (FCM) is unreachable in mainland China, so this is one
channel among several; the inbox stays the record."""
import base64
import json
import logging
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush
from sqlalchemy import select

from app.common.time import utcnow
from app.extensions import db
from app.notify.channels.base import Channel, Outcome
from app.notify.models import PushSubscription

log = logging.getLogger(__name__)

# Hosts of the browsers' push services (an endpoint must be https on one of them).
KNOWN_PUSH_HOSTS = ("fcm.googleapis.com", "android.googleapis.com", "updates.push.services.mozilla.com",
                    "push.services.mozilla.com", "web.push.apple.com")
KNOWN_PUSH_SUFFIXES = (".notify.windows.com", ".push.apple.com")
_KEYS = {}


def vapid(config):
    """The server's VAPID key: from VAPID_PRIVATE_KEY, else made once into instance/."""
    source = config.get("VAPID_PRIVATE_KEY")
    cache_key = source or config["VAPID_KEY_FILE"]
    if cache_key not in _KEYS:
        if source:
            key = Vapid02.from_pem(source.encode()) if "BEGIN" in source else Vapid02.from_raw(source.encode())
        else:
            path = Path(config["VAPID_KEY_FILE"])
            if not path.exists():
                key = Vapid02()
                key.generate_keys()
                path.parent.mkdir(parents=True, exist_ok=True)
                key.save_key(str(path))
                path.chmod(0o600)
            key = Vapid02.from_file(str(path))
        _KEYS[cache_key] = key
    return _KEYS[cache_key]


def public_key(config):
    """The applicationServerKey a browser subscribes with (base64url, uncompressed point)."""
    raw = vapid(config).public_key.public_bytes(serialization.Encoding.X962,
                                                serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def endpoint_allowed(config, endpoint):
    """https on a known push service, or under an origin the deployment named; never anything
    else, so a subscription cannot make the server call internal addresses."""
    extra = [p.strip() for p in config.get("PUSH_EXTRA_ORIGINS", "").split(",") if p.strip()]
    if any(endpoint.startswith(prefix) for prefix in extra):
        return True
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    return (parts.scheme == "https" and parts.port in (None, 443) and not parts.username
            and (host in KNOWN_PUSH_HOSTS or host.endswith(KNOWN_PUSH_SUFFIXES)))


class WebPushChannel(Channel):
    name = "webpush"

    def enabled(self, config):
        return bool(config.get("WEBPUSH_ENABLED", True))

    def targets(self, users):
        ids = [u.id for u in users]
        found = {}
        for sub in db.session.scalars(select(PushSubscription).where(PushSubscription.user_id.in_(ids))):
            found.setdefault(sub.user_id, []).append(sub.id)
        return found

    def send(self, *, config, target, payload):
        sub = db.session.get(PushSubscription, int(target))
        if sub is None:
            return Outcome.gone("subscription removed")
        headers = {"Urgency": "high" if payload["type"] == "task" else "normal"}
        if payload["type"] == "task":
            headers["Topic"] = payload["id"].replace("-", "")[:32]  # a newer message replaces an older one
        claims = {"sub": config["VAPID_SUBJECT"]}  # fresh every time: pywebpush writes aud and exp into it
        try:
            response = webpush({"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}},
                               json.dumps(payload, ensure_ascii=False), vapid_private_key=vapid(config),
                               vapid_claims=claims, ttl=config["WEBPUSH_TTL"], timeout=config["WEBPUSH_TIMEOUT"],
                               headers=headers)
        except WebPushException as exc:
            response = exc.response
            if response is None:
                return Outcome.retry(str(exc)[:300])
        except requests.RequestException as exc:
            return Outcome.retry(f"{type(exc).__name__}: {exc}"[:300])
        return self.outcome(sub, response)

    @staticmethod
    def outcome(sub, response):
        code = response.status_code
        if code in (200, 201, 202):
            sub.last_sent_at = utcnow()
            return Outcome.sent()
        if code in (404, 410):
            db.session.delete(sub)
            return Outcome.gone(f"{code}: subscription expired")
        if code in (400, 401, 403):
            log.error("web push configuration error %s from %s: %s", code, urlsplit(sub.endpoint).hostname,
                      response.text[:200])
            return Outcome.failed(f"{code}: configuration error (VAPID key or payload)")
        if code == 413:
            return Outcome.failed("413: payload too large")
        if code == 429 or code >= 500:
            return Outcome.retry(f"{code}: push service busy", retry_after(response.headers.get("Retry-After")))
        return Outcome.failed(f"{code}: unexpected answer")


def retry_after(value):
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - utcnow()).total_seconds())
    except (TypeError, ValueError):
        return None

