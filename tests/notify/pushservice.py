"""A Web Push service on 127.0.0.1 that checks what a real one checks (RFC 8030, 8291, 8292).

For POST /push/<token> it verifies the VAPID Authorization header (`vapid t=<JWT>, k=<key>`:
ES256 over the JWT against k, aud = this origin, exp in the future and at most 24 h ahead,
sub mailto: or https:), the TTL and Content-Encoding headers, and decrypts the aes128gcm body
with the subscription's private key and auth secret. What it accepted is in `arrivals`; what
it refused, and why, in `refusals`. It can be told to answer 410, 429 + Retry-After ... or to
be down, and brought back up on the same port.
"""
import base64
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

MAX_EXP_AHEAD = 24 * 3600


def b64url(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Refused(Exception):
    def __init__(self, status, reason):
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass
class Arrival:
    token: str
    payload: dict
    headers: dict
    claims: dict
    at: float = field(default_factory=time.time)


def verify_vapid(header, origin, now=None):
    """The JWT claims if the header is a valid VAPID authorization for `origin`; else Refused."""
    now = now or time.time()
    if not header or not header.lower().startswith("vapid "):
        raise Refused(401, f"no vapid authorization: {header!r}")
    params = {}
    for part in header[6:].split(","):
        name, _, value = part.strip().partition("=")
        params[name.strip()] = value.strip()
    if not params.get("t") or not params.get("k"):
        raise Refused(401, f"vapid header lacks t or k: {header!r}")
    try:
        raw_key = unb64url(params["k"])
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw_key)
        head_b64, claims_b64, sig_b64 = params["t"].split(".")
        head, claims, sig = json.loads(unb64url(head_b64)), json.loads(unb64url(claims_b64)), unb64url(sig_b64)
    except ValueError as exc:
        raise Refused(401, f"malformed vapid token or key: {exc}") from exc
    if head.get("alg") != "ES256":
        raise Refused(401, f"alg is {head.get('alg')!r}, not ES256")
    if len(sig) != 64:
        raise Refused(401, f"ES256 signature must be r||s, 64 bytes, not {len(sig)}")
    signature = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    try:
        key.verify(signature, f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise Refused(403, "vapid signature does not verify against k") from exc
    if claims.get("aud") != origin:
        raise Refused(403, f"aud {claims.get('aud')!r} is not {origin!r}")
    exp = claims.get("exp")
    if not isinstance(exp, int) or exp <= now or exp > now + MAX_EXP_AHEAD:
        raise Refused(403, f"exp {exp!r} is not within the next 24 h")
    sub = claims.get("sub", "")
    if not (isinstance(sub, str) and (sub.startswith("mailto:") or sub.startswith("https:"))):
        raise Refused(403, f"sub {sub!r} is neither mailto: nor https:")
    claims["k"] = params["k"]
    return claims


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def do_POST(self):  # noqa: N802 - http.server's name
        service = self.server.service
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, extra = service.handle(self.path, dict(self.headers.items()), body)
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()


class PushService:
    """start() / stop() / restart(); subscribe() for a browser's subscription; answer(...)."""

    def __init__(self):
        self.arrivals, self.refusals, self.attempts = [], [], []
        self.keys = {}  # token -> (private key, auth secret)
        self.port = 0
        self.delay = 0.0  # seconds to hold each request (to make concurrent workers overlap)
        self._answers = []  # (status, headers) to give before 201, one per request
        self._lock = threading.Lock()
        self.arrived = threading.Condition(self._lock)  # notified on every arrival
        self._server = self._thread = None

    # -- running ---------------------------------------------------------------------------
    @property
    def origin(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
        self._server.daemon_threads = True
        self._server.service = self
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, name="push-service", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Down: connections to the port are refused until restart()."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = self._thread = None

    def restart(self):
        self.stop()
        return self.start()  # same port: HTTPServer sets SO_REUSEADDR

    # -- subscriptions and answers ---------------------------------------------------------
    def subscribe(self):
        """A browser's PushSubscription.toJSON() for a new key pair and auth secret."""
        token = secrets.token_urlsafe(16)
        private = ec.generate_private_key(ec.SECP256R1())
        auth = secrets.token_bytes(16)
        self.keys[token] = (private, auth)
        public = private.public_key().public_bytes(serialization.Encoding.X962,
                                                   serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": f"{self.origin}/push/{token}", "expirationTime": None,
                "keys": {"p256dh": b64url(public), "auth": b64url(auth)}}

    def answer(self, status, times=1, **headers):
        """Answer the next `times` valid requests with `status` (and headers) instead of 201."""
        with self._lock:
            self._answers.extend([(status, headers)] * times)

    def arrivals_for(self, endpoint):
        token = endpoint.rsplit("/", 1)[1]
        return [a for a in self.arrivals if a.token == token]

    def count_by(self, key="nid"):
        counts = {}
        for a in self.arrivals:
            counts[a.payload.get(key)] = counts.get(a.payload.get(key), 0) + 1
        return counts

    # -- one request -----------------------------------------------------------------------
    def handle(self, path, headers, body):
        headers = {k.lower(): v for k, v in headers.items()}
        if self.delay:
            time.sleep(self.delay)
        self.attempts.append((path, time.time()))
        try:
            return self._accept(path, headers, body)
        except Refused as exc:
            self.refusals.append((path, exc.status, exc.reason))
            return exc.status, {}

    def _accept(self, path, headers, body):
        if not path.startswith("/push/") or path[6:] not in self.keys:
            raise Refused(404, f"no subscription at {path}")
        token = path[6:]
        claims = verify_vapid(headers.get("authorization"), self.origin)
        try:
            ttl = int(headers.get("ttl", ""))
        except ValueError:
            raise Refused(400, f"TTL {headers.get('ttl')!r} is not a number") from None
        if ttl <= 0:
            raise Refused(400, f"TTL must be > 0 here, not {ttl}")
        if headers.get("content-encoding") != "aes128gcm":
            raise Refused(415, f"Content-Encoding {headers.get('content-encoding')!r}, not aes128gcm")
        urgency, topic = headers.get("urgency"), headers.get("topic")
        if urgency is not None and urgency not in ("very-low", "low", "normal", "high"):
            raise Refused(400, f"Urgency {urgency!r}")
        if topic is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", topic):
            raise Refused(400, f"Topic {topic!r}: at most 32 base64url characters")
        if len(body) > 4096:
            raise Refused(413, f"body of {len(body)} bytes")
        with self._lock:
            status, extra = self._answers.pop(0) if self._answers else (201, {})
        if status != 201:
            return status, {k.replace("_", "-"): str(v) for k, v in extra.items()}
        private, auth = self.keys[token]
        try:
            plain = http_ece.decrypt(body, private_key=private, auth_secret=auth, version="aes128gcm")
            payload = json.loads(plain.decode("utf-8"))
        except Exception as exc:  # noqa: BLE001 - any failure here is the sender's fault
            raise Refused(400, f"cannot decrypt: {type(exc).__name__}: {exc}") from exc
        kept = {name: headers.get(name.lower()) for name in ("TTL", "Urgency", "Topic", "Content-Encoding")}
        with self._lock:
            self.arrivals.append(Arrival(token=token, payload=payload, headers=kept, claims=claims))
            self.arrived.notify_all()
        return 201, {"Location": f"{self.origin}/message/{secrets.token_hex(8)}"}
