"""Helpers for the login-protection tests: a phone at an address of its own, a settable clock
for the limiter's memory storage, and a count of the password checks actually made."""
import threading
import time
from types import SimpleNamespace

import pytest

from app.org.models import User
from tests.conftest import ApiClient

WRONG = "wrong-password"


@pytest.fixture
def device(app):
    """device("203.0.113.7"): a browser of its own (its own cookies) at that address."""

    def _make(address="127.0.0.1", on=None):
        client = ApiClient(on or app)
        client.http.environ_base["REMOTE_ADDR"] = address
        return client

    return _make


class Checks:
    """How many passwords were checked; with hold(), each check waits until release()."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()
        self.gate = threading.Event()
        self.gate.set()

    def hold(self):
        self.gate.clear()

    def release(self):
        self.gate.set()


@pytest.fixture
def checks(monkeypatch):
    """Counts calls of User.check_password, the one place a password is compared."""
    counter = Checks()
    real = User.check_password

    def counted(user, password):
        with counter.lock:
            counter.count += 1
        counter.gate.wait(30)  # a deadline for liveness, never a timing assertion
        return real(user, password)

    monkeypatch.setattr(User, "check_password", counted)
    yield counter
    counter.release()


@pytest.fixture
def limit_clock(monkeypatch):
    """Moves the clock of the limiter's memory storage (and the throttle's) only when told."""
    import limits.storage.memory

    import app.auth.throttle

    state = SimpleNamespace(now=time.time())
    fake = SimpleNamespace(time=lambda: state.now)
    monkeypatch.setattr(limits.storage.memory, "time", fake)
    monkeypatch.setattr(app.auth.throttle, "time", fake)

    def advance(seconds):
        state.now += seconds

    return SimpleNamespace(advance=advance)
