"""Writing to the inbox (in the caller's transaction) and reading it."""
from sqlalchemy import func, select

from app.common.pagination import paginate
from app.common.time import utcnow
from app.errors import NotFound
from app.extensions import db
from app.messages import NOTIFY
from app.notify.models import Notification


def notify(*, user_ids, kind, ref_type, ref_id, **fmt):
    """One inbox row per recipient, flushed with the change that caused it."""
    title, body = (text.format(**fmt) for text in NOTIFY[kind])
    rows = [
        Notification(user_id=uid, kind=kind, title=title[:120], body=body, ref_type=ref_type,
                     ref_id=str(ref_id), created_at=utcnow())
        for uid in dict.fromkeys(u for u in user_ids if u is not None)
    ]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def inbox_version(*, actor):
    """Changes whenever the inbox does: a new row or one marked read."""
    newest, unread = db.session.execute(
        select(func.max(Notification.id), func.count(Notification.id).filter(Notification.read_at.is_(None)))
        .where(Notification.user_id == actor.id)
    ).one()
    return f"{newest or 0}-{unread}", unread


def list_notifications(*, actor, unread_only=False, cursor=None, limit=None):
    stmt = select(Notification).where(Notification.user_id == actor.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return paginate(db.session, stmt, keys=[Notification.id], cursor=cursor, limit=limit, descending=True)


def mark_read(*, actor, notification_id):
    row = db.session.scalars(select(Notification).where(
        Notification.id == notification_id, Notification.user_id == actor.id)).first()
    if row is None:
        raise NotFound()
    if row.read_at is None:
        row.read_at = utcnow()
        db.session.flush()
    return row
