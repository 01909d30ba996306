"""Push endpoints: one canonical spelling, checked against the services we may call.

A subscription names the URL the server will POST to, so it is checked as the address that
requests/urllib3 would really call: escapes of unreserved characters decoded and dot segments
resolved, as they do, before the prefix check (`/push/%2e%2e/admin` is `/admin`). Whatever
could be read two ways is refused outright: escapes of `/`, `\\` or `%` (servers decode them
differently), control characters, backslashes, userinfo, fragments, non-ASCII, a host or port
spelled oddly. The canonical form is what is stored and what is called, so what was checked
is what is called; the check runs at subscription and again before every send.
"""
import re
from urllib.parse import urlsplit

# Hosts of the browsers' push services (an endpoint must be https on one of them).
KNOWN_PUSH_HOSTS = ("fcm.googleapis.com", "android.googleapis.com", "updates.push.services.mozilla.com",
                    "push.services.mozilla.com", "web.push.apple.com")
KNOWN_PUSH_SUFFIXES = (".notify.windows.com", ".push.apple.com")

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_AUTHORITY = re.compile(rf"(?P<host>{_LABEL}(?:\.{_LABEL})*|\[[0-9a-f:.]+\])(?::(?P<port>[0-9]{{1,5}}))?")
_PATH = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*")
_QUERY = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/%?]*")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical(url):
    """The URL as it would be called (scheme and host lower case, no default port, path
    decoded and resolved), or None when it is not plainly an http(s) URL."""
    if not isinstance(url, str) or not url.isascii() or not url.isprintable() or any(c in url for c in " \\#"):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    match = _AUTHORITY.fullmatch(parts.netloc.lower())
    if scheme not in DEFAULT_PORTS or match is None:
        return None
    port = int(match["port"]) if match["port"] else DEFAULT_PORTS[scheme]
    path = _path(parts.path or "/")
    if not 0 < port < 65536 or path is None or not _QUERY.fullmatch(parts.query) or _BAD_ESCAPE.search(parts.query):
        return None
    netloc = match["host"] + ("" if port == DEFAULT_PORTS[scheme] else f":{port}")
    return f"{scheme}://{netloc}{path}" + (f"?{parts.query}" if parts.query else "")


def _path(path):
    if not path.startswith("/") or not _PATH.fullmatch(path) or _BAD_ESCAPE.search(path):
        return None
    try:
        decoded = _ESCAPE.sub(_unescape, path)
    except ValueError:
        return None
    return _resolve(decoded)


def _unescape(match):
    char = chr(int(match[1], 16))
    if char in _UNRESERVED:
        return char
    if char in "/\\%" or not char.isprintable() or not char.isascii():
        raise ValueError(f"escape %{match[1]} changes how the path reads")
    return "%" + match[1].upper()


def _resolve(path):
    """RFC 3986 5.2.4: remove dot segments."""
    kept = []
    segments = path.split("/")[1:]
    for segment in segments:
        if segment == "..":
            if kept:
                kept.pop()
        elif segment != ".":
            kept.append(segment)
    trailing = segments[-1] in (".", "..") and kept
    return "/" + "/".join(kept) + ("/" if trailing else "")


def target(config, endpoint):
    """The canonical endpoint if the server may call it, else None: https on a browser's push
    service, or under a prefix of PUSH_EXTRA_ORIGINS (same scheme, host and port, and a path
    below the prefix's), so a subscription cannot make the server call internal addresses."""
    url = canonical(endpoint)
    if url is None:
        return None
    parts = urlsplit(url)
    here = (parts.scheme, parts.hostname, parts.port or DEFAULT_PORTS[parts.scheme])
    for prefix in (p.strip() for p in (config.get("PUSH_EXTRA_ORIGINS") or "").split(",")):
        base = canonical(prefix) if prefix else None
        if base is None or "?" in base:
            continue
        allowed = urlsplit(base)
        if here == (allowed.scheme, allowed.hostname, allowed.port or DEFAULT_PORTS[allowed.scheme]) \
                and parts.path.startswith(allowed.path.rstrip("/") + "/"):
            return url
    host = here[1]
    if here[0] == "https" and here[2] == 443 and (host in KNOWN_PUSH_HOSTS or host.endswith(KNOWN_PUSH_SUFFIXES)):
        return url
    return None
