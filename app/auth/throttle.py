"""The login throttle, on the `limits` library's storage (memory in one process, Redis across
many), its state kept per app in app.extensions: one app's settings or reset never reach another.

Every attempt takes its place before the password is checked, by an atomic increment, and gives
it back when it is not tried (or, for the ceilings, when it succeeds); never check-then-deduct,
so a burst of simultaneous logins can never try more passwords than the policy allows.

The policy (README "Login protection"); each setting is read from app.config at each login:
- per phone and address (per phone and device, for a device known to this user): after
  LOGIN_PAIR_ATTEMPTS wrong passwords a pause of LOGIN_PAIR_PAUSE seconds; after it, one try at
  a time, each wrong one doubling the pause up to LOGIN_PAIR_PAUSE_MAX. A right password clears
  it; unused, it is forgotten after LOGIN_PAIR_FORGET seconds.
- per phone, over all addresses: LOGIN_PHONE_CEILING wrong passwords (distributed guessing);
- per address, over all phones: LOGIN_ADDRESS_CEILING wrong passwords.
A known device skips both ceilings, so strangers filling them cannot lock its user out.
"""
import functools
import logging
import math
import time
from urllib.parse import quote

from flask import current_app
from limits import parse
from limits.errors import StorageError
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

try:
    from redis.exceptions import RedisError
except ImportError:  # memory storage only
    RedisError = StorageError

EXTENSION = "baolian_login_throttle"
def setting(name):
    """One of the LOGIN_* settings (defaults in app/config.py)."""
    return current_app.config[name]


def _part(value):
    """A key part that cannot spill into the next one, whatever a client sends as its phone."""
    return quote(str(value), safe="")


STORE_TIMEOUT_SECONDS = 2
log = logging.getLogger(__name__)
# What the counter store raises when it cannot be reached (Redis down, a timeout).
STORE_ERRORS = (StorageError, RedisError, ConnectionError, TimeoutError)


class Unavailable(Exception):
    """The counters cannot be read or written: no password is checked uncounted, so the login
    answers 503 until the store is back, rather than failing open to guessing."""


def counted(method):
    """The method, its store errors turned into Unavailable."""
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except STORE_ERRORS as exc:
            log.warning("login counter store unavailable: %s", type(exc).__name__)
            raise Unavailable(type(exc).__name__) from exc
    return wrapper


class Refused(Exception):
    """Not tried: wait retry_after seconds (whole, at least one)."""

    def __init__(self, retry_after):
        super().__init__(retry_after)
        self.retry_after = max(1, math.ceil(retry_after))


class LoginThrottle:
    """The extension object; init_app gives each app its own storage."""

    def init_app(self, app):
        app.extensions[EXTENSION] = Store(app.config)

    def store(self, app=None):
        return (app or current_app).extensions[EXTENSION]

    def reset(self, app=None):
        """Forget every count of this app (only its own keys, also on a shared Redis)."""
        self.store(app).storage.reset()

    @counted
    def take(self, *, phone, address, device=None):
        """A Ticket for one password check, or Refused. device: the id of a device that has
        logged in as this phone's user before (it skips the ceilings); None otherwise."""
        store = self.store()
        if not current_app.config.get("RATELIMIT_ENABLED", True):
            return Ticket(store, None, [])
        return store.take(phone, address, device)


class Store:
    def __init__(self, config):
        uri = config.get("RATELIMIT_STORAGE_URI") or "memory://"
        options = {}
        if uri.split(":", 1)[0].startswith(("redis", "valkey")):
            options["key_prefix"] = config.get("RATELIMIT_KEY_PREFIX") or "baolian"
            # a silent Redis must not hold every login: give up soon and answer 503
            options["socket_connect_timeout"] = options["socket_timeout"] = STORE_TIMEOUT_SECONDS
        self.storage = storage_from_string(uri, **options)
        self.window = FixedWindowRateLimiter(self.storage)

    def take(self, phone, address, device):
        who = f"device:{device}" if device else f"address:{address}"
        pair = Pair(self.storage, f"login-pair/{_part(phone)}/{_part(who)}")
        pair.take()
        held = []
        try:
            if device is None:
                for name, ident in (("LOGIN_PHONE_CEILING", f"phone:{phone}"),
                                    ("LOGIN_ADDRESS_CEILING", f"address:{address}")):
                    item = parse(setting(name))
                    self._hit(item, _part(ident))
                    held.append((item, _part(ident)))
        except Refused:
            pair.release()
            self.refund(held)
            raise
        except STORE_ERRORS:
            self._give_back(pair, held)
            raise
        return Ticket(self, pair, held)

    def _give_back(self, pair, held):
        """Best effort after a store error midway: a place left taken is forgotten anyway
        after LOGIN_PAIR_FORGET, so a second error here is not worth more than a log line."""
        try:
            pair.release()
            self.refund(held)
        except STORE_ERRORS:
            log.warning("login counter store: a taken place could not be given back")

    def _hit(self, item, ident):
        if self.window.hit(item, "login", ident):
            return
        self.refund([(item, ident)])  # not tried, so not counted
        raise Refused(self.window.get_window_stats(item, "login", ident).reset_time - time.time())

    def refund(self, held):
        for item, ident in held:
            self.storage.incr(item.key_for("login", ident), item.get_expiry(), amount=-1)


class Pair:
    """One phone at one address (or device): rounds of tries, a growing pause between them.

    Round 0 allows LOGIN_PAIR_ATTEMPTS tries, every later round one. Keys: round (the current
    round), used/<r> (tries taken in round r, in flight or done), failed/<r>, pause/<r> (the
    pause after round r; it is set before round advances, so whoever sees the new round also
    sees the pause)."""

    def __init__(self, storage, base):
        self.storage, self.base = storage, base
        self.round = self.allowance = None

    def _key(self, *parts):
        return "/".join((self.base, *map(str, parts)))

    def _pause(self, rnd):
        return min(setting("LOGIN_PAIR_PAUSE") * 2 ** rnd, setting("LOGIN_PAIR_PAUSE_MAX"))

    def take(self):
        rnd = self.storage.get(self._key("round"))
        if rnd and self.storage.get(self._key("pause", rnd - 1)):
            raise Refused(self.storage.get_expiry(self._key("pause", rnd - 1)) - time.time())
        allowance = setting("LOGIN_PAIR_ATTEMPTS") if rnd == 0 else 1
        forget = setting("LOGIN_PAIR_FORGET")
        if self.storage.incr(self._key("used", rnd), forget) > allowance:
            self.storage.incr(self._key("used", rnd), forget, amount=-1)  # not tried: give it back
            raise Refused(self._pause(rnd))  # the rest of this round is in flight
        self.round, self.allowance = rnd, allowance

    def release(self):
        self.storage.incr(self._key("used", self.round), setting("LOGIN_PAIR_FORGET"), amount=-1)

    def failed(self):
        forget = setting("LOGIN_PAIR_FORGET")
        if self.storage.incr(self._key("failed", self.round), forget) == self.allowance:
            pause = self._key("pause", self.round)
            self.storage.clear(pause)
            self.storage.incr(pause, self._pause(self.round))
            self.storage.incr(self._key("round"), forget)

    def clear(self):
        last = self.storage.get(self._key("round"))
        for rnd in range(last + 1):
            for name in ("used", "failed", "pause"):
                self.storage.clear(self._key(name, rnd))
        self.storage.clear(self._key("round"))


class Ticket:
    """One password check's place; say how it went exactly once: failed, succeeded or released."""

    def __init__(self, store, pair, held):
        self.store, self.pair, self.held = store, pair, held

    def _done(self):
        pair, self.pair = self.pair, None
        return pair

    @counted
    def failed(self):
        """A wrong password: it counts everywhere."""
        if pair := self._done():
            pair.failed()

    @counted
    def succeeded(self):
        """The right password: the pair starts again and the ceilings count failures only."""
        if pair := self._done():
            pair.clear()
            self.store.refund(self.held)

    @counted
    def release(self):
        """Not tried after all (an error before the answer): give everything back."""
        if pair := self._done():
            pair.release()
            self.store.refund(self.held)
