"""Writing to the inbox (in the caller's transaction) and reading it."""
from flask import current_app
from sqlalchemy import func, select

from app.common.pagination import paginate
from app.common.time import local_midnight, utcnow
from app.errors import NotFound
from app.extensions import db
from app.messages import NOTIFY
from app.notify.channels import registry
from app.notify.models import ChannelPreference, Delivery, Notification
from app.org.models import User
from app.policy import scope


def notify(*, user_ids, kind, ref_type, ref_id, **fmt):
    """One inbox row per recipient, and its deliveries in the outbox, flushed with the change
    that caused it; delivery itself happens after commit (see dispatcher.py)."""
    title, body = (text.format(**fmt) for text in NOTIFY[kind])
    now = utcnow()
    rows = [
        Notification(user_id=uid, kind=kind, title=title[:120], body=body, ref_type=ref_type,
                     ref_id=str(ref_id), created_at=now)
        for uid in dict.fromkeys(u for u in user_ids if u is not None)
    ]
    db.session.add_all(rows)
    db.session.flush()
    queue_deliveries(rows, now)
    return rows


def queue_deliveries(notifications, now):
    """An outbox row per notification, channel and target the recipient can be reached at, for
    the kinds each channel carries, as the recipient chose; over a channel's daily limit the
    row is written already failed, so the log tells why nothing arrived."""
    config = current_app.config
    channels = [c for c in registry().values() if c.enabled(config)]
    if not channels or not notifications:
        return
    user_ids = {n.user_id for n in notifications}
    users = db.session.scalars(select(User).where(User.id.in_(user_ids), User.active)).all()  # none to the stopped
    prefs = {p.user_id: p for p in db.session.scalars(
        select(ChannelPreference).where(ChannelPreference.user_id.in_(user_ids)))}
    for channel in channels:
        targets = channel.targets(users)
        room = DailyRoom(channel, config, now)
        due = channel.first_attempt(config, now)
        for n in notifications:
            pref = prefs.get(n.user_id)
            if (pref is not None and not getattr(pref, channel.name, True)) or not channel.carries(config, n.kind):
                continue
            for target in map(str, targets.get(n.user_id, [])):
                row = Delivery(notification_id=n.id, channel=channel.name, target=target,
                               status="pending", next_attempt_at=due, created_at=now)
                if not room.take(target):
                    row.status, row.last_error = "failed", f"daily limit reached ({room.limit} a day)"
                db.session.add(row)
    db.session.flush()
    db.session.info["notify_wake"] = True


class DailyRoom:
    """How many more deliveries each target of a limited channel may have today (China time);
    counted from the outbox, so every process agrees. On PostgreSQL the count is taken under a
    transaction-long advisory lock per channel and target, so two requests texting one phone at
    once cannot both take its last place (SQLite has one writer at a time anyway)."""

    def __init__(self, channel, config, now):
        self.channel, self.limit, self.now = channel.name, channel.daily_limit(config), now
        self.used = {}

    def take(self, target):
        if self.limit is None:
            return True
        if target not in self.used:
            if db.session.get_bind().dialect.name == "postgresql":
                db.session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"{self.channel}:{target}"))))
            self.used[target] = db.session.scalar(select(func.count(Delivery.id)).where(
                Delivery.channel == self.channel, Delivery.target == target,
                Delivery.created_at >= local_midnight(self.now), Delivery.status.in_(("pending", "sent"))))
        if self.used[target] >= self.limit:
            return False
        self.used[target] += 1
        return True


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


def _own(actor, notification_id):
    row = db.session.scalars(select(Notification).where(
        Notification.id == notification_id, scope.notification_filter(actor))).first()
    if row is None:
        raise NotFound()
    return row


def unread(*, actor, notification_id):
    return _own(actor, notification_id).read_at is None


def mark_read(*, actor, notification_id):
    """Mark one of the actor's notifications read; marking it again changes nothing."""
    row = _own(actor, notification_id)
    if row.read_at is None:
        row.read_at = utcnow()
        db.session.flush()
    return row


def preferences(*, actor):
    """The person's choices, and which channels this deployment has configured (the app offers
    only those)."""
    pref = db.session.get(ChannelPreference, actor.id)
    chosen = {name: getattr(pref, name) if pref is not None else True for name in registry()}
    config = current_app.config
    return {**chosen, "available": [name for name, c in registry().items() if c.enabled(config)]}


def set_preferences(*, actor, changes):
    pref = db.session.get(ChannelPreference, actor.id)
    if pref is None:
        pref = ChannelPreference(user_id=actor.id, **dict.fromkeys(registry(), True))
        db.session.add(pref)
    for name, value in changes.items():
        setattr(pref, name, value)
    db.session.flush()
    return preferences(actor=actor)


def list_deliveries(*, status=None, channel=None, notification_id=None, cursor=None, limit=None):
    """The delivery log (admins): what was sent where, what failed and why."""
    stmt = select(Delivery)
    for column, value in ((Delivery.status, status), (Delivery.channel, channel),
                          (Delivery.notification_id, notification_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    return paginate(db.session, stmt, keys=[Delivery.id], cursor=cursor, limit=limit, descending=True)
