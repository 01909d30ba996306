"""What the session check costs per request: the member's household list (GET /api/households)
with today's check (one query: user, epoch and logged-out sessions together) against the check
it replaced (the user, then the logged-out sessions: two queries), alternated in one run.
Goal: the list's requests per second do not drop (issue: no more than 5 %)."""
import statistics
import time

from common import Client, bench_app, databases
from flask import session
from sqlalchemy import event

from app.auth.models import RevokedSession
from app.extensions import db, login_manager
from app.org.models import User

ROUNDS, PER_ROUND = 6, 200


def legacy_loader(user_id):
    """The check before session epochs: load the user, then look the session id up."""
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or db.session.get(RevokedSession, session.get("sid") or "") is not None:
        return None
    return user


def rate(client, n):
    t0 = time.perf_counter()
    for _ in range(n):
        assert client.get("/api/households").status_code == 200
    return n / (time.perf_counter() - t0)


def statements(app, client):
    count = [0]

    def tally(*_):
        count[0] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", tally)
    client.get("/api/households")
    event.remove(engine, "before_cursor_execute", tally)
    return count[0]


def run(label, url, options):
    with bench_app(url, options) as app:
        client = Client(app, "13900000101")
        current = login_manager._user_callback
        rates = {"now": [], "before": []}
        queries = {}
        for name, loader in (("now", current), ("before", legacy_loader)):
            login_manager._user_callback = loader
            queries[name] = statements(app, client)
        rate(client, 50)  # warm up
        for _ in range(ROUNDS):
            for name, loader in (("now", current), ("before", legacy_loader)):
                login_manager._user_callback = loader
                rates[name].append(rate(client, PER_ROUND))
        login_manager._user_callback = current
    now, before = statistics.median(rates["now"]), statistics.median(rates["before"])
    print(f"{label:<11} GET /api/households (member): session check now {now:7.0f} req/s, "
          f"{queries['now']} statements | before {before:7.0f} req/s, {queries['before']} statements | "
          f"now/before {now / before:4.2f} (goal ≥ 0.95)")


if __name__ == "__main__":
    for label, url, options, cleanup in databases():
        try:
            run(label, url, options)
        finally:
            cleanup()
