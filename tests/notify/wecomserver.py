"""A local 企业微信 (WeCom) server with the two documented APIs the WeCom channel uses.

GET  /cgi-bin/gettoken?corpid=ID&corpsecret=SECRET
     -> {"errcode": 0, "errmsg": "ok", "access_token": "...", "expires_in": 7200}
     wrong corpid -> 40013 invalid corpid; wrong secret -> 40001 invalid credential
POST /cgi-bin/message/send?access_token=TOKEN   (JSON: touser, msgtype, agentid, text.content ...)
     -> {"errcode": 0, "errmsg": "ok", "invaliduser": "", ..., "msgid": "..."}
     no token 41001; unknown token 40014; a token expired here 42001; wrong agentid 40056;
     unknown msgtype 40008; empty content 44004; nobody valid 81013
Every answer is HTTP 200 with errcode/errmsg, as WeCom does. Configure the app with
WECOM_API_BASE = server.base.
"""
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from tests.notify.localserver import LocalServer

ERRORS = {
    40001: "invalid credential, access_token is invalid or not latest",
    40008: "invalid message type",
    40013: "invalid corpid",
    40014: "invalid access_token",
    40056: "invalid agentid",
    41001: "access_token missing",
    42001: "access_token expired",
    44004: "empty content",
    81013: "user & party & tag all invalid",
}


def error(code):
    return {"errcode": code, "errmsg": ERRORS[code]}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _answer(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802
        url = urlsplit(self.path)
        if url.path != "/cgi-bin/gettoken":
            return self._answer({"errcode": 404, "errmsg": "not found"})
        self._answer(self.server.peer.gettoken(parse_qs(url.query)))

    def do_POST(self):  # noqa: N802
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if url.path != "/cgi-bin/message/send":
            return self._answer({"errcode": 404, "errmsg": "not found"})
        self._answer(self.server.peer.send(parse_qs(url.query), raw))


class WeComServer(LocalServer):
    handler = _Handler
    name = "wecom"

    def __init__(self, corp_id="ww-test-corp", secret="test-secret", agent_id=1000002, users=("shishuiqi",)):
        self.corp_id, self.secret, self.agent_id = corp_id, secret, agent_id
        self.users = set(users)
        self.tokens = {}  # token -> valid (False once expired here)
        self.messages = []  # accepted message/send bodies
        self.calls = []  # ("gettoken" | "send", errcode)
        self._lock = threading.Lock()

    def expire_tokens(self):
        """Every token issued so far is now expired (the next send with one gets 42001)."""
        with self._lock:
            self.tokens = dict.fromkeys(self.tokens, False)

    def count(self, name, errcode=None):
        return sum(1 for n, code in self.calls if n == name and (errcode is None or code == errcode))

    def _log(self, name, body):
        with self._lock:
            self.calls.append((name, body["errcode"]))
        return body

    def gettoken(self, query):
        if query.get("corpid", [""])[0] != self.corp_id:
            return self._log("gettoken", error(40013))
        if query.get("corpsecret", [""])[0] != self.secret:
            return self._log("gettoken", error(40001))
        token = secrets.token_urlsafe(48)
        with self._lock:
            self.tokens[token] = True
        return self._log("gettoken", {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})

    def send(self, query, raw):
        token = query.get("access_token", [""])[0]
        if not token:
            return self._log("send", error(41001))
        if token not in self.tokens:
            return self._log("send", error(40014))
        if not self.tokens[token]:
            return self._log("send", error(42001))
        try:
            msg = json.loads(raw.decode("utf-8"))
        except ValueError:
            return self._log("send", {"errcode": 47001, "errmsg": "data format error"})
        if msg.get("agentid") != self.agent_id:
            return self._log("send", error(40056))
        if msg.get("msgtype") != "text":
            return self._log("send", error(40008))
        if not (msg.get("text") or {}).get("content"):
            return self._log("send", error(44004))
        wanted = [u for u in str(msg.get("touser", "")).split("|") if u]
        invalid = [u for u in wanted if u not in self.users and u != "@all"]
        if wanted and len(invalid) == len(wanted):
            return self._log("send", {**error(81013), "invaliduser": "|".join(invalid)})
        with self._lock:
            self.messages.append(msg)
        return self._log("send", {"errcode": 0, "errmsg": "ok", "invaliduser": "|".join(invalid),
                                  "invalidparty": "", "invalidtag": "", "unlicenseduser": "",
                                  "msgid": secrets.token_hex(12), "response_code": ""})
