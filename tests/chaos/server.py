"""Real server processes for chaos and deployment tests: a database of their own (a temp
SQLite file, or a scratch database created on the PostgreSQL server TEST_DATABASE_URL names),
migrated and seeded through the CLI, and `gunicorn wsgi:app` in a process group of its own
so that SIGKILL takes the master and its workers at once, as a crashed host or container would.

Used by tests/chaos, tests/deploy and bench/chaos_bench.py; imports nothing from app/.
"""
import contextlib
import functools
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("TEST_DATABASE_URL")
# Settings a developer's shell may carry; a test server gets only what the test gives it.
APP_ENV_KEYS = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "PUSH_EXTRA_ORIGINS", "BAOLIAN_ENV", "NOTIFY_DELIVERY",
                "VAPID_PRIVATE_KEY", "VAPID_SUBJECT", "WECOM_CORP_ID", "WECOM_SECRET", "WECOM_AGENT_ID",
                "WECOM_API_BASE", "PUBLIC_URL", "PORT", "HOUSEHOLDS_PER_MEMBER", "OVERDUE_CHECK_MINUTES",
                "PROXY_COUNT", "BAOLIAN_SCHEDULER", "FLASK_APP", "FLASK_DEBUG")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reachable(host, port, timeout=1.0):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def sqlalchemy_url(url):
    """postgresql://... -> postgresql+psycopg://... (the app's driver)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def libpq_url(url):
    """postgresql+psycopg://... -> postgresql://... (psql, pg_dump, psycopg.connect)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _with_database(url, name):
    base, _, _ = url.rpartition("/")
    query = url.partition("?")[2]
    return f"{base}/{name}" + (f"?{query}" if query else "")


def pg_server_reachable(url=None):
    """Whether the PostgreSQL server in `url` (default TEST_DATABASE_URL) answers."""
    url = url or PG_URL
    if not url:
        return False
    import psycopg

    try:
        psycopg.connect(libpq_url(sqlalchemy_url(url)), connect_timeout=3).close()
        return True
    except psycopg.Error:
        return False


def pg_execute(sql, url=None):
    """Run one statement outside a transaction (CREATE/DROP DATABASE) on the server of `url`."""
    import psycopg

    with psycopg.connect(libpq_url(sqlalchemy_url(url or PG_URL)), autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


@contextlib.contextmanager
def scratch_pg_database(prefix="scratch"):
    """A new database on TEST_DATABASE_URL's server, dropped afterwards; yields its URL."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    pg_execute(f'CREATE DATABASE "{name}"')
    try:
        yield sqlalchemy_url(_with_database(PG_URL, name))
    finally:
        pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def scratch_database(kind, prefix="chaos"):
    """(kind, url): a fresh empty database, 'sqlite' (temp file) or 'postgresql' (scratch DB)."""
    if kind == "postgresql":
        with scratch_pg_database(prefix) as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix=f"baolian-{prefix}-") as tmp:
        yield f"sqlite:///{tmp}/{prefix}.sqlite3"


def app_env(database_url, **settings):
    """The environment of a production-shaped app process (BAOLIAN_ENV=production)."""
    env = {k: v for k, v in os.environ.items() if k not in APP_ENV_KEYS and not k.startswith("TEST_")}
    env.update(BAOLIAN_ENV="production", SECRET_KEY=secrets.token_hex(32), DATABASE_URL=database_url,
               NOTIFY_DELIVERY="off", PYTHONUNBUFFERED="1")
    env.update({k: str(v) for k, v in settings.items()})
    return env


def flask_cli(env, *args, timeout=180):
    """`flask --app wsgi <args>` in the repository with `env`; its stdout (fails loudly)."""
    res = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=timeout, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
    return res.stdout


def migrate_and_seed(env):
    """db upgrade, seed-demo; answers the demo logins (demo-users --json)."""
    flask_cli(env, "db", "upgrade")
    flask_cli(env, "seed-demo")
    return json.loads(flask_cli(env, "demo-users", "--json"))


def http_ok(url, timeout=2.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as res:
            return res.status == 200
    except (OSError, urllib.error.URLError):
        return False


class Gunicorn:
    """`gunicorn wsgi:app` on 127.0.0.1:port: start(), kill() (SIGKILL to the whole group),
    restart on the same port, stop(). Output goes to `log_path`."""

    def __init__(self, env, *, workers=2, port=None, log_path=None, extra_args=()):
        self.env, self.workers, self.extra_args = env, workers, list(extra_args)
        self.port = port or free_port()
        self.log_path = Path(log_path or tempfile.mkstemp(prefix="baolian-gunicorn-", suffix=".log")[1])
        self.proc = None
        self.starts = 0

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=60.0):
        cmd = [sys.executable, "-m", "gunicorn", "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}",
               "--timeout", "30", "--graceful-timeout", "5", *_no_control_socket(), *self.extra_args, "wsgi:app"]
        with open(self.log_path, "a") as log:
            log.write(f"\n==== start {self.starts} ====\n")
            log.flush()
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        self.starts += 1
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}")
            if http_ok(self.url + "/healthz", timeout=15):
                return self
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"gunicorn did not answer /healthz within {timeout} s:\n{self.log_tail()}")

    def kill(self):
        """SIGKILL the master and every worker: no shutdown code runs anywhere."""
        _signal_group(self.proc, signal.SIGKILL)

    def restart(self):
        self.kill()
        return self.start()

    def stop(self):
        """SIGTERM, then SIGKILL what is left; the log goes too (read log_tail() before)."""
        if self.proc is not None:
            _signal_group(self.proc, signal.SIGTERM, wait=10)
            _signal_group(self.proc, signal.SIGKILL)
        self.log_path.unlink(missing_ok=True)

    def log_tail(self, lines=40):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


@functools.cache
def _no_control_socket():
    """Recent gunicorn (27 here) opens a control socket at ~/.gunicorn/gunicorn.ctl, one path for
    every instance of the user; test servers do without it where the option exists."""
    help_text = subprocess.run([sys.executable, "-m", "gunicorn", "--help"], capture_output=True, text=True,
                               check=False).stdout
    return ["--no-control-socket"] if "--no-control-socket" in help_text else []


class Process:
    """Any long-running command (e.g. `flask notify-worker`) in a group of its own."""

    def __init__(self, env, args, log_path=None):
        self.log_path = Path(log_path or tempfile.mkstemp(prefix="baolian-proc-", suffix=".log")[1])
        with open(self.log_path, "a") as log:
            self.proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        _signal_group(self.proc, signal.SIGTERM, wait=10)
        _signal_group(self.proc, signal.SIGKILL)
        self.log_path.unlink(missing_ok=True)

    def log_tail(self, lines=40):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def _signal_group(proc, sig, wait=10):
    if proc is None or proc.poll() is not None:
        if proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)  # stray workers of a master that died alone
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=wait)
