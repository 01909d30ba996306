"""短信 through Alibaba Cloud SMS (阿里云短信服务): the channel that reaches every phone.

One documented call, SendSms (API version 2017-05-25), signed as the RPC signature method
specifies: the parameters sorted and percent-encoded (RFC 3986), the string to sign
`POST&%2F&<encoded query>`, HMAC-SHA1 keyed with the AccessKey secret and "&", base64.

A text message leaves the phone's owner's hands (it sits in the SMS inbox of a shared family
phone, it is read aloud): it names only what kind of thing waits in the app, from a pre-approved
template whose one variable is ${item} ("任务", "派单" ...). Titles, names and reasons never go
into it. Which notifications are worth a text (SMS_KINDS) and how many a phone gets a day
(SMS_DAILY_LIMIT) are decided when the outbox is filled (app/notify/service.py); none is sent
outside REMINDER_HOURS (China time), when a family phone should stay quiet.
"""
import base64
import hashlib
import hmac
import json
import logging
import uuid
from datetime import datetime, timezone
from urllib.parse import quote

import requests
from sqlalchemy import select

from app.common.time import local_midnight, next_in_hours, utcnow
from app.extensions import db
from app.messages import SMS_ITEMS
from app.notify.channels.base import Channel, Outcome
from app.notify.channels.safety import is_redirect, redact, safe_error
from app.org.models import User

log = logging.getLogger(__name__)

API_VERSION = "2017-05-25"
# Codes from the SendSms documentation, by what asking again can do about them. Transient:
TRANSIENT_CODES = {"isp.SYSTEM_ERROR", "Throttling", "Throttling.User", "ServiceUnavailable", "SignatureNonceUsed"}
# The account needs someone (a top-up, a suspended service): asked again later, and said loudly.
ACCOUNT_CODES = {"isv.AMOUNT_NOT_ENOUGH", "isv.OUT_OF_SERVICE"}
# The number itself: asking again won't help, and nothing is wrong with the setup.
NUMBER_CODES = {"isv.MOBILE_NUMBER_ILLEGAL", "isv.MOBILE_COUNT_OVER_LIMIT", "isv.BLACK_KEY_CONTROL_LIMIT"}
# Anything else (a refused key, sign or template, account-wide limits) is the setup's to fix.
FLOW_CONTROL = "isv.BUSINESS_LIMIT_CONTROL"  # per number: its message says 分钟级, 小时级 or 天级
WAIT_SECONDS = {"分钟": 60, "小时": 3600}
THROTTLE_WAIT_SECONDS = 60


class SmsChannel(Channel):
    name = "sms"

    def enabled(self, config):
        return all(config.get(k) for k in ("SMS_ACCESS_KEY_ID", "SMS_ACCESS_KEY_SECRET", "SMS_SIGN_NAME",
                                           "SMS_TEMPLATE_CODE"))

    def carries(self, config, kind):
        return kind in config.get("SMS_KINDS", ())

    def daily_limit(self, config):
        limit = config.get("SMS_DAILY_LIMIT")
        return None if limit is None else max(0, int(limit))

    def first_attempt(self, config, now):
        return next_in_hours(now, quiet_hours(config))

    def targets(self, users):
        return {u.id: [u.phone] for u in users if u.phone}

    def send(self, *, config, target, payload, recipient):
        now = utcnow()
        if (later := next_in_hours(now, quiet_hours(config))) > now:  # a retry that fell in the night
            return Outcome.retry("quiet hours", (later - now).total_seconds())
        if not still_theirs(target, recipient):
            return Outcome.superseded("number no longer this person's (changed or account stopped)")
        params = send_sms_params(config, target, payload)
        params["Signature"] = signature("POST", params, config["SMS_ACCESS_KEY_SECRET"])
        try:
            response = requests.post(config["SMS_API_BASE"].rstrip("/") + "/", data=params,
                                     timeout=config["SMS_TIMEOUT"], allow_redirects=False)
        except requests.RequestException as exc:
            return Outcome.retry(safe_error(exc))
        if is_redirect(response):
            log.error("SMS configuration error: %s answered with a redirect (SMS_API_BASE?)", response.status_code)
            return Outcome.failed(f"{response.status_code}: redirect not followed (configuration error: SMS_API_BASE)")
        body = _json(response)
        if body is None:
            transient = response.status_code >= 500 or response.status_code == 429
            return (Outcome.retry if transient else Outcome.failed)(f"HTTP {response.status_code}")
        return outcome_of(body, now)


def quiet_hours(config):
    return config.get("REMINDER_HOURS", (8, 20))


def still_theirs(phone, user_id):
    """The number is still the recipient's and the account still active: retries run for hours,
    and a corrected or stopped account must not keep texting the old number."""
    row = db.session.execute(select(User.phone, User.active).where(User.id == user_id)).first()
    return row is not None and row.active and row.phone == phone


def outcome_of(body, now):
    """What the documented answer means for this delivery."""
    code, message = str(body.get("Code", "")), redact(str(body.get("Message", "")))
    reason = f"{code}: {message}"[:300]
    if code == "OK":
        return Outcome.sent()
    if code == FLOW_CONTROL:
        return Outcome.retry(reason, flow_control_wait(message, now))
    if code in TRANSIENT_CODES:
        return Outcome.retry(reason, THROTTLE_WAIT_SECONDS if code.startswith("Throttling") else None)
    if code in NUMBER_CODES:
        return Outcome.failed(reason)
    log.error("SMS refused by the account or its setup: %s", reason)
    if code in ACCOUNT_CODES:
        return Outcome.retry(f"account: {reason}"[:300])
    return Outcome.failed(f"configuration error: {reason}"[:300])


def flow_control_wait(message, now):
    """Seconds until the number's limit named in the message lifts (the day's: China midnight)."""
    for unit, seconds in WAIT_SECONDS.items():
        if unit in message:
            return seconds
    return (local_midnight(now) - now).total_seconds() + 24 * 3600


def send_sms_params(config, phone, payload):
    """SendSms's parameters: the common ones, then the message's, without the signature."""
    item = SMS_ITEMS.get(payload.get("kind"), SMS_ITEMS["default"])
    return {
        "AccessKeyId": config["SMS_ACCESS_KEY_ID"], "Action": "SendSms", "Format": "JSON",
        "RegionId": "cn-hangzhou", "SignatureMethod": "HMAC-SHA1", "SignatureNonce": uuid.uuid4().hex,
        "SignatureVersion": "1.0", "Timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": API_VERSION, "PhoneNumbers": phone, "SignName": config["SMS_SIGN_NAME"],
        "TemplateCode": config["SMS_TEMPLATE_CODE"],
        "TemplateParam": json.dumps({"item": item}, ensure_ascii=False, separators=(",", ":")),
        "OutId": f"n{payload.get('nid', '')}",
    }


def percent_encode(value):
    """RFC 3986, as the signature method spells it: only A-Z a-z 0-9 - _ . ~ stay."""
    return quote(str(value), safe="-_.~")


def signature(method, params, secret):
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _json(response):
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
