"""A simulated phone: logs in as a demo member, records visits (and at most one profile edit per
household it covers) into an outbox, and sends the outbox through POST /api/sync the way
pwa/js/sync.js does: a record leaves the outbox only on an answer (applied, duplicate,
conflict, rejected); a network failure, a 5xx or a 401 leaves it there to be sent again.

Plain http.client, one connection per request; the session cookie is kept by hand (production
cookies are Secure, and these requests are plain http on loopback).
"""
import http.client
import json
import random
import time
import uuid
from collections import Counter, deque
from datetime import datetime, timedelta, timezone

PASSWORD = "baolian2026"
# pwa/js/sync.js backs off 5 s * 2^(failures-1), at most 5 min, jittered x0.75..1.25; here the
# same curve 50 times faster (and capped lower), so a test spans many rounds in seconds.
BASE_DELAY, MAX_DELAY = 0.1, 2.0
CALL_DEADLINE = 120.0  # seconds, for a call made without a deadline of its own
MAX_500 = 20  # a 500 is a bug, not an outage: after this many in a row the phone gives up
CST = timezone(timedelta(hours=8))
COOKIE = "baolian_session"


class Unanswered(Exception):
    """No HTTP answer: refused, reset, closed without a response, timed out."""


class Phone:
    def __init__(self, index, host, port, user, *, mutations, edits=0, max_batch=20, seed=None,
                 request_timeout=30.0):
        self.index, self.host, self.port, self.user = index, host, port, user
        self.n_mutations, self.n_edits, self.max_batch = mutations, edits, max_batch
        self.rng = random.Random(seed)
        self.request_timeout = request_timeout
        self.cookie = self.csrf = None
        self.households = []
        self.outbox = []  # mutations not yet answered, oldest first
        self.sent = {}  # id -> mutation, everything this phone made
        self.answers = {}  # id -> the answer that took it out of the outbox
        self.sends = Counter()  # id -> how many times it went out
        self.stats = Counter()
        self.error = None
        self.failures = 0  # rounds in a row without an answer, as in pwa/js/sync.js
        self.errors_500 = 0
        self.abort = None  # an Event that stops this phone early (the server cannot be brought back)
        self.trace = deque(maxlen=12)  # the last requests, for a failure's message

    # -- HTTP -----------------------------------------------------------------------------------
    def request(self, method, path, body=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.request_timeout)
        headers = {"Accept": "application/json"}
        if self.cookie:
            headers["Cookie"] = f"{COOKIE}={self.cookie}"
        if self.csrf and method != "GET":
            headers["X-CSRF-Token"] = self.csrf
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.stats["requests"] += 1
        try:
            conn.request(method, path, body=data, headers=headers)
            res = conn.getresponse()
            raw = res.read()
        except (OSError, http.client.HTTPException) as exc:
            self.stats["unanswered"] += 1
            self.trace.append((method, path, type(exc).__name__, _tail(self.cookie), _tail(self.csrf)))
            raise Unanswered(repr(exc)) from exc
        finally:
            conn.close()
        renewed = False
        for value in res.headers.get_all("Set-Cookie") or ():
            name, _, rest = value.partition("=")
            if name.strip() == COOKIE:
                self.cookie, renewed = rest.split(";", 1)[0], True
        self.trace.append((method, path, res.status, "cookie renewed" if renewed else "",
                           _tail(self.cookie), _tail(self.csrf), raw[:80] if res.status >= 500 else b""))
        if res.status >= 500:
            self.stats[f"http_{res.status}"] += 1
        self.errors_500 = self.errors_500 + 1 if res.status == 500 else 0
        if self.errors_500 >= MAX_500:
            raise AssertionError(f"phone {self.index}: {method} {path} answered 500 {MAX_500} times in a row "
                                 f"(see the server log); last requests {list(self.trace)}")
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = None
        return res.status, payload

    def _expired(self, deadline):
        return bool(deadline and time.monotonic() > deadline) or bool(self.abort and self.abort.is_set())

    def _backoff(self):
        self.failures += 1
        time.sleep(min(MAX_DELAY, BASE_DELAY * 2 ** (self.failures - 1)) * (0.75 + self.rng.random() / 2))

    def call(self, method, path, body=None, deadline=None, ok=(200, 201)):
        """Repeat until an answer that is not 5xx (or the deadline); 401 logs in again."""
        deadline = deadline or time.monotonic() + CALL_DEADLINE
        for _ in range(100_000):  # bounded by the deadline long before this
            if self._expired(deadline):
                raise TimeoutError(f"phone {self.index}: {method} {path} unanswered at the deadline")
            try:
                status, payload = self.request(method, path, body)
            except Unanswered:
                self._backoff()
                continue
            if status >= 500:
                self._backoff()
                continue
            if status == 401 and path != "/api/auth/login":
                self.stats["relogins"] += 1
                self.login(deadline)
                continue
            if self._csrf_refreshed(status, payload, deadline):
                continue
            if status not in ok:
                raise AssertionError(f"phone {self.index}: {method} {path} answered {status}: {payload}; "
                                     f"last requests {list(self.trace)}")
            self.failures = 0
            return payload
        raise AssertionError("unreachable")

    def _csrf_refreshed(self, status, payload, deadline):
        """pwa/js/api.js: a 400 csrf_failed fetches the session's token and tries again."""
        if status != 400 or ((payload or {}).get("error") or {}).get("code") != "csrf_failed":
            return False
        self.stats["csrf_refreshes"] += 1
        if self.stats["csrf_refreshes"] > 100:
            raise AssertionError(f"phone {self.index}: csrf_failed again and again: {list(self.trace)}")
        self.csrf = self.call("GET", "/api/auth/csrf", deadline=deadline)["csrf_token"]
        return True

    def login(self, deadline=None):
        self.cookie = self.csrf = None
        self.csrf = self.call("GET", "/api/auth/csrf", deadline=deadline)["csrf_token"]
        me = self.call("POST", "/api/auth/login", {"phone": self.user["phone"], "password": PASSWORD},
                       deadline=deadline)
        self.csrf = me["csrf_token"]

    # -- the outbox -----------------------------------------------------------------------------
    def _make(self, made):
        now = datetime.now(CST)
        mid = str(uuid.uuid4())
        if made < self.n_edits:  # one profile edit per household, on the version it last saw
            home = self.households[made]
            data = {"household_id": home["id"], "version": home["version"],
                    "address": f"{home['address']}（核实 {mid[:8]}）"[:200]}
            mutation = {"id": mid, "type": "household.update", "at": now.isoformat(), "data": data}
        else:
            home = self.rng.choice(self.households)
            visited = now - timedelta(minutes=self.rng.randint(1, 600))
            data = {"household_id": home["id"], "visited_at": visited.isoformat(),
                    "mode": self.rng.choice(("door", "phone", "other")),
                    "notes": f"第{self.index}号手机 第{made}条 {mid[:8]}", "hardship": "mild",
                    "needs": self.rng.sample(["urgent_needs", "industry", "environment"], self.rng.randint(0, 2))}
            mutation = {"id": mid, "type": "visit.create", "at": visited.isoformat(), "data": data}
        self.sent[mid] = mutation
        return mutation

    def run(self, deadline):
        """Record and send until everything is answered; never raises (see .error)."""
        try:
            self.login(deadline)
            page = self.call("GET", "/api/households?limit=200", deadline=deadline)
            self.households = page["items"]
            if not self.households:
                raise AssertionError(f"phone {self.index} ({self.user['phone']}) covers no household")
            self.n_edits = min(self.n_edits, len(self.households), self.n_mutations)
            made = 0
            while made < self.n_mutations or self.outbox:
                if self._expired(deadline):
                    raise TimeoutError(f"phone {self.index}: {len(self.outbox)} records still queued at the deadline")
                for _ in range(min(self.rng.randint(1, 4), self.n_mutations - made)):
                    self.outbox.append(self._make(made))
                    made += 1
                self._flush(self.outbox[:self.rng.randint(1, self.max_batch)], deadline)
        except Exception as exc:  # noqa: BLE001 - the test reports it
            self.error = exc

    def _flush(self, batch, deadline):
        for m in batch:
            self.sends[m["id"]] += 1
        try:
            status, payload = self.request("POST", "/api/sync", {"mutations": batch})
        except Unanswered:
            self._backoff()
            return
        if status == 401:
            self.stats["relogins"] += 1
            self.login(deadline)
            return
        if status >= 500:
            self._backoff()
            return
        if self._csrf_refreshed(status, payload, deadline):
            return
        if status != 200:
            raise AssertionError(f"phone {self.index}: POST /api/sync answered {status}: {payload}; "
                                 f"last requests {list(self.trace)}")
        self.failures = 0
        results = payload["results"]
        if [r["id"] for r in results] != [m["id"] for m in batch]:
            raise AssertionError(f"phone {self.index}: results out of order or missing: {results}")
        for r in results:
            self.answers[r["id"]] = r
            self.stats[r["status"]] += 1
        answered = {r["id"] for r in results}
        self.outbox = [m for m in self.outbox if m["id"] not in answered]
        for m in batch:  # an edit is based on the version it saw: take the new one
            r = self.answers[m["id"]]
            if m["type"] == "household.update" and r["record"]:
                for home in self.households:
                    if home["id"] == r["record"]["id"]:
                        home["version"] = r["record"]["version"]

    @property
    def acked(self):
        return len(self.answers)

    def resends(self):
        return sum(n - 1 for n in self.sends.values())


def _tail(secret):
    return secret[-6:] if secret else None
