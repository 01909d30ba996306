"""The arithmetic of the summary tables (models.py): what a household, case or timeline step
contributes to them, and adding a batch of such contributions in one upsert per table."""
import math
from collections import Counter
from datetime import timezone

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.cases.models import MISSED_EVENTS, RESPONSE_EVENTS, SATISFIED, UNSATISFIED
from app.common.time import LOCAL_TZ
from app.policy.names import OPEN_STATUSES, Status
from app.reports.models import (
    ClosedCase,
    LastVisit,
    NeverVisited,
    OpenDeadline,
    UnitCaseDue,
    UnitCaseTally,
    UnitCloseHours,
    UnitRateDay,
    UnitTally,
    UnitVisitDay,
)


def local_day(instant):
    return instant.astimezone(LOCAL_TZ).date()


class Deltas:
    """What a flush, or the flushes of a transaction, change in each summary table, by key."""

    def __init__(self):
        self.tallies, self.days, self.cases, self.due = Counter(), Counter(), Counter(), Counter()
        self.never = Counter()  # (household id, village id): +1 now never visited, -1 no longer
        self.hours, self.closed = Counter(), Counter()  # (unit, whole hours); (case id, village id, hours)
        self.rates = Counter()  # (unit, department or 0, day, count name)
        # One row per household / open case, or None to remove it: (village id, instant).
        self.last, self.deadlines = {}, {}
        # Households whose figures a later settling must recount (summaries.py), and the visits
        # added since: household id -> [added, (archived_at, member_id) before its first change].
        self.homes, self.new_visits = {}, set()

    def touch(self, household_id, added=False, was=None):
        entry = self.homes.setdefault(household_id, [False, None])
        entry[0] = entry[0] or added
        if entry[1] is None and not entry[0]:
            entry[1] = was

    def merge(self, later):
        """Add what a later flush, or a savepoint released, changed."""
        for name in ("tallies", "days", "cases", "due", "never", "hours", "closed", "rates"):
            getattr(self, name).update(getattr(later, name))
        self.last.update(later.last)
        self.deadlines.update(later.deadlines)
        for household_id, (added, was) in later.homes.items():
            self.touch(household_id, added, was)
        self.new_visits |= later.new_visits
        return self

    def row(self, table, key, old, new):
        if old != new:
            table[key] = new

    def rate(self, units, department_id, day, counts, sign=1):
        for unit in units:
            for name, n in counts.items():
                if n:
                    self.rates[(unit, department_id or 0, day, name)] += sign * n

    def home(self, units, state, sign):
        """A household's contribution: (live, unassigned, day of its last visit) under `units`;
        `sign` is +1 or -1, or how many alike when recounting."""
        live, unassigned, day = state
        if not live:
            return
        for unit in units:
            self.tallies[(unit, "households")] += sign
            self.tallies[(unit, "unassigned")] += sign * unassigned
            if day is not None:
                self.tallies[(unit, "visited")] += sign
                self.days[(unit, day)] += sign

    def case(self, units, state, sign, closed=None):
        """(status, category, level, urgency, day of its deadline); `closed`: (case id, hours
        from receipt to close) for a case closed out."""
        status, category, level, urgency, due_day = state
        for unit in units:
            self.cases[(unit, status, category, level, urgency)] += sign
            if status in OPEN_STATUSES and due_day is not None:
                self.due[(unit, due_day)] += sign
            if closed is not None:
                self.hours[(unit, math.floor(closed[1]))] += sign
        if closed is not None:
            self.closed[(closed[0], units[-1], closed[1])] += sign


def rate_counts(kind, type_, due_at=None, recorded_at=None, satisfaction=None):
    """What one timeline step (kind "event") or return visit (kind "revisit") adds to the counts
    of the three rates, by the rules in rates.py."""
    if kind == "revisit":
        return {"revisited": 1, "satisfied": int(satisfaction in SATISFIED), "judged": int(satisfaction == UNSATISFIED)}
    if type_ in RESPONSE_EVENTS and due_at is not None:
        return {"due": 1, "on_time": int(utc(recorded_at) <= utc(due_at))}
    if type_ in MISSED_EVENTS:
        return {"due": 1}
    if type_ in ("closed", "reopened"):
        return {"judged": 1, "closed": int(type_ == "closed")}
    return {}


def closed_hours(case_id, status, created_at, closed_at, merged_into_id):
    """(case id, hours from receipt to close) for a case closed out and not merged away, else None:
    the cases whose median the report gives."""
    if status != Status.CLOSED or closed_at is None or created_at is None or merged_into_id is not None:
        return None
    return case_id, (utc(closed_at) - utc(created_at)).total_seconds() / 3600.0


def utc(instant):
    return instant.replace(tzinfo=timezone.utc) if instant.tzinfo is None else instant


def day_of(instant):
    """The China day of an instant (None stays None); SQLite hands back naive UTC from an aggregate."""
    if instant is None:
        return None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=timezone.utc)
    return local_day(instant)


def apply(conn, deltas):
    """Add the deltas, one multi-row upsert per table, keys in a fixed order (two writers
    touching the same units lock them in the same order)."""
    tallies = {}
    for (unit, column), n in deltas.tallies.items():
        tallies.setdefault(unit, dict.fromkeys(("households", "unassigned", "visited"), 0))[column] += n
    _upsert(conn, UnitTally.__table__, ["unit_id"],
            [{"unit_id": u, **c} for u, c in sorted(tallies.items()) if any(c.values())])
    _upsert(conn, UnitVisitDay.__table__, ["unit_id", "day"],
            [{"unit_id": u, "day": d, "households": n} for (u, d), n in sorted(deltas.days.items()) if n])
    keys = ["unit_id", "status", "category", "level", "urgency"]
    _upsert(conn, UnitCaseTally.__table__, keys,
            [{**dict(zip(keys, k)), "n": n} for k, n in sorted(deltas.cases.items()) if n])
    _upsert(conn, UnitCaseDue.__table__, ["unit_id", "day"],
            [{"unit_id": u, "day": d, "n": n} for (u, d), n in sorted(deltas.due.items()) if n])
    _upsert(conn, UnitCloseHours.__table__, ["unit_id", "hour"],
            [{"unit_id": u, "hour": h, "n": n} for (u, h), n in sorted(deltas.hours.items()) if n])
    reopened = sorted({c for (c, _, _), n in deltas.closed.items() if n < 0})
    if reopened:
        conn.execute(delete(ClosedCase.__table__).where(ClosedCase.case_id.in_(reopened)))
    closed = [{"case_id": c, "village_id": v, "hours": h} for (c, v, h), n in deltas.closed.items() if n > 0]
    for start in range(0, len(closed), 5000):
        conn.execute(ClosedCase.__table__.insert(), closed[start:start + 5000])
    names = ("on_time", "due", "closed", "judged", "satisfied", "revisited")
    rates = {}
    for (unit, dept, day, name), n in deltas.rates.items():
        rates.setdefault((unit, dept, day), dict.fromkeys(names, 0))[name] += n
    _upsert(conn, UnitRateDay.__table__, ["unit_id", "department_id", "day"],
            [{"unit_id": u, "department_id": d, "day": day, **c} for (u, d, day), c in sorted(rates.items())
             if any(c.values())])
    for model, key, value, rows in ((LastVisit, "household_id", "at", deltas.last),
                                    (OpenDeadline, "case_id", "due_at", deltas.deadlines)):
        table = model.__table__
        dropped = sorted(k for k, v in rows.items() if v is None)
        if dropped:
            conn.execute(delete(table).where(table.c[key].in_(dropped)))
        kept = [{key: k, "village_id": v[0], value: v[1]} for k, v in sorted(rows.items()) if v is not None]
        if kept:
            stmt = insert_for(conn)(table).values(kept)
            conn.execute(stmt.on_conflict_do_update(index_elements=[key], set_={
                "village_id": stmt.excluded.village_id, value: stmt.excluded[value]}))
    gone = sorted(h for (h, _), n in deltas.never.items() if n < 0)
    if gone:
        conn.execute(delete(NeverVisited.__table__).where(NeverVisited.household_id.in_(gone)))
    came = [{"household_id": h, "village_id": v} for (h, v), n in sorted(deltas.never.items()) if n > 0]
    for start in range(0, len(came), 5000):
        conn.execute(insert_for(conn)(NeverVisited.__table__).values(came[start:start + 5000]).on_conflict_do_nothing())


def _upsert(conn, table, keys, rows):
    if not rows:
        return
    insert = insert_for(conn)
    for start in range(0, len(rows), 5000):
        stmt = insert(table).values(rows[start:start + 5000])
        counts = [c.name for c in table.columns if c.name not in keys]
        conn.execute(stmt.on_conflict_do_update(index_elements=keys,
                                                set_={c: table.c[c] + stmt.excluded[c] for c in counts}))


def insert_for(conn):
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


SUMMARIES = (UnitTally, UnitVisitDay, UnitCaseTally, UnitCaseDue, NeverVisited, UnitCloseHours, ClosedCase, UnitRateDay,
             LastVisit, OpenDeadline)
