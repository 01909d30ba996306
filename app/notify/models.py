"""The inbox: one row per notification, written in the transaction of what caused it."""
from sqlalchemy import ForeignKey, Index, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from app.common.time import UTCDateTime, utcnow
from app.extensions import db


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text, default="")
    ref_type: Mapped[str | None] = mapped_column(String(16))
    ref_id: Mapped[str | None] = mapped_column(String(36))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    read_at = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_notifications_user_id_id", "user_id", "id"),)


class PushSubscription(db.Model):
    """One browser on one phone that agreed to Web Push."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_sent_at = mapped_column(UTCDateTime)


class Delivery(db.Model):
    """The outbox: one attempt-tracked copy of a notification for one channel and target.

    Written in the transaction of the notification, delivered after commit; the log of
    what happened to each (sent, failed and why) stays here.
    """

    __tablename__ = "notification_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(100))  # a subscription id, a WeCom user id ...
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending sent failed gone superseded
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at = mapped_column(UTCDateTime, nullable=False)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    sent_at = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_notification_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
                      # an SMS phone's deliveries today (the daily limit)
                      Index("ix_notification_deliveries_channel_target_created_at", "channel", "target", "created_at"))


class ChannelPreference(db.Model):
    """A person's choice of channels; no row means every channel that can reach them."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    webpush: Mapped[bool] = mapped_column(default=True)
    wecom: Mapped[bool] = mapped_column(default=True)
    sms: Mapped[bool] = mapped_column(default=True, server_default=true())
