"""Periodic jobs for the embedded default (`make run`): a daemon thread in the server process
(in one of gunicorn's workers: a file lock in the instance folder picks it).

Production runs the same jobs from cron or a worker (`flask escalate-overdue`), see docs/deploy.md.
"""
import fcntl
import hashlib
import logging
import threading
import time
from pathlib import Path

from app.extensions import db

log = logging.getLogger(__name__)


def run_due_jobs(app):
    """One pass of every periodic job; answers what each did (None: it failed, and is tried next pass)."""
    from app.cases.overdue import escalate_overdue
    from app.tasks.reminders import remind_unvisited

    return {"overdue": _run(app, escalate_overdue, "overdue check failed"),
            "reminders": _run(app, remind_unvisited, "unvisited reminders failed")}


def _run(app, job, failure):
    """One job in its own transaction: one failing does not stop the other."""
    with app.app_context():
        try:
            done = job()
            db.session.commit()
        except Exception:  # noqa: BLE001 - a failed pass must not kill the loop
            db.session.rollback()
            log.exception(failure)
            return None
        finally:
            db.session.remove()
    return done


def _take(path):
    """The scheduler's lock, or None while another process holds it. `make run` serves with
    several gunicorn workers, each starting this loop; only the holder runs the jobs, and when
    it dies the lock goes with it and the next worker to try takes over. The lock is one host's
    (a file): several hosts on one database run the jobs from cron instead (docs/deploy.md)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a")  # noqa: SIM115 - kept open: holding it is holding the lock
    except OSError:
        log.exception("scheduler lock %s cannot be opened; trying again at the next pass", path)
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def start(app):
    """Start the loop once per process when RUN_SCHEDULER is set; one process at a time runs it."""
    if not app.config.get("RUN_SCHEDULER"):
        return None
    interval = app.config["OVERDUE_CHECK_MINUTES"] * 60
    database = hashlib.sha256(app.config["SQLALCHEMY_DATABASE_URI"].encode()).hexdigest()[:12]
    lock = Path(app.instance_path) / f"scheduler-{database}.lock"  # one per database this host serves

    def loop():
        held = None
        while True:
            held = held or _take(lock)
            if held:
                run_due_jobs(app)
            time.sleep(interval)

    thread = threading.Thread(target=loop, name="baolian-scheduler", daemon=True)
    thread.start()
    from app.notify.worker import ensure_dispatcher

    ensure_dispatcher(app)  # the server is starting: deliver what an earlier run left pending
    return thread
