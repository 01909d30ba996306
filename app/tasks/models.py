import uuid

from sqlalchemy import ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.time import UTCDateTime, utcnow
from app.extensions import db

TASK_STATUSES = ("assigned", "accepted", "done")


class Task(db.Model):
    __tablename__ = "tasks"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"), index=True)
    assignee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(100))
    due_at = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="assigned")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    accepted_at = mapped_column(UTCDateTime)
    done_at = mapped_column(UTCDateTime)

    assignee = relationship("User", foreign_keys=[assignee_id], lazy="joined")
    assigner = relationship("User", foreign_keys=[assigner_id], lazy="joined")

    __table_args__ = (
        Index("ix_tasks_assignee_id_created_at", "assignee_id", "created_at"),
        Index("ix_tasks_assigner_id_created_at", "assigner_id", "created_at"),
    )


class VisitReminder(db.Model):
    """One reminder to a member whose households have gone unvisited (走访提醒): at most one
    per member per reminder period, so nobody is nagged."""

    __tablename__ = "visit_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sent_at = mapped_column(UTCDateTime, nullable=False)
    households: Mapped[int]  # how many were unvisited then

    __table_args__ = (Index("ix_visit_reminders_member_id_sent_at", "member_id", "sent_at"),)
