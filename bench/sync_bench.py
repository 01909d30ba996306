"""Server time to apply 500 queued visits in one POST /api/sync (goal: ≤ 1 s on SQLite and
PostgreSQL), against the baseline of the same 500 visits sent one by one to POST /api/visits."""
import time
import uuid
from datetime import datetime, timedelta, timezone

from common import Client, bench_app, databases
from sqlalchemy import event

from app.extensions import db

N = 500


def visits(homes, n):
    start = datetime.now(timezone(timedelta(hours=8))) - timedelta(days=2)
    for i in range(n):
        yield {"id": str(uuid.uuid4()), "household_id": homes[i % len(homes)],
               "visited_at": (start + timedelta(minutes=i)).isoformat(), "mode": "door",
               "notes": f"第 {i} 次走访：家中情况平稳", "needs": ["urgent_needs"] if i % 7 == 0 else [],
               "hardship": "mild"}


def run(label, url, options):
    with bench_app(url, options) as app:
        client = Client(app, "13900000101")
        homes = [h["id"] for h in client.get("/api/households").get_json()["items"]]

        one_by_one = list(visits(homes, N))
        t0 = time.perf_counter()
        for body in one_by_one:
            assert client.post("/api/visits", body).status_code == 201
        single = time.perf_counter() - t0

        batch = [{"id": v.pop("id"), "type": "visit.create", "at": v["visited_at"], "data": v}
                 for v in visits(homes, N)]
        seen = []
        with app.app_context():
            engine = db.engine
        count = lambda *args: seen.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", count)
        t0 = time.perf_counter()
        res = client.post("/api/sync", {"mutations": batch})
        synced = time.perf_counter() - t0
        event.remove(engine, "before_cursor_execute", count)
        statuses = {r["status"] for r in res.get_json()["results"]}
        assert res.status_code == 200 and statuses == {"applied"}, statuses

        t0 = time.perf_counter()
        again = client.post("/api/sync", {"mutations": batch})
        resent = time.perf_counter() - t0
        assert {r["status"] for r in again.get_json()["results"]} == {"duplicate"}
    print(f"{label:<11} {N} visits: one POST /api/sync {synced:6.3f} s (goal ≤ 1 s) | "
          f"resent batch {resent:6.3f} s | baseline {N} single POSTs {single:6.3f} s | "
          f"sync/baseline {synced / single:4.2f} | statements in the sync {len(seen)}")


if __name__ == "__main__":
    for label, url, options, cleanup in databases():
        try:
            run(label, url, options)
        finally:
            cleanup()
