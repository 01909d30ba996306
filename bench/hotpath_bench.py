"""The hot path against its floor, side by side in one run on PostgreSQL (TEST_DATABASE_URL):

  product   GET /api/households as the demo member, served by `make serve` (what `make run` serves)
  bare SQL  a bare Flask app on the same server setup answering the same member's households,
            with the same fields, from one psycopg query
  fixed     a bare route of that app answering fixed bytes

each loaded by wrk (50 connections, 10 s, in turn, twice) after a warm-up; prints requests/s, p50, p99, the
product's share of each floor (goal: ≥ 25 % of bare SQL, 50 % hoped for; p99 < 50 ms) and the
SQL statements one list request runs. Figures from a shared machine are noisy: read the ratios.

  python bench/hotpath_bench.py [--duration 10] [--rounds 2] [--connections 50] [--dev-server] [--before DIR]

--dev-server also loads the product and the bare app under `flask run` (Werkzeug's server), for
comparison with what `make serve` runs.
"""
import argparse
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEMBER_PHONE = "13900000101"  # 石水奇, the demo member
ACCEPT_ENCODING = "gzip, deflate, br"  # what Chromium sends
AGENT = "hotpath-bench"  # one browser: the login and wrk's requests look alike to the session check
BARE_SQL = """
SELECT h.id, h.household_no, h.head_name, h.address, h.people, h.phone, h.tags, h.hardship, h.version,
       u.id, u.kind, u.name, m.id, m.name, m.phone,
       lv.id, lv.visited_at, lv.mode, lv.hardship,
       (SELECT count(*) FROM cases c WHERE c.household_id = h.id
          AND c.status IN ('open', 'escalated', 'dispatched', 'in_progress')) AS open_cases,
       h.archived_at, h.archive_reason, h.archive_note, h.updated_at
FROM households h
JOIN org_units u ON u.id = h.org_unit_id
LEFT JOIN users m ON m.id = h.member_id
LEFT JOIN LATERAL (SELECT v.id, v.visited_at, v.mode, v.hardship FROM visits v WHERE v.household_id = h.id
                   ORDER BY v.visited_at DESC, v.id DESC LIMIT 1) lv ON true
WHERE h.member_id = %s AND h.archived_at IS NULL
ORDER BY h.id LIMIT 51
"""


# --- the bare app (imported by the server: `bench.hotpath_bench:bare_app()`) ----------------------


def bare_app():
    """Flask with nothing but a few pooled psycopg connections: the floor the product is held to."""
    import queue

    import psycopg
    from flask import Flask, Response

    app = Flask(__name__)
    dsn, member_id = os.environ["BARE_DSN"], int(os.environ["BARE_MEMBER_ID"])
    pool = queue.LifoQueue()  # kept connections, as SQLAlchemy's pool keeps the product's
    fixed = b'{"status":"ok"}'

    def when(value):
        return value.isoformat() if value is not None else None

    @app.get("/bare/fixed")
    def bare_fixed():
        return Response(fixed, mimetype="application/json")

    @app.get("/bare/households")
    def bare_households():
        try:
            conn = pool.get_nowait()
        except queue.Empty:
            conn = psycopg.connect(dsn, autocommit=True)
        try:
            rows = conn.execute(BARE_SQL, (member_id,)).fetchall()
        finally:
            pool.put(conn)
        items = [{
            "id": r[0], "household_no": r[1], "head_name": r[2], "address": r[3], "people": r[4], "phone": r[5],
            "tags": r[6] or [], "hardship": r[7], "version": r[8],
            "org_unit": {"id": r[9], "kind": r[10], "name": r[11]},
            "member": {"id": r[12], "name": r[13], "phone": r[14]} if r[12] is not None else None,
            "last_visit": {"id": str(r[15]), "visited_at": when(r[16]), "mode": r[17], "hardship": r[18]}
            if r[15] is not None else None,
            "open_cases": r[19], "archived_at": when(r[20]), "archive_reason": r[21], "archive_note": r[22],
            "updated_at": when(r[23]),
        } for r in rows[:50]]
        return Response(json.dumps({"items": items, "next": None}, ensure_ascii=False), mimetype="application/json")

    return app


# --- the run ----------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, proc, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"no answer from {url}")


def serve_command(port, wsgi_app, env):
    """What `make serve` runs (the serving part of `make run`), as make itself spells it."""
    out = subprocess.run(["make", "--no-print-directory", "-s", "-n", "serve", f"PORT={port}", f"WSGI_APP={wsgi_app}"],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    return out.replace(".venv/bin/", str(ROOT / ".venv/bin") + "/").strip()


class Server:
    """`make serve` (or `flask run`) with another WSGI app and port, in a process group of its own;
    `cwd`: another checkout of the project (the same virtualenv) for a before/after comparison."""

    def __init__(self, env, wsgi_app, *, dev_server=False, probe="/healthz", cwd=ROOT):
        self.port = free_port()
        if dev_server:
            cmd = [str(ROOT / ".venv/bin/flask"), "--app", wsgi_app, "run", "--host", "127.0.0.1",
                   "--port", str(self.port)]
        else:
            cmd = ["sh", "-c", serve_command(self.port, wsgi_app, env)]
        self.log = tempfile.NamedTemporaryFile("w+", prefix="hotpath-server-", suffix=".log")
        self.proc = subprocess.Popen(cmd, cwd=cwd, env={**env, "PYTHONPATH": str(cwd)}, stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            wait_for(self.url(probe), self.proc)
        except RuntimeError:
            self.stop()
            raise

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        """SIGTERM to the whole group (make, the master, its workers), SIGKILL after 15 s; back
        only when every process has gone, so none still holds the schema."""
        for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            end = time.monotonic() + grace
            try:
                os.killpg(self.proc.pid, sig)
                while time.monotonic() < end:
                    self.proc.poll()
                    os.killpg(self.proc.pid, 0)  # ProcessLookupError once the group is empty
                    time.sleep(0.1)
            except ProcessLookupError:
                break
        self.proc.wait()
        if self.proc.returncode not in (0, -signal.SIGTERM, -signal.SIGKILL):
            self.log.seek(0)
            print(self.log.read()[-3000:], file=sys.stderr)
        self.log.close()


def login_cookie(base):
    """The member's session cookie, after the same CSRF + login exchange the phone app makes."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", AGENT)]
    with opener.open(base + "/api/auth/csrf") as res:
        token = json.load(res)["csrf_token"]
    body = json.dumps({"phone": MEMBER_PHONE, "password": "baolian2026"}).encode()
    req = urllib.request.Request(base + "/api/auth/login", data=body, method="POST",
                                 headers={"Content-Type": "application/json", "X-CSRF-Token": token})
    with opener.open(req) as res:
        assert res.status == 200
    return "; ".join(f"{c.name}={c.value}" for c in jar if c.name == "baolian_session")


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def wrk(url, *, connections, duration, cookie=None):
    """(requests/s, p50 ms, p99 ms, non-2xx answers) of one wrk run."""
    # every target is asked as Chromium asks: the product then compresses, as it does for phones
    cmd = [shutil.which("wrk") or "/usr/bin/wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency",
           "-H", f"Accept-Encoding: {ACCEPT_ENCODING}"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}", "-H", f"User-Agent: {AGENT}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    pct = {p: float(v) * UNITS[u] for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)}
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rate, pct["50"], pct["99"], int(bad.group(1)) if bad else 0


def statements_per_request(url, options):
    """SQL statements of one GET /api/households as the member, counted with an engine event."""
    from common import Client  # noqa: PLC0415  (bench/ on the path only when run as a script)
    from sqlalchemy import event

    from app import create_app
    from app.extensions import db

    app = create_app({"BAOLIAN_ENV": "testing", "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "SQLALCHEMY_ENGINE_OPTIONS": options, "RATELIMIT_ENABLED": False})
    client = Client(app, MEMBER_PHONE)
    with app.app_context():
        engine = db.engine
    count = [0]

    def tally(*_):
        count[0] += 1

    client.get("/api/households")
    event.listen(engine, "before_cursor_execute", tally)
    assert client.get("/api/households").status_code == 200
    event.remove(engine, "before_cursor_execute", tally)
    with app.app_context():
        db.engine.dispose()
    return count[0]


def prepared_schema():
    """A private schema on TEST_DATABASE_URL, migrated and seeded with the demo district."""
    from common import bench_app  # noqa: PLC0415
    from sqlalchemy import create_engine, select, text

    from app.extensions import db
    from app.org.models import User

    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return None
    url = url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    options = {"connect_args": {"options": f"-csearch_path={schema}"}}

    def drop():
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    try:
        with bench_app(url, options) as app, app.app_context():
            member_id = db.session.scalar(select(User.id).where(User.phone == MEMBER_PHONE))
    except BaseException:
        drop()
        raise
    return url, schema, options, member_id, drop


def server_env(url, schema, member_id):
    query = urllib.parse.urlencode({"options": f"-csearch_path={schema}"})
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "PORT")}
    env.update({
        "DATABASE_URL": f"{url}?{query}", "BAOLIAN_ENV": "development", "SECRET_KEY": "hotpath-bench",
        "NOTIFY_DELIVERY": "off", "BARE_DSN": url.replace("postgresql+psycopg://", "postgresql://", 1) + f"?{query}",
        "BARE_MEMBER_ID": str(member_id), "PYTHONPATH": str(ROOT),
    })
    return env


def sets_cookie(url, cookie):
    """Whether a GET with an unchanged session still answers with a Set-Cookie."""
    req = urllib.request.Request(url, headers={"Cookie": cookie, "User-Agent": AGENT})
    with urllib.request.urlopen(req) as res:
        return res.headers.get("Set-Cookie") is not None


def measure(env, *, dev_server, connections, duration, rounds, before=None):
    """{name: (rate, p50, p99, non-2xx)} for the product and both floors: every server started
    first, then loaded one at a time in turn, `rounds` times; the median of each (a shared
    machine's load drifts, and alternating spreads the drift over all of them)."""
    servers, targets, results = [], {}, {}
    try:
        for name, cwd in (("product", ROOT), ("before", before)):
            if cwd is None:
                continue
            server = Server(env, "wsgi:app", dev_server=dev_server, cwd=cwd)
            servers.append(server)
            cookie = login_cookie(server.url(""))
            url = server.url("/api/households")
            results[f"{name} Set-Cookie"] = sets_cookie(url, cookie)
            targets[name] = (url, cookie)
        bare = Server(env, "bench.hotpath_bench:bare_app()", dev_server=dev_server, probe="/bare/fixed")
        servers.append(bare)
        targets["bare SQL"] = (bare.url("/bare/households"), None)
        targets["fixed"] = (bare.url("/bare/fixed"), None)
        runs = {name: [] for name in targets}
        for url, cookie in targets.values():
            wrk(url, connections=connections, duration=2, cookie=cookie)  # warm-up
        for _ in range(rounds):
            for name, (url, cookie) in targets.items():
                runs[name].append(wrk(url, connections=connections, duration=duration, cookie=cookie))
    finally:
        for server in servers:
            server.stop()
    for name, got in runs.items():
        results[name] = tuple(statistics.median(r[i] for r in got) for i in range(3)) + (sum(r[3] for r in got),)
    return results


def report(label, results):
    print(f"-- {label}")
    floor, fixed = results["bare SQL"][0], results["fixed"][0]
    for name in ("product", "before", "bare SQL", "fixed"):
        if name not in results:
            continue
        rate, p50, p99, bad = results[name]
        extra = f"  ({bad} non-2xx!)" if bad else ""
        cookie = results.get(f"{name} Set-Cookie")
        extra += "" if cookie is None else f"  Set-Cookie on an unchanged session: {'yes' if cookie else 'no'}"
        share = ""
        if name in ("product", "before"):
            share = f"  {rate / floor:6.1%} of bare SQL, {rate / fixed:6.1%} of fixed"
        print(f"   {name:<9} {rate:8.0f} req/s   p50 {p50:7.2f} ms   p99 {p99:7.2f} ms{share}{extra}")
    print("   goals: product ≥ 25 % of bare SQL (hoped 50 %), p99 < 50 ms; product/before = "
          + (f"{results['product'][0] / results['before'][0]:.2f}×" if "before" in results else "n/a"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of each wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each target, taken in turn")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--dev-server", action="store_true", help="also measure under `flask run`")
    parser.add_argument("--before", type=Path, help="another checkout (e.g. `git archive` of an earlier commit, "
                                                    "with .venv linked) whose product is loaded in the same run")
    args = parser.parse_args()
    if not shutil.which("wrk") and not Path("/usr/bin/wrk").exists():
        print("skipped: wrk is not installed (apt-get install -y wrk)")
        return
    prepared = prepared_schema()
    if prepared is None:
        print("skipped: set TEST_DATABASE_URL (PostgreSQL) for the hot-path benchmark")
        return
    url, schema, options, member_id, drop = prepared
    try:
        print(f"GET /api/households as the member: {statements_per_request(url, options)} SQL statements per request")
        env = server_env(url, schema, member_id)
        common = {"connections": args.connections, "duration": args.duration, "rounds": args.rounds,
                  "before": args.before}
        print(f"wrk -t2 -c{args.connections} -d{args.duration}s --latency, {args.rounds} rounds in turn, medians "
              "(after a 2 s warm-up); shared machine: absolute figures are noisy, compare the ratios")
        report("make serve (what `make run` serves)", measure(env, dev_server=False, **common))
        if args.dev_server:
            report("flask run (Werkzeug's server)", measure(env, dev_server=True, **common))
    finally:
        drop()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
