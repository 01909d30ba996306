"""Delivering the outbox: claim due rows, send through their channel, record the outcome.

Any number of workers may run this at once on PostgreSQL: rows are claimed with
FOR UPDATE SKIP LOCKED and kept locked until their outcome is committed, so no row is sent
by two workers. A crash before commit leaves the row pending for the next pass.
"""
import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.common.time import utcnow
from app.extensions import db
from app.notify.channels import registry
from app.notify.models import Delivery, Notification

log = logging.getLogger(__name__)

BACKOFF_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
MAX_ATTEMPTS = 8
BODY_LIMIT = 200  # keeps the push payload well under 2 KB


def payload(notification):
    """Small on purpose: the app fetches details itself."""
    return {"type": notification.ref_type, "id": notification.ref_id, "title": notification.title,
            "body": notification.body[:BODY_LIMIT], "kind": notification.kind, "nid": notification.id}


def claim_due(now, limit):
    stmt = (select(Delivery).where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
            .order_by(Delivery.next_attempt_at, Delivery.id).limit(limit))
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return db.session.scalars(stmt).all()


def deliver_due(*, now=None, limit=50):
    """One pass over what is due; answers how many ended in each outcome."""
    now = now or utcnow()
    rows = claim_due(now, limit)
    counts = {}
    if rows:
        notes = {n.id: n for n in db.session.scalars(
            select(Notification).where(Notification.id.in_({r.notification_id for r in rows})))}
        channels, config = registry(), current_app.config
        for row in rows:
            outcome = _send(channels.get(row.channel), config, row, notes[row.notification_id])
            record(row, outcome, now)
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
    db.session.commit()
    return counts


def _send(channel, config, row, notification):
    from app.notify.channels import Outcome

    if channel is None or not channel.enabled(config):
        return Outcome.failed("channel not configured")
    try:
        return channel.send(config=config, target=row.target, payload=payload(notification))
    except Exception as exc:  # noqa: BLE001 - one bad send must not stop the others
        log.exception("channel %s raised", row.channel)
        return Outcome.retry(f"{type(exc).__name__}: {exc}"[:300])


def record(row, outcome, now):
    """Write the outcome into the log, and decide the next attempt."""
    row.attempts += 1
    row.last_error = outcome.reason[:500] or None
    if outcome.status == "sent":
        row.status, row.sent_at, row.last_error = "sent", now, None
    elif outcome.status in ("failed", "gone"):
        row.status = outcome.status
    elif row.attempts >= MAX_ATTEMPTS:
        row.status = "failed"
    else:
        wait = min(BACKOFF_SECONDS * 2 ** (row.attempts - 1), BACKOFF_CAP_SECONDS)
        row.next_attempt_at = now + timedelta(seconds=max(wait, outcome.retry_after or 0))


def next_due():
    """When the earliest pending row is due (None: nothing pending)."""
    return db.session.scalar(select(Delivery.next_attempt_at).where(Delivery.status == "pending")
                             .order_by(Delivery.next_attempt_at).limit(1))
