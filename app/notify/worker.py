"""Running the dispatcher: in-process after every commit (the embedded default), or as
`flask notify-worker` processes (production, any number of them)."""
import logging
import threading

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.common.time import utcnow
from app.extensions import db
from app.notify.dispatcher import deliver_due, next_due

log = logging.getLogger(__name__)
IDLE_SECONDS = 30


def run(app, *, wake=None, stop=None, idle=IDLE_SECONDS):
    """Deliver until `stop` is set: at start (what a crash left pending), when woken, when due."""
    wake = wake or threading.Event()
    stop = stop or threading.Event()
    while not stop.is_set():
        with app.app_context():
            try:
                while deliver_due():
                    pass
                due = next_due()
            except Exception:  # noqa: BLE001 - keep the worker alive; the rows stay pending
                db.session.rollback()
                log.exception("delivery pass failed")
                due = None
            finally:
                db.session.remove()
        timeout = idle if due is None else max(0.0, min(idle, (due - utcnow()).total_seconds()))
        wake.wait(timeout)
        wake.clear()


class InProcessDispatcher:
    """A daemon thread woken after each commit that wrote to the outbox."""

    def __init__(self, app):
        self.app, self.wake, self.stop = app, threading.Event(), threading.Event()
        self.thread = threading.Thread(target=run, args=(app,), kwargs={"wake": self.wake, "stop": self.stop},
                                       name="baolian-notify", daemon=True)

    def start(self):
        self.thread.start()
        return self


def _after_commit(session):
    if session.info.pop("notify_wake", False):
        from flask import current_app, has_app_context

        if has_app_context():
            dispatcher = current_app.extensions.get("baolian_dispatcher")
            if dispatcher is not None:
                dispatcher.wake.set()


def _after_rollback(session, _previous):
    session.info.pop("notify_wake", None)


_start_lock = threading.Lock()


def ensure_dispatcher(app):
    """Start the in-process dispatcher once per process (it first delivers what is pending)."""
    if app.config["NOTIFY_DELIVERY"] != "inprocess":
        return None
    with _start_lock:
        if "baolian_dispatcher" not in app.extensions:
            app.extensions["baolian_dispatcher"] = InProcessDispatcher(app).start()
    return app.extensions["baolian_dispatcher"]


def install(app):
    """Wake the dispatcher after commits; start it with the first request a server answers
    (CLI commands load the app too and must not start threads)."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
    if app.config["NOTIFY_DELIVERY"] == "inprocess":
        app.before_request(lambda: ensure_dispatcher(app) and None)
