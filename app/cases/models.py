"""A case and its append-only timeline of events."""
import uuid

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, Uuid, column, event, select, table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.attachments.models import CASE_OWNERS
from app.common.time import UTCDateTime, utcnow
from app.extensions import db
from app.policy.names import OPEN_STATUSES, Status

CATEGORIES = ("urgent_needs", "epidemic", "fire", "civility", "environment", "industry", "other")
URGENCIES = ("normal", "urgent")
# The household's answer at the return visit (回访); the first two count as satisfied (满意率).
SATISFACTIONS = ("satisfied", "basic", "unsatisfied")
SATISFIED = ("satisfied", "basic")
UNSATISFIED = "unsatisfied"
REVISIT_MODES = ("door", "phone")  # in person (入户) or by phone (电话)
# The timeline's events that answer a deadline (a holder's step: 响应率) and those saying one was missed.
RESPONSE_EVENTS = ("escalated", "dispatched", "accepted", "resolved", "returned", "rejected")
MISSED_EVENTS = ("overdue_escalated", "overdue")


class Case(db.Model):
    __tablename__ = "cases"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    # The household's village, which never changes: a village's or township's list reads its
    # cases village by village from an index, newest first, instead of the whole table.
    village_id: Mapped[int | None] = mapped_column(Integer)
    visit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("visits.id"))
    category: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    urgency: Mapped[str] = mapped_column(String(8), default="normal")
    status: Mapped[str] = mapped_column(String(16), default=Status.OPEN)
    level: Mapped[str] = mapped_column(String(16))
    # Who must act now: a person, or (after dispatch, before 接单) a department as a whole.
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    holder_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    # The department it was dispatched to; its staff keep seeing it afterwards.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    # The township officer who dispatched it, to whom the department reports back.
    dispatcher_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at = mapped_column(UTCDateTime, nullable=False)  # device time
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)  # server time
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)
    due_at = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at = mapped_column(UTCDateTime)
    closed_at = mapped_column(UTCDateTime)
    # The household's answer at the return visit of the current resolution (None until asked).
    satisfaction: Mapped[str | None] = mapped_column(String(16))
    # A duplicate closed by 合并: the case it joined.
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"))
    version: Mapped[int] = mapped_column(default=1)  # two people acting at once: one gets 409

    household = relationship("Household", lazy="joined", innerjoin=True)
    holder = relationship("User", foreign_keys=[holder_id], lazy="joined")
    holder_unit = relationship("OrgUnit", foreign_keys=[holder_unit_id], lazy="joined")
    department = relationship("OrgUnit", foreign_keys=[department_id], lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        Index("ix_cases_holder_id_created_at", "holder_id", "created_at"),
        Index("ix_cases_holder_unit_id_created_at", "holder_unit_id", "created_at"),
        Index("ix_cases_household_id_created_at", "household_id", "created_at"),
        Index("ix_cases_department_id_created_at", "department_id", "created_at"),
        Index("ix_cases_status_due_at", "status", "due_at"),
        Index("ix_cases_created_at_id", "created_at", "id"),
        Index("ix_cases_village_id_created_at_id", "village_id", "created_at", "id"),
    )


_HOUSEHOLDS = table("households", column("id"), column("village_id"))


@event.listens_for(Case, "before_insert")
def _village_of_household(_mapper, _connection, case):
    """A case made without its village takes its household's, in the INSERT itself."""
    if case.village_id is None:
        case.village_id = (select(_HOUSEHOLDS.c.village_id)
                           .where(_HOUSEHOLDS.c.id == case.household_id).scalar_subquery())


class CaseEvent(db.Model):
    """One step on a case's timeline; never updated, never deleted."""

    __tablename__ = "case_events"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    type: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system
    at = mapped_column(UTCDateTime, nullable=False)  # device time (server time for the system)
    recorded_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    # For a holder's step: the deadline it answered (响应率: on time when recorded_at <= due_at).
    due_at = mapped_column(UTCDateTime)
    # The department whose work the step is (a step at the department level, or its missed
    # deadline), or whose resolution it judges (销号, 重新打开, 回访); None for the chain's own.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))

    actor = relationship("User", lazy="joined")
    # Its photos (a step's, or a 回访's: the revisit shares the event's id), in the phone's order;
    # loaded for a page of the timeline at once (service._timeline), never one by one.
    attachments = relationship(
        "Attachment", viewonly=True, lazy="select", order_by="Attachment.position",
        primaryjoin=f"and_(Attachment.owner_type.in_({CASE_OWNERS!r}), foreign(Attachment.owner_id) == CaseEvent.id)")

    __table_args__ = (Index("ix_case_events_case_id_recorded_at", "case_id", "recorded_at"),
                      Index("ix_case_events_recorded_at", "recorded_at"))


class CaseRevisit(db.Model):
    """A return visit (回访) after 办结: the household asked whether the problem is solved.
    Its id is the phone's UUID and also the id of its `revisited` event on the timeline."""

    __tablename__ = "case_revisits"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    mode: Mapped[str] = mapped_column(String(8))
    satisfaction: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str] = mapped_column(Text, default="")
    at = mapped_column(UTCDateTime, nullable=False)  # device time
    recorded_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)  # server time
    # The department whose resolution the household judged; None when the chain resolved it.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))

    __table_args__ = (Index("ix_case_revisits_case_id_recorded_at", "case_id", "recorded_at"),
                      Index("ix_case_revisits_recorded_at", "recorded_at"))


def is_overdue(case, now=None):
    """Past its deadline and still owed an answer."""
    return case.due_at is not None and case.status in OPEN_STATUSES and case.due_at < (now or utcnow())


def overdue_clause(now):
    return Case.due_at < now, Case.status.in_(OPEN_STATUSES)
