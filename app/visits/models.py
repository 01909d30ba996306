"""A visit: append-only, keyed by the UUID the phone made for it."""
import uuid

from sqlalchemy import JSON, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.attachments.models import OWNER_VISIT
from app.common.time import UTCDateTime, utcnow
from app.extensions import db

MODES = ("door", "phone", "other")
HARDSHIP_LEVELS = ("none", "mild", "serious", "urgent")


class Visit(db.Model):
    __tablename__ = "visits"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    visited_at = mapped_column(UTCDateTime, nullable=False)  # device time
    recorded_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)  # server time
    mode: Mapped[str] = mapped_column(String(8))
    notes: Mapped[str] = mapped_column(Text, default="")
    needs: Mapped[list] = mapped_column(JSON, default=list)
    hardship: Mapped[str] = mapped_column(String(8))

    author = relationship("User", lazy="joined")
    # Its photos, in the order the phone listed them (put on it once, when it was recorded).
    attachments = relationship(
        "Attachment", viewonly=True, lazy="selectin", order_by="Attachment.position",
        primaryjoin=f"and_(Attachment.owner_type == '{OWNER_VISIT}', foreign(Attachment.owner_id) == Visit.id)")

    __table_args__ = (Index("ix_visits_household_id_visited_at", "household_id", "visited_at"),)
