"""Periodic jobs for the embedded default (`make run`): a daemon thread in the server process.

Production runs the same jobs from cron or a worker (`flask escalate-overdue`), see docs/deploy.md.
"""
import logging
import threading
import time

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


def start(app):
    """Start the loop once per process when RUN_SCHEDULER is set."""
    if not app.config.get("RUN_SCHEDULER"):
        return None
    interval = app.config["OVERDUE_CHECK_MINUTES"] * 60

    def loop():
        while True:
            run_due_jobs(app)
            time.sleep(interval)

    thread = threading.Thread(target=loop, name="baolian-scheduler", daemon=True)
    thread.start()
    from app.notify.worker import ensure_dispatcher

    ensure_dispatcher(app)  # the server is starting: deliver what an earlier run left pending
    return thread
