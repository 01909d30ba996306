"""A local Alibaba Cloud SMS endpoint (dysmsapi, SendSms 2017-05-25), written from its documentation.

Checks, in the documented order of a real endpoint: the AccessKeyId (404
InvalidAccessKeyId.NotFound), the signature method and version (400 IncompleteSignature), the
timestamp within 15 minutes (400 InvalidTimeStamp.Expired), the nonce never seen before (400
SignatureNonceUsed), the signature (400 SignatureDoesNotMatch), then the message: the action,
the approved sign name and template, a JSON TemplateParam with the template's variables, a
mainland mobile number, and the per-number flow control (isv.BUSINESS_LIMIT_CONTROL). Every
answer is JSON with Code, Message and RequestId; an accepted one also BizId.

The signature is recomputed here the way the documentation writes it, independently of the
app's code: percentEncode = URL-encode (UTF-8), then "+" -> "%20", "*" -> "%2A", "%7E" -> "~".
"""
import base64
import hashlib
import hmac
import json
import re
import threading
import uuid
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, quote_plus, urlsplit

from tests.notify.localserver import LocalServer

TEMPLATE_TEXT = "您有新的${item}，请打开包联查看。"
MOBILE = re.compile(r"^(\+?86)?1[3-9]\d{9}$")
ERRORS = {
    "InvalidAccessKeyId.NotFound": (404, "Specified access key is not found."),
    "IncompleteSignature": (400, "The request signature does not conform to Aliyun standards."),
    "InvalidTimeStamp.Expired": (400, "Specified time stamp or date value is expired."),
    "SignatureNonceUsed": (400, "Specified signature nonce was used already."),
    "SignatureDoesNotMatch": (400, "Specified signature is not matched with our calculation. "
                                   "server string to sign is:{string_to_sign}"),
    "InvalidAction.NotFound": (400, "Specified api is not found, please check your url and method."),
    "isv.SMS_SIGNATURE_ILLEGAL": (200, "该账号下找不到对应签名"),
    "isv.SMS_TEMPLATE_ILLEGAL": (200, "该账号下找不到对应模板"),
    "isv.INVALID_JSON_PARAM": (200, "JSON参数不合法，只接受字符串值"),
    "isv.TEMPLATE_MISSING_PARAMETERS": (200, "模板变量缺少对应参数值"),
    "isv.MOBILE_NUMBER_ILLEGAL": (200, "非法手机号"),
    "isv.BUSINESS_LIMIT_CONTROL": (200, "触发号码天级流控Permits:10"),
    "isp.SYSTEM_ERROR": (200, "系统出现错误，请重新调用"),
    "isv.AMOUNT_NOT_ENOUGH": (200, "账户余额不足"),
    "isv.DAY_LIMIT_CONTROL": (200, "触发日发送限额"),
}


def percent_encode(value):
    return quote_plus(str(value), safe="").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


def string_to_sign(method, params):
    query = "&".join(percent_encode(k) + "=" + percent_encode(params[k]) for k in sorted(params))
    return method + "&" + percent_encode("/") + "&" + percent_encode(query)


def expected_signature(method, params, secret):
    mac = hmac.new((secret + "&").encode("utf-8"), string_to_sign(method, params).encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _serve(self, method, raw_query):
        sms = self.server.peer
        status, body, content_type = sms.handle(method, urlsplit(self.path).path, raw_query)
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802
        self._serve("GET", urlsplit(self.path).query)

    def do_POST(self):  # noqa: N802
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
        self._serve("POST", raw)


class SmsServer(LocalServer):
    handler = _Handler
    name = "sms"

    def __init__(self, key_id="LTAI-test-key-id", secret="test-access-key-secret-0123",
                 sign_name="包联", template_code="SMS_480000001", per_number_limit=None):
        self.key_id, self.secret = key_id, secret
        self.sign_name, self.template_code = sign_name, template_code
        self.per_number_limit = per_number_limit
        self.messages = []  # accepted: {phone, sign, template, params, text, out_id}
        self.calls = []  # (Code, raw request text) of every call
        self.scripted = []  # answers to give before checking anything: a Code, or an HTTP status
        self._nonces = set()
        self._lock = threading.Lock()

    def then(self, *answers):
        """Answer the next calls with these: a documented Code, (Code, Message), or an int (a bare
        HTTP error page)."""
        with self._lock:
            self.scripted.extend(answers)
        return self

    def codes(self):
        return [code for code, _ in self.calls]

    def handle(self, method, path, raw):
        with self._lock:
            scripted = self.scripted.pop(0) if self.scripted else None
        if isinstance(scripted, int):
            self._log(f"HTTP {scripted}", raw)
            return scripted, b"<html>Service Unavailable</html>", "text/html"
        code = scripted or (self._refusal(method, path, raw) if path == "/" else "InvalidAction.NotFound")
        if code:
            code, message = code if isinstance(code, tuple) else (code, None)
            status, documented = ERRORS[code]
            message = message or documented.format(string_to_sign=self._string_to_sign(method, raw))
            self._log(code, raw)
            return status, {"Code": code, "Message": message, "RequestId": str(uuid.uuid4()).upper()}, \
                "application/json;charset=utf-8"
        self._log("OK", raw)
        return 200, {"Code": "OK", "Message": "OK", "BizId": uuid.uuid4().hex[:20],
                     "RequestId": str(uuid.uuid4()).upper()}, "application/json;charset=utf-8"

    @staticmethod
    def _string_to_sign(method, raw):
        params = dict(parse_qsl(raw, keep_blank_values=True))
        params.pop("Signature", None)
        return string_to_sign(method, params)

    def _log(self, code, raw):
        with self._lock:
            self.calls.append((code, raw))

    def _refusal(self, method, path, raw):
        """The documented Code refusing this call, or None (the message is then accepted)."""
        params = dict(parse_qsl(raw, keep_blank_values=True))
        given = params.pop("Signature", "")
        if params.get("AccessKeyId") != self.key_id:
            return "InvalidAccessKeyId.NotFound"
        if params.get("SignatureMethod") != "HMAC-SHA1" or params.get("SignatureVersion") != "1.0" or not given:
            return "IncompleteSignature"
        try:
            stamp = datetime.strptime(params.get("Timestamp", ""), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        except ValueError:
            return "InvalidTimeStamp.Expired"
        if abs(datetime.now(timezone.utc) - stamp) > timedelta(minutes=15):
            return "InvalidTimeStamp.Expired"
        with self._lock:
            if params.get("SignatureNonce") in self._nonces:
                return "SignatureNonceUsed"
            self._nonces.add(params.get("SignatureNonce"))
        if not hmac.compare_digest(given.encode(), expected_signature(method, params, self.secret).encode()):
            return "SignatureDoesNotMatch"
        return self._message_refusal(params)

    def _message_refusal(self, params):
        if params.get("Action") != "SendSms" or params.get("Version") != "2017-05-25":
            return "InvalidAction.NotFound"
        if params.get("SignName") != self.sign_name:
            return "isv.SMS_SIGNATURE_ILLEGAL"
        if params.get("TemplateCode") != self.template_code:
            return "isv.SMS_TEMPLATE_ILLEGAL"
        try:
            variables = json.loads(params.get("TemplateParam") or "{}")
        except ValueError:
            return "isv.INVALID_JSON_PARAM"
        if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
            return "isv.INVALID_JSON_PARAM"
        if not variables.get("item"):
            return "isv.TEMPLATE_MISSING_PARAMETERS"
        phone = params.get("PhoneNumbers", "")
        if not MOBILE.match(phone):
            return "isv.MOBILE_NUMBER_ILLEGAL"
        with self._lock:
            sent = sum(1 for m in self.messages if m["phone"] == phone)
            if self.per_number_limit is not None and sent >= self.per_number_limit:
                return "isv.BUSINESS_LIMIT_CONTROL"
            self.messages.append({"phone": phone, "sign": params["SignName"], "template": params["TemplateCode"],
                                  "params": variables, "out_id": params.get("OutId"),
                                  "text": f"【{params['SignName']}】" + TEMPLATE_TEXT.replace("${item}", variables["item"])})
        return None
