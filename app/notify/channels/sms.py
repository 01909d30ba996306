"""短信 through Alibaba Cloud SMS (阿里云短信服务): the channel that reaches every phone.

One documented call, SendSms (API version 2017-05-25), signed as the RPC signature method
specifies: the parameters sorted and percent-encoded (RFC 3986), the string to sign
`POST&%2F&<encoded query>`, HMAC-SHA1 keyed with the AccessKey secret and "&", base64.

A text message leaves the phone's owner's hands (it sits in the SMS inbox of a shared family
phone, it is read aloud): it names only what kind of thing waits in the app, from a pre-approved
template whose one variable is ${item} ("任务", "派单" ...). Titles, names and reasons never go
into it. Which notifications are worth a text (SMS_KINDS) and how many a phone gets a day
(SMS_DAILY_LIMIT) are decided when the outbox is filled (app/notify/service.py).
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

from app.messages import SMS_ITEMS
from app.notify.channels.base import Channel, Outcome
from app.notify.channels.safety import is_redirect, redact, safe_error

log = logging.getLogger(__name__)

API_VERSION = "2017-05-25"
# Codes from the SendSms documentation, by what asking again can do about them.
RETRY_CODES = {"isp.SYSTEM_ERROR", "isv.BUSINESS_LIMIT_CONTROL", "Throttling", "Throttling.User",
               "ServiceUnavailable", "SignatureNonceUsed", "isv.AMOUNT_NOT_ENOUGH", "isv.OUT_OF_SERVICE"}
CONFIG_CODES = {"SignatureDoesNotMatch", "IncompleteSignature", "InvalidAccessKeyId.NotFound",
                "InvalidAccessKeyId.Inactive", "isv.SMS_SIGNATURE_ILLEGAL", "isv.SMS_TEMPLATE_ILLEGAL",
                "isv.TEMPLATE_MISSING_PARAMETERS", "isv.ACCOUNT_NOT_EXISTS", "isv.ACCOUNT_ABNORMAL",
                "isv.INVALID_PARAMETERS", "isv.INVALID_JSON_PARAM", "isv.SMS_SIGN_ILLEGAL",
                "InvalidTimeStamp.Expired", "isp.RAM_PERMISSION_DENY"}
# The service's own flow control is per minute and per hour: wait that long, not the backoff.
LIMIT_WAIT_SECONDS = {"isv.BUSINESS_LIMIT_CONTROL": 600, "Throttling": 60, "Throttling.User": 60}


class SmsChannel(Channel):
    name = "sms"

    def enabled(self, config):
        return all(config.get(k) for k in ("SMS_ACCESS_KEY_ID", "SMS_ACCESS_KEY_SECRET", "SMS_SIGN_NAME",
                                           "SMS_TEMPLATE_CODE"))

    def carries(self, config, kind):
        return kind in config.get("SMS_KINDS", ())

    def daily_limit(self, config):
        return int(config.get("SMS_DAILY_LIMIT") or 0) or None

    def targets(self, users):
        return {u.id: [u.phone] for u in users if u.phone}

    def send(self, *, config, target, payload, recipient):
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
            return (Outcome.retry if response.status_code >= 500 else Outcome.failed)(f"HTTP {response.status_code}")
        return outcome_of(body)


def outcome_of(body):
    """What the documented answer means for this delivery."""
    code, message = str(body.get("Code", "")), redact(str(body.get("Message", "")))
    reason = f"{code}: {message}"[:300]
    if code == "OK":
        return Outcome.sent()
    if code in RETRY_CODES:
        return Outcome.retry(reason, LIMIT_WAIT_SECONDS.get(code))
    if code in CONFIG_CODES:
        log.error("SMS refused the configuration: %s", reason)
        return Outcome.failed(f"configuration error: {reason}"[:300])
    return Outcome.failed(reason)  # the number itself (isv.MOBILE_NUMBER_ILLEGAL ...): asking again won't help


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
