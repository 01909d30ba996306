"""企业微信 (WeCom) app messages: many township and village cadres read WeCom all day.

Uses the documented gettoken and message/send APIs; the access token is cached until just
before it expires, and an expired or invalid token (42001, 40014) is refreshed and the send
retried once. Both calls carry a credential in their query (corpsecret, access_token): errors
are told through safety.py, never by quoting the request, and a redirect is never followed."""
import logging
import threading
import time

import requests

from app.notify.channels.base import Channel, Outcome
from app.notify.channels.safety import is_redirect, redact, remember, safe_error

TOKEN_EXPIRED = (40014, 42001, 40001)
BUSY = (-1, 45009, 45033)
WRONG_CREDENTIALS = (40001, 40013)  # from gettoken: wrong secret, wrong corp id
log = logging.getLogger(__name__)
_tokens = {}
_lock = threading.Lock()


class WeComChannel(Channel):
    name = "wecom"

    def enabled(self, config):
        return all(config.get(k) for k in ("WECOM_CORP_ID", "WECOM_SECRET", "WECOM_AGENT_ID"))

    def targets(self, users):
        return {u.id: [u.wecom_id] for u in users if u.wecom_id}

    def send(self, *, config, target, payload, recipient):
        for attempt in (1, 2):
            try:
                token = access_token(config, refresh=attempt == 2)
                response = requests.post(f"{config['WECOM_API_BASE']}/cgi-bin/message/send",
                                         params={"access_token": token}, json=message(config, target, payload),
                                         timeout=config["WECOM_TIMEOUT"], allow_redirects=False)
            except Redirected as exc:
                return redirected(exc.status, "gettoken")
            except TokenError as exc:
                if exc.errcode in WRONG_CREDENTIALS:  # asking again would not help; say so once
                    log.error("WeCom refused the corp id or secret: %s", redact(exc))
                    return Outcome.failed(f"configuration error (WECOM_CORP_ID / WECOM_SECRET): {redact(exc)}"[:300])
                return Outcome.retry(f"{type(exc).__name__}: {redact(exc)}"[:300])
            except requests.RequestException as exc:
                return Outcome.retry(safe_error(exc))
            if is_redirect(response):
                return redirected(response.status_code, "message/send")
            if response.status_code >= 500:
                return Outcome.retry(f"HTTP {response.status_code}")
            body = _json(response)
            code = body.get("errcode", -1)
            if code == 0:
                if body.get("invaliduser"):
                    return Outcome.failed(f"invaliduser: {body['invaliduser']}")
                return Outcome.sent()
            if code in TOKEN_EXPIRED and attempt == 1:
                continue
            if code in BUSY:
                return Outcome.retry(f"{code}: {redact(body.get('errmsg', ''))}"[:300])
            return Outcome.failed(f"{code}: {redact(body.get('errmsg', ''))}"[:300])
        return Outcome.retry("token refused twice")


def redirected(status, call):
    """A redirect is not followed: WECOM_API_BASE names something that does not answer itself."""
    log.error("WeCom configuration error: %s answered %s, a redirect, not followed (WECOM_API_BASE?)", call, status)
    return Outcome.failed(f"{status}: redirect not followed (configuration error: WECOM_API_BASE)")


def message(config, target, payload):
    content = f"{payload['title']}\n{payload['body']}"
    if config.get("PUBLIC_URL"):
        content += f"\n{config['PUBLIC_URL'].rstrip('/')}/{app_path(payload)}"
    return {"touser": target, "msgtype": "text", "agentid": int(config["WECOM_AGENT_ID"]),
            "text": {"content": content}, "safe": 0}


def app_path(payload):
    """The phone app's own route for what the message is about (as the service worker opens)."""
    screen = {"task": "tasks", "case": "cases"}.get(payload.get("type"))
    return f"#/{screen}/{payload['id']}" if screen and payload.get("id") else "#/inbox"


class TokenError(Exception):
    def __init__(self, errcode, errmsg):
        super().__init__(f"{errcode}: {redact(errmsg)}"[:200])
        self.errcode = errcode


class Redirected(Exception):
    def __init__(self, status):
        super().__init__(f"HTTP {status}")
        self.status = status


def access_token(config, *, refresh=False):
    """The cached token, fetched again when missing, near expiry, or refused."""
    key = (config["WECOM_API_BASE"], config["WECOM_CORP_ID"], config["WECOM_SECRET"])
    with _lock:
        token, expires = _tokens.get(key, (None, 0))
        if refresh or token is None or time.monotonic() > expires - 300:
            response = requests.get(f"{config['WECOM_API_BASE']}/cgi-bin/gettoken",
                                    params={"corpid": config["WECOM_CORP_ID"], "corpsecret": config["WECOM_SECRET"]},
                                    timeout=config["WECOM_TIMEOUT"], allow_redirects=False)
            if is_redirect(response):
                raise Redirected(response.status_code)
            body = _json(response)
            if body.get("errcode") != 0 or not body.get("access_token"):
                raise TokenError(body.get("errcode"), body.get("errmsg", ""))
            token, expires = body["access_token"], time.monotonic() + int(body.get("expires_in", 7200))
            remember(token)
            _tokens[key] = (token, expires)
        return token


def _json(response):
    try:
        body = response.json()
    except ValueError:
        return {"errcode": -1, "errmsg": f"HTTP {response.status_code}, not JSON"}
    return body if isinstance(body, dict) else {"errcode": -1, "errmsg": "not an object"}
