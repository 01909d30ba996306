"""Flat in the size of the database: the issue's table of requests on the demo district alone,
then again after `flask --app wsgi seed-scale` has added a province beside it, through a real
server (gunicorn, 2 sync workers, on PostgreSQL: TEST_DATABASE_URL) in one run.

Each figure is the median of 20 requests (after 3 to warm up) made one at a time, in 4 passes
over the table; the ratio is the same request at scale over the demo alone (target ≤ 1.5×,
goal ≤ 1.2×). The scale member's and scale township officer's own requests are compared with
the demo member's and demo township officer's on the demo alone. A shared machine makes the
times noisy: read the ratios.

    BENCH_SCALE_HOUSEHOLDS=100000 .venv/bin/python bench/scale_bench.py   # default 10^6
"""
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import bench_app  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.org.demo import DEMO_PASSWORD  # noqa: E402
from app.policy.names import Role  # noqa: E402
from app.scale import scale_user  # noqa: E402
from tests.chaos.server import Gunicorn, pg_server_reachable  # noqa: E402

SAMPLES, WARM, ROUNDS = 20, 3, 4
SLOW_MS = 2000  # a request slower than this is sampled 4 times, not 20
TARGET, GOAL = 1.5, 1.2
DEMO = {"member": "13900000101", "township": "13900000010", "secretary": "13900000020", "admin": "13900000000"}
# (route, who): the table
TABLE = [("/api/households", "member"), ("/api/households", "township"), ("/api/cases", "member"),
         ("/api/cases", "secretary"), ("/api/cases", "township"), ("/api/reports/coverage", "township"),
         ("/api/reports/coverage", "admin"), ("/api/reports/cases", "township"), ("/api/reports/cases", "admin")]
# (route, scale person, the demo person whose demo-alone time they are compared with)
SCALE_ROWS = [("/api/households", "scale member", "member"), ("/api/cases", "scale member", "member"),
              ("/api/households", "scale township", "township"), ("/api/cases", "scale township", "township"),
              ("/api/reports/coverage", "scale township", "township"),
              ("/api/reports/cases", "scale township", "township")]


class Phone:
    """A logged-in HTTP client: the session cookie and the CSRF token, as the phone app holds them."""

    def __init__(self, base, phone):
        self.base = base
        with urllib.request.urlopen(base + "/api/auth/csrf") as res:
            token = json.load(res)["csrf_token"]
            cookie = "; ".join(h.split(";")[0] for h in res.headers.get_all("Set-Cookie") or [])
        body = json.dumps({"phone": phone, "password": DEMO_PASSWORD}).encode()
        req = urllib.request.Request(base + "/api/auth/login", data=body, method="POST", headers={
            "Content-Type": "application/json", "X-CSRF-Token": token, "Cookie": cookie})
        with urllib.request.urlopen(req) as res:
            cookies = [h.split(";")[0] for h in res.headers.get_all("Set-Cookie")]
        self.cookie = "; ".join(c for c in cookies if c.startswith("baolian_session="))

    def ms(self, path):
        req = urllib.request.Request(self.base + path, headers={"Cookie": self.cookie})
        t0 = time.perf_counter()
        with urllib.request.urlopen(req) as res:
            res.read()
            assert res.status == 200, (path, res.status)
        return (time.perf_counter() - t0) * 1000


def measure(base, phones, rows):
    """The median per request of SAMPLES, taken in ROUNDS passes over the table, so a burst of
    load from elsewhere on the machine spreads over every request instead of hitting one."""
    clients = {who: Phone(base, phone) for who, phone in phones.items()}
    samples = {}
    for path, who in rows:
        first = [clients[who].ms(path) for _ in range(WARM)][-1]
        samples[(path, who)] = ([], SAMPLES if first < SLOW_MS else ROUNDS)
    for _ in range(ROUNDS):
        for (path, who), (times, n) in samples.items():
            times.extend(clients[who].ms(path) for _ in range(n // ROUNDS))
    return {key: statistics.median(times) for key, (times, _) in samples.items()}


def seed_scale_cli(env, households):
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "seed-scale", "--households",
                          str(households)], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    print(res.stdout.rstrip(), flush=True)
    if res.returncode != 0:
        raise RuntimeError(res.stderr)
    return time.perf_counter() - t0


def verdict(ratio):
    return "goal met" if ratio <= GOAL else ("target met" if ratio <= TARGET else "over target")


def report(households, before, after):
    print(f"\n{'request':<26} {'who':<15} {'demo alone':>11} {f'+{households:,} hh':>13} {'ratio':>7}  "
          f"(target ≤ {TARGET}×, goal ≤ {GOAL}×)")
    for path, who in TABLE:
        a, b = before[(path, who)], after[(path, who)]
        print(f"GET {path:<22} {who:<15} {a:9.1f} ms {b:10.1f} ms {b / a:6.2f}×  {verdict(b / a)}")
    for path, who, twin in SCALE_ROWS:
        a, b = before[(path, twin)], after[(path, who)]
        print(f"GET {path:<22} {who:<15} {a:9.1f} ms {b:10.1f} ms {b / a:6.2f}×  {verdict(b / a)} "
              f"(vs demo {twin})")


def main():
    url = os.environ.get("TEST_DATABASE_URL")
    if not url or not pg_server_reachable(url):
        print("scale_bench: skipped (needs PostgreSQL: set TEST_DATABASE_URL to a server that answers)")
        return
    households = int(os.environ.get("BENCH_SCALE_HOUSEHOLDS", 1_000_000))
    url = url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    schema = f"bench_scale_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    options = {"connect_args": {"options": f"-csearch_path={schema}"}}
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "PORT", "FLASK_APP")}
    env.update(DATABASE_URL=f"{url}?{urllib.parse.urlencode({'options': f'-csearch_path={schema}'})}",
               BAOLIAN_ENV="development", SECRET_KEY="scale-bench", NOTIFY_DELIVERY="off",
               PYTHONPATH=str(ROOT))
    server = None
    try:
        with bench_app(url, options):  # migrated, the demo district seeded
            pass
        server = Gunicorn(env, workers=2).start()
        print(f"PostgreSQL, gunicorn -w 2 (sync workers); median of {SAMPLES} requests each", flush=True)
        before = measure(server.url, DEMO, TABLE)
        seconds = seed_scale_cli(env, households)
        print(f"seed-scale --households {households}: {seconds:.0f} s with the command's start-up", flush=True)
        app = create_app({"BAOLIAN_ENV": "testing", "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                          "SQLALCHEMY_ENGINE_OPTIONS": options})
        with app.app_context():
            scale = {"scale member": scale_user(Role.MEMBER).phone, "scale township": scale_user(Role.TOWNSHIP).phone}
            db.engine.dispose()
        server.restart()  # fresh workers: nothing cached from the small database
        after = measure(server.url, DEMO, TABLE)
        after.update(measure(server.url, scale, [(p, w) for p, w, _ in SCALE_ROWS]))
        report(households, before, after)
    except Exception:
        if server is not None:
            print(server.log_tail(), file=sys.stderr)
        raise
    finally:
        if server is not None:
            server.stop()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
