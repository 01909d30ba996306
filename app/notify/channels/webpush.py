"""Web Push (RFC 8030, 8291 aes128gcm, 8292 VAPID) through pywebpush: the only module that
imports it. Chrome's push service (FCM) is unreachable in mainland China, so this is one
channel among several; the inbox stays the record.

Every send re-checks the stored endpoint (endpoints.py), goes through a session that never
follows a redirect, and only encrypts to a device that still belongs to the recipient (a
phone that changed hands: see app/notify/push.py)."""
import base64
import json
import logging
import re
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush
from requests import RequestException
from sqlalchemy import delete, select, update

from app.common.time import utcnow
from app.extensions import db
from app.notify.channels import endpoints
from app.notify.channels.base import Channel, Outcome
from app.notify.channels.safety import NoRedirects, is_redirect, redact, safe_error
from app.notify.models import PushSubscription

log = logging.getLogger(__name__)
SUPERSEDED = "device now used by another person (subscribed under another login); not sent"
_KEYS = {}


class VapidKeyError(Exception):
    """The configured VAPID key cannot be read; the message never quotes it."""


def vapid(config):
    """The server's VAPID key: from VAPID_PRIVATE_KEY, else made once into instance/."""
    source = config.get("VAPID_PRIVATE_KEY")
    cache_key = source or config["VAPID_KEY_FILE"]
    if cache_key not in _KEYS:
        _KEYS[cache_key] = _load_vapid(source, config["VAPID_KEY_FILE"])
    return _KEYS[cache_key]


def _load_vapid(source, key_file):
    if source:
        try:
            return Vapid02.from_pem(source.encode()) if "BEGIN" in source else Vapid02.from_raw(source.encode())
        except Exception:  # noqa: BLE001 - whatever py_vapid raises may quote the key: say only which
            raise VapidKeyError("VAPID_PRIVATE_KEY cannot be read (a PEM or a base64url raw P-256 key)") from None
    path = Path(key_file)
    try:
        if not path.exists():
            key = Vapid02()
            key.generate_keys()
            path.parent.mkdir(parents=True, exist_ok=True)
            key.save_key(str(path))
            path.chmod(0o600)
        return Vapid02.from_file(str(path))
    except Exception as exc:  # noqa: BLE001 - as above
        raise VapidKeyError(f"the VAPID key file {key_file} cannot be read or made ({type(exc).__name__})") from None


def public_key(config):
    """The applicationServerKey a browser subscribes with (base64url, uncompressed point)."""
    raw = vapid(config).public_key.public_bytes(serialization.Encoding.X962,
                                                serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def endpoint_allowed(config, endpoint):
    """Whether the server may call this endpoint (see endpoints.target)."""
    return endpoints.target(config, endpoint) is not None


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


class WebPushChannel(Channel):
    name = "webpush"

    def __init__(self):
        self.gone, self.reached = set(), set()  # subscription ids, this pass
        self._session = None  # made at the first send of a pass, closed by settle()

    def enabled(self, config):
        return bool(config.get("WEBPUSH_ENABLED", True))

    def targets(self, users):
        ids = [u.id for u in users]
        found = {}
        for sub in db.session.scalars(select(PushSubscription).where(PushSubscription.user_id.in_(ids))):
            found.setdefault(sub.user_id, []).append(sub.id)
        return found

    def send(self, *, config, target, payload, recipient):
        sub = db.session.get(PushSubscription, int(target))
        if sub is None:
            return Outcome.gone("subscription removed")
        if sub.user_id != recipient:  # keys and owner come from the same row: never the new keys
            return Outcome.superseded(SUPERSEDED)
        if sub.id in self.gone:
            return Outcome.gone("subscription expired")
        endpoint = endpoints.target(config, sub.endpoint)
        if endpoint is None:
            log.error("web push endpoint of subscription %s is not allowed (PUSH_EXTRA_ORIGINS?)", sub.id)
            return Outcome.failed("endpoint not allowed: not a known push service nor under PUSH_EXTRA_ORIGINS")
        try:
            key = vapid(config)
        except VapidKeyError as exc:
            log.error("web push configuration error: %s", exc)
            return Outcome.failed(f"configuration error: {exc}")
        headers = {"Urgency": "high" if payload["type"] == "task" else "normal"}
        if payload["type"] == "task":
            headers["Topic"] = payload["id"].replace("-", "")[:32]  # a newer message replaces an older one
        claims = {"sub": config["VAPID_SUBJECT"]}  # fresh every time: pywebpush writes aud and exp into it
        if self._session is None:
            self._session = NoRedirects()
        try:
            response = webpush({"endpoint": endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}},
                               json.dumps(payload, ensure_ascii=False), vapid_private_key=key,
                               vapid_claims=claims, ttl=config["WEBPUSH_TTL"], timeout=config["WEBPUSH_TIMEOUT"],
                               headers=headers, requests_session=self._session)
        except WebPushException as exc:
            response = exc.response
            if response is None:  # pywebpush's own complaint, a fixed text
                return Outcome.retry(redact(exc.message)[:300])
        except RequestException as exc:
            return Outcome.retry(safe_error(exc))
        return self.outcome(sub, response)

    def outcome(self, sub, response):
        code = response.status_code
        if code in (200, 201, 202):
            self.reached.add(sub.id)
            return Outcome.sent()
        if is_redirect(response):
            log.error("web push configuration error %s from %s: a redirect, not followed", code,
                      urlsplit(sub.endpoint).hostname)
            return Outcome.failed(f"{code}: redirect not followed (configuration error: the endpoint's service "
                                  "must answer itself)")
        if code in (404, 410):
            self.gone.add(sub.id)  # later copies in this pass are not sent; settle() deletes it
            return Outcome.gone(f"{code}: subscription expired")
        if code in (400, 401, 403):
            log.error("web push configuration error %s from %s: %s", code, urlsplit(sub.endpoint).hostname,
                      redact(response.text[:200]))
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
        if self._session is not None:
            self._session.close()
            self._session = None


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

