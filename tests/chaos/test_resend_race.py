"""A resend that races its first copy: the phone gave up waiting and sent the same batch again
while the server (two gunicorn workers) was still applying the first. The protocol answers a
resend `duplicate`, whichever copy commits first; this pins that down deterministically (the
chaos test only meets it by chance, when the proxy's duplicate overlaps the original).

Runs on the pass's database, like test_chaos_sync.py.
"""
import threading
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from tests.chaos.phones import Phone
from tests.chaos.server import PG_URL, Gunicorn, app_env, migrate_and_seed, pg_server_reachable, scratch_database

TRIALS = 12
SHI = "13900000101"


@pytest.fixture(scope="module")
def racing_phones():
    if PG_URL and not pg_server_reachable():
        pytest.skip(f"PostgreSQL at TEST_DATABASE_URL ({PG_URL}) does not answer")
    kind = "postgresql" if PG_URL else "sqlite"
    with scratch_database(kind, prefix="race") as url:
        env = app_env(url)
        shi = next(u for u in migrate_and_seed(env) if u["phone"] == SHI)
        server = Gunicorn(env, workers=2)
        try:
            server.start()
            first = Phone(0, "127.0.0.1", server.port, shi, mutations=0)
            first.login()
            second = Phone(1, "127.0.0.1", server.port, shi, mutations=0)  # the same phone's second attempt
            second.cookie, second.csrf = first.cookie, first.csrf
            yield kind, first, second
        finally:
            server.stop()


def _race(first, second, mutation):
    """Both copies at once; the pair of statuses and the error codes."""
    answers, start = [None, None], threading.Barrier(2, timeout=30)

    def send(k, phone):
        start.wait()
        status, body = phone.request("POST", "/api/sync", {"mutations": [mutation]})
        answers[k] = body["results"][0] if status == 200 else {"status": f"HTTP {status}", "error": body}

    threads = [threading.Thread(target=send, args=(k, p)) for k, p in enumerate((first, second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return tuple(sorted(a["status"] for a in answers)), [(a.get("error") or {}).get("code") for a in answers]


def _now():
    return datetime.now(timezone(timedelta(hours=8))).isoformat()


def test_a_visit_resent_while_the_first_copy_is_applied_is_a_duplicate(racing_phones):
    _, first, second = racing_phones
    home = first.call("GET", "/api/households?limit=1")["items"][0]
    outcomes = Counter()
    for i in range(TRIALS):
        data = {"household_id": home["id"], "visited_at": _now(), "mode": "door", "notes": f"并发重发 {i}",
                "needs": [], "hardship": "none"}
        pair, codes = _race(first, second, {"id": str(uuid.uuid4()), "type": "visit.create", "at": _now(),
                                            "data": data})
        outcomes[pair, tuple(codes)] += 1
    assert set(outcomes) == {(("applied", "duplicate"), (None, None))}, outcomes


def test_a_household_edit_resent_while_the_first_copy_is_applied_is_a_duplicate(racing_phones, request):
    kind, first, second = racing_phones
    if kind == "postgresql":
        request.applymarker(pytest.mark.xfail(strict=True, reason=(
            "app bug: on PostgreSQL the racing copy reads the old version, then its UPDATE ... WHERE version = v "
            "matches no row once the first commits (StaleDataError) and it answers conflict/version_conflict "
            "(without error.current) instead of duplicate; the edit itself is applied once")))
    home = first.call("GET", "/api/households?limit=1")["items"][0]
    outcomes, version = Counter(), home["version"]
    for i in range(TRIALS):
        data = {"household_id": home["id"], "version": version, "address": f"{home['address']}（并发重发 {i}）"}
        pair, codes = _race(first, second, {"id": str(uuid.uuid4()), "type": "household.update", "at": _now(),
                                            "data": data})
        outcomes[pair, tuple(sorted(c or "" for c in codes))] += 1
        version = first.call("GET", f"/api/households/{home['id']}")["version"]
    assert version == home["version"] + TRIALS, "an edit was applied twice or not at all"
    assert set(outcomes) == {(("applied", "duplicate"), ("", ""))}, outcomes
