"""Delivering the outbox: claim due rows, send through their channel, record the outcome.

Any number of workers may run this at once on PostgreSQL: rows are claimed with
FOR UPDATE SKIP LOCKED and kept locked until their outcome is committed, so no row is sent
by two workers. A crash before commit leaves the row pending for the next pass.

Nothing is written while sending. On SQLite (one process, one dispatcher) the read
transaction of the claim is ended before the outcomes are written, so that write waits its
turn (busy_timeout) instead of failing on a snapshot another connection has moved past;
either way a write lock is never held across a network call.
"""
import logging
import traceback
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from app.common.time import utcnow
from app.extensions import db
from app.notify.channels import Outcome, registry
from app.notify.channels.safety import redact, remember_config, safe_error
from app.notify.models import Delivery, Notification

log = logging.getLogger(__name__)

BACKOFF_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
MAX_ATTEMPTS = 8
BODY_LIMIT = 200  # keeps the push payload well under 2 KB
# Rows a pass claims (and keeps locked while it sends them): small, so a burst is shared among
# workers, one slow push service holds few rows, and a crash mid-pass re-sends few.
BATCH = 10


def payload(notification):
    """Small on purpose: the app fetches details itself."""
    return {"type": notification.ref_type, "id": notification.ref_id, "title": notification.title,
            "body": notification.body[:BODY_LIMIT], "kind": notification.kind, "nid": notification.id}


def claim_due(now, limit):
    stmt = (select(Delivery).where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
            .order_by(Delivery.next_attempt_at, Delivery.id).limit(limit))
    if _locks_rows():
        stmt = stmt.with_for_update(skip_locked=True)
    return db.session.scalars(stmt).all()


def deliver_due(*, now=None, limit=BATCH):
    """One pass over what is due; answers how many ended in each outcome. The pass runs in
    transactions of its own (what the session held before is committed first)."""
    now = now or utcnow()
    db.session.commit()
    rows = claim_due(now, limit)
    if not rows:
        db.session.commit()
        return {}
    notes = {n.id: n for n in db.session.scalars(
        select(Notification).where(Notification.id.in_({r.notification_id for r in rows})))}
    channels, config = registry(), current_app.config
    remember_config(config)  # from here on, these values are masked wherever they would show
    results = []
    with db.session.no_autoflush:
        for row in rows:
            outcome = _send(channels.get(row.channel), config, row, notes[row.notification_id])
            results.append((row.id, row.attempts, outcome))
    if not _locks_rows():
        db.session.rollback()  # end the claim's snapshot: nothing was written, nothing is lost
    counts = {}
    for row_id, attempts, outcome in results:
        db.session.execute(update(Delivery).where(Delivery.id == row_id)
                           .values(**record(attempts, outcome, now)).execution_options(synchronize_session=False))
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    db.session.commit()
    settle(channels.values(), now)
    return counts


def _locks_rows():
    return db.session.get_bind().dialect.name == "postgresql"


def settle(channels, now):
    """The channels' bookkeeping, after the outcomes are safe; a failure here costs nothing
    that the next pass will not redo."""
    try:
        for channel in channels:
            channel.settle(now)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("settling after a delivery pass failed")


def _send(channel, config, row, notification):
    """The channel's outcome, its reason redacted: the delivery log is read by people."""
    if channel is None or not channel.enabled(config):
        return Outcome.failed("channel not configured")
    try:
        outcome = channel.send(config=config, target=row.target, payload=payload(notification),
                               recipient=notification.user_id)
    except SQLAlchemyError:
        raise  # the pass's transaction is lost: end it, the rows stay pending
    except Exception as exc:  # noqa: BLE001 - one bad send must not stop the others
        # where it broke, but not the message: an exception may quote a URL and its credentials
        log.error("channel %s raised %s\n%s", row.channel, safe_error(exc),
                  "".join(traceback.format_tb(exc.__traceback__)))
        return Outcome.retry(safe_error(exc))
    return Outcome(outcome.status, redact(outcome.reason)[:500], outcome.retry_after)


def record(attempts, outcome, now):
    """The row's new values for this outcome: the log entry, and the next attempt."""
    attempts += 1
    values = {"attempts": attempts, "last_error": outcome.reason[:500] or None}
    if outcome.status == "sent":
        values.update(status="sent", sent_at=now, last_error=None)
    elif outcome.status in ("failed", "gone", "superseded"):
        values["status"] = outcome.status
    elif attempts >= MAX_ATTEMPTS:
        values["status"] = "failed"
    else:
        wait = min(BACKOFF_SECONDS * 2 ** (attempts - 1), BACKOFF_CAP_SECONDS)
        values["next_attempt_at"] = now + timedelta(seconds=max(wait, outcome.retry_after or 0))
    return values


def next_due():
    """When the earliest pending row is due (None: nothing pending)."""
    return db.session.scalar(select(Delivery.next_attempt_at).where(Delivery.status == "pending")
                             .order_by(Delivery.next_attempt_at).limit(1))
