"""Web Push (RFC 8030, 8291 aes128gcm, 8292 VAPID) through pywebpush: the only module that
imports it. Chrome's push service (FCM) is unreachable in mainland China, so this is one
channel among several; the inbox stays the record."""
import base64
import json
import logging
import re
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush
from sqlalchemy import delete, select, update

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
    parts = _split(endpoint)
    if parts is None or parts.username is not None or parts.password is not None or "\\" in endpoint:
        return False
    here = (parts.scheme, (parts.hostname or "").lower(), _port(parts))
    for allowed in (p.strip() for p in config.get("PUSH_EXTRA_ORIGINS", "").split(",")):
        base = _split(allowed) if allowed else None
        if base is not None and base.hostname and here == (base.scheme, base.hostname.lower(), _port(base)) \
                and parts.path.startswith(base.path.rstrip("/") + "/"):
            return True
    host = here[1]
    return (here[0] == "https" and here[2] == 443
            and (host in KNOWN_PUSH_HOSTS or host.endswith(KNOWN_PUSH_SUFFIXES)))


def bad_key(keys):
    """The name of the subscription key that is not what a browser sends (None: both fine):
    p256dh a P-256 point, auth 16 bytes, both base64url. Refused now, not at every send."""
    p256dh, auth = _unb64url(keys.get("p256dh", "")), _unb64url(keys.get("auth", ""))
    try:
        if p256dh is None or len(p256dh) != 65:
            raise ValueError
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), p256dh)
    except ValueError:
        return "p256dh"
    return "auth" if auth is None or len(auth) != 16 else None


def _unb64url(text):
    if not re.fullmatch(r"[A-Za-z0-9_-]+={0,2}", text or ""):
        return None
    try:
        return base64.urlsafe_b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))
    except ValueError:
        return None


def _split(url):
    """urlsplit, with its port checked (None: not a URL we could ever call)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return None
    return parts if parts.scheme in ("http", "https") else None


def _port(parts):
    return parts.port or (443 if parts.scheme == "https" else 80)


class WebPushChannel(Channel):
    name = "webpush"

    def __init__(self):
        self.gone, self.reached = set(), set()  # subscription ids, this pass

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
        if sub.id in self.gone:
            return Outcome.gone("subscription expired")
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

    def outcome(self, sub, response):
        code = response.status_code
        if code in (200, 201, 202):
            self.reached.add(sub.id)
            return Outcome.sent()
        if code in (404, 410):
            self.gone.add(sub.id)  # later copies in this pass are not sent; settle() deletes it
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

    def settle(self, now):
        """Forget dead devices and note live ones, in id order (two workers settling at once
        then take their row locks in the same order)."""
        if self.gone:
            db.session.execute(delete(PushSubscription).where(PushSubscription.id.in_(sorted(self.gone)))
                               .execution_options(synchronize_session=False))
        reached = sorted(self.reached - self.gone)
        if reached:
            db.session.execute(update(PushSubscription).where(PushSubscription.id.in_(reached))
                               .values(last_sent_at=now).execution_options(synchronize_session=False))
        self.gone, self.reached = set(), set()


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

