"""Summary tables the reports read above the village, kept current in the same transaction as
the rows they count (summaries.py), so a district's report sums a few rows per unit instead of
scanning its households.

Every table holds one row per org unit from a household's village up to its root (the village,
its township, its district ...), so a unit's figures are its own rows and a breakdown is the
rows of the units below. Days are China Standard Time, as the reports' readers count them.
"""
from sqlalchemy import Date, Float, ForeignKey, Index, Integer, PrimaryKeyConstraint, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.common.time import UTCDateTime
from app.extensions import db


class UnitTally(db.Model):
    """Live (not archived) households under a unit: how many, how many nobody covers, how many
    were ever visited."""

    __tablename__ = "report_unit_tallies"

    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), primary_key=True, autoincrement=False)
    households: Mapped[int] = mapped_column(Integer, default=0)
    unassigned: Mapped[int] = mapped_column(Integer, default=0)
    visited: Mapped[int] = mapped_column(Integer, default=0)


class UnitVisitDay(db.Model):
    """Live households under a unit whose latest visit fell on `day`: households visited since
    an instant are the days after it, plus that instant's own day read from the visits."""

    __tablename__ = "report_visit_days"

    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    day = mapped_column(Date, nullable=False)
    households: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (PrimaryKeyConstraint("unit_id", "day", name="pk_report_visit_days"),)


class UnitCaseTally(db.Model):
    """Cases on households under a unit, by status, category, level and urgency."""

    __tablename__ = "report_case_tallies"

    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    status: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(16))
    urgency: Mapped[str] = mapped_column(String(8))
    n: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (PrimaryKeyConstraint("unit_id", "status", "category", "level", "urgency",
                                           name="pk_report_case_tallies"),)


class UnitCaseDue(db.Model):
    """Open cases under a unit whose deadline falls on `day`: the overdue are the days before
    today, plus today's read from the cases."""

    __tablename__ = "report_case_due"

    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    day = mapped_column(Date, nullable=False)
    n: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (PrimaryKeyConstraint("unit_id", "day", name="pk_report_case_due"),)


class NeverVisited(db.Model):
    """A live household nobody has visited yet: the list a secretary works through, found
    without reading the visits of every household above it."""

    __tablename__ = "report_never_visited"

    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), primary_key=True, autoincrement=False)
    village_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))

    __table_args__ = (Index("ix_report_never_visited_village_id_household_id", "village_id", "household_id"),)


class UnitCloseHours(db.Model):
    """Cases closed out (销号, not merged away) under a unit, by whole hours from receipt to
    close: the median's hour is found here, its exact value among that hour's ClosedCase rows."""

    __tablename__ = "report_close_hours"

    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    hour: Mapped[int] = mapped_column(Integer)
    n: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (PrimaryKeyConstraint("unit_id", "hour", name="pk_report_close_hours"),)


class ClosedCase(db.Model):
    """A case closed out (not merged away): its village and hours from receipt to close."""

    __tablename__ = "report_closed_cases"

    case_id = mapped_column(Uuid, ForeignKey("cases.id"), primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    hours: Mapped[float] = mapped_column(Float)

    __table_args__ = (Index("ix_report_closed_cases_hours", "hours"),)


class UnitRateDay(db.Model):
    """The counts behind the three rates (三率) of the steps recorded under a unit on one day,
    per department whose work they were (0: the chain's own): rates.py says what each counts."""

    __tablename__ = "report_rate_days"

    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    department_id: Mapped[int] = mapped_column(Integer)  # 0 for none: a key column cannot be null
    day = mapped_column(Date, nullable=False)
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    due: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    judged: Mapped[int] = mapped_column(Integer, default=0)
    satisfied: Mapped[int] = mapped_column(Integer, default=0)
    revisited: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (PrimaryKeyConstraint("unit_id", "department_id", "day", name="pk_report_rate_days"),)


class LastVisit(db.Model):
    """A live household's latest visit: how the window's first day is finished, by the
    households of the caller's villages alone."""

    __tablename__ = "report_last_visits"

    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), primary_key=True, autoincrement=False)
    village_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    at = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (Index("ix_report_last_visits_village_id_at", "village_id", "at"),
                      Index("ix_report_last_visits_at", "at"))


class OpenDeadline(db.Model):
    """An open case's deadline: how today's overdue are found, by the caller's villages alone."""

    __tablename__ = "report_open_deadlines"

    case_id = mapped_column(Uuid, ForeignKey("cases.id"), primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    due_at = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (Index("ix_report_open_deadlines_village_id_due_at", "village_id", "due_at"),
                      Index("ix_report_open_deadlines_due_at", "due_at"))
