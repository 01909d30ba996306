"""Keeping credentials out of the delivery log, the answers and the log records.

Outbound calls carry secrets in their URLs (WeCom's gettoken takes `corpsecret`, message/send
an `access_token`, both as query parameters), and requests' exceptions and urllib3's debug
lines quote that URL. So an exception becomes `safe_error` text (its kind, host and the OS's
reason, never its message); any text from a peer passes `redact` (query parameters named like
credentials, and every secret value the app holds); and a log filter does the same to the
records of urllib3 and of the notify loggers, whatever level they are captured at.

Every outbound session also refuses to follow redirects (`NoRedirects`): a peer that answers
3xx is misconfigured or hostile, and following it would call an address nobody checked.
"""
import logging
import re
from urllib.parse import urlsplit

import requests

SECRET_SETTINGS = ("SECRET_KEY", "WECOM_SECRET", "VAPID_PRIVATE_KEY", "SMS_ACCESS_KEY_SECRET")
MASK = "***"
_PARAM = re.compile(r"(?i)\b([\w.-]*(?:secret|token|passw(?:or)?d|key|auth|sig(?:nature)?|credential)[\w.-]*)"
                    r"(=|%3D)[^&\s'\"<>#]+")
_known = {}  # secret values seen (ordered, capped): config settings and issued tokens
_KNOWN_MAX = 64
WATCHED_LOGGERS = ("urllib3.connectionpool", "urllib3.connection", "urllib3.util.retry", "urllib3.poolmanager",
                   "urllib3.response", "requests", "app.notify.channels.webpush", "app.notify.channels.wecom",
                   "app.notify.channels.sms",
                   "app.notify.dispatcher", "app.notify.worker", "app.notify.push")


def remember(*values):
    """Redact these values from now on (a multi-line key also line by line)."""
    for value in values:
        if not isinstance(value, str) or len(value.strip()) < 8:
            continue
        pieces = [value.strip()] + [line.strip() for line in value.splitlines()
                                    if len(line.strip()) >= 16 and not line.startswith("-----")]
        for piece in pieces:
            _known.pop(piece, None)
            _known[piece] = True
    while len(_known) > _KNOWN_MAX:
        _known.pop(next(iter(_known)))


def remember_config(config):
    remember(*(config.get(name) for name in SECRET_SETTINGS))


def redact(text):
    """The text without any secret we know of or any credential-looking query parameter."""
    if not text:
        return text
    text = str(text)
    for value in sorted(_known, key=len, reverse=True):
        if value in text:
            text = text.replace(value, MASK)
    return _PARAM.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)


def safe_error(exc):
    """`Kind (host:port): Cause reason` for an exception, never its message (requests and
    urllib3 put the whole URL, query and all, into theirs)."""
    text = type(exc).__name__
    url = getattr(getattr(exc, "request", None), "url", None)
    if url:
        try:
            parts = urlsplit(url)
            text += f" ({parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)})"
        except ValueError:
            pass
    cause = _root_cause(exc)
    if cause is not exc:
        text += f": {type(cause).__name__}"
        if isinstance(cause, OSError) and isinstance(cause.strerror, str):
            text += f" {cause.strerror}"
    return text


def _root_cause(exc):
    """The innermost exception: an OS error with a reason if there is one, else the deepest."""
    seen, queue, last = set(), [exc], exc
    while queue and len(seen) < 16:
        current = queue.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        last = current
        if current is not exc and isinstance(current, OSError) and isinstance(current.strerror, str):
            return current
        queue += [a for a in getattr(current, "args", ()) if isinstance(a, BaseException)]
        queue += [e for e in (getattr(current, "reason", None), current.__cause__, current.__context__)
                  if isinstance(e, BaseException)]
    return last


class NoRedirects(requests.Session):
    """A session that never follows a redirect, whatever the caller asks for (pywebpush
    cannot be told). The 3xx comes back as the answer. Not max_redirects=0: requests then
    raises TooManyRedirects even with allow_redirects=False, and the answer is lost."""

    def request(self, method, url, *args, **kwargs):
        kwargs["allow_redirects"] = False
        return super().request(method, url, *args, **kwargs)


def is_redirect(response):
    return 300 <= response.status_code < 400


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (and its traceback) through `redact` before any handler."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logging's business, not ours
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = RedactingFilter()


def install_log_filter():
    """Idempotent; runs when the channel package is imported."""
    for name in WATCHED_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
