"""Keeping the summary tables (models.py) current: after every flush, the households, visits and
cases it wrote are counted out of their old place and into their new one. The deltas gather in
the session (pending.py) and are written in the same transaction, once before it commits or
before a summary is read in it, so a report read right after a write sees it and a rollback
takes both back.

`rebuild_summaries()` recounts everything from the rows (idempotent): for data loaded around
the ORM (a bulk seeder, a restore) and as the migration's backfill.
"""
from collections import Counter

from flask import has_app_context
from sqlalchemy import case as when
from sqlalchemy import delete, event, func, literal, select, text
from sqlalchemy.orm import Session, attributes, scoped_session

from app.cases.models import Case, CaseEvent, CaseRevisit
from app.extensions import db
from app.households.models import Household
from app.org.models import OrgUnit
from app.policy.names import OPEN_STATUSES
from app.reports import pending
from app.reports.deltas import (  # noqa: F401  (LOCAL_TZ, local_day, SUMMARIES: read here by others too)
    LOCAL_TZ,
    SUMMARIES,
    Deltas,
    apply,
    closed_hours,
    day_of,
    local_day,
    rate_counts,
    utc,
)
from app.reports.models import LastVisit, OpenDeadline
from app.visits.models import Visit

HOME_FIELDS = ("archived_at", "member_id", "village_id")
CASE_FIELDS = ("status", "category", "level", "urgency", "due_at", "household_id", "closed_at", "merged_into_id",
               "created_at")
_PATHS = "report_unit_paths"


def _before(obj, name):
    """The value an attribute had before this flush (history still shows it in after_flush)."""
    history = attributes.get_history(obj, name)
    if not history.has_changes():
        return getattr(obj, name)
    return history.deleted[0] if history.deleted else None  # it had none


def _changed(obj, names):
    return any(attributes.get_history(obj, n).has_changes() for n in names)


def _units_of(session, village_ids):
    """village id -> the ids of it and every unit above it, remembered for the transaction."""
    known = session.info.setdefault(_PATHS, {})
    missing = {v for v in village_ids if v not in known}
    if missing:
        for uid, path in session.connection().execute(select(OrgUnit.id, OrgUnit.path).where(OrgUnit.id.in_(missing))):
            known[uid] = tuple(int(p) for p in path.strip("/").split("/"))
    return known


def _note_homes(session, deltas):
    """Households added, archived or restored, reassigned, or newly visited in this flush: noted
    without a query, recounted once when the deltas are written (_settle_homes)."""
    for o in session.new:
        if isinstance(o, Visit):
            deltas.new_visits.add(o.id)
            deltas.touch(o.household_id)
        elif isinstance(o, Household):
            deltas.touch(o.id, added=True)
    for o in session.dirty:
        if isinstance(o, Household) and _changed(o, HOME_FIELDS):
            deltas.touch(o.id, was=(_before(o, "archived_at"), _before(o, "member_id")))


def _settle_homes(session, deltas):
    """The noted households counted out of what they were before the first flush noting them
    and into what they are now, in one query."""
    if not deltas.homes:
        return
    new_visits = sorted(deltas.new_visits)
    earlier = when((Visit.id.not_in(new_visits), Visit.visited_at)) if new_visits else Visit.visited_at
    rows = session.connection().execute(
        select(Household.id, Household.village_id, Household.archived_at, Household.member_id,
               func.max(Visit.visited_at).label("last"), func.max(earlier).label("before"))
        .outerjoin(Visit, Visit.household_id == Household.id)
        .where(Household.id.in_(deltas.homes))
        .group_by(Household.id, Household.village_id, Household.archived_at, Household.member_id)
    ).all()
    paths = _units_of(session, {r.village_id for r in rows})
    for r in rows:
        units = paths[r.village_id]
        last, before = day_of(r.last), day_of(r.before)
        live = r.archived_at is None
        deltas.home(units, (live, int(r.member_id is None), last), +1)
        deltas.never[(r.id, r.village_id)] += live and last is None
        now_row = (r.village_id, utc(r.last)) if live and r.last is not None else None
        added, was = deltas.homes[r.id]
        if added:
            deltas.row(deltas.last, r.id, None, now_row)
            continue
        was_archived, was_member = was if was is not None else (r.archived_at, r.member_id)
        was_live = was_archived is None
        deltas.home(units, (was_live, int(was_member is None), before), -1)
        deltas.never[(r.id, r.village_id)] -= was_live and before is None
        deltas.row(deltas.last, r.id, (r.village_id, utc(r.before)) if was_live and r.before is not None else None,
                   now_row)


def _cases(session, deltas):
    new = [o for o in session.new if isinstance(o, Case)]
    dirty = [o for o in session.dirty if isinstance(o, Case) and _changed(o, CASE_FIELDS)]
    if not new and not dirty:
        return
    homes = {c.household_id for c in new + dirty} | {_before(c, "household_id") for c in dirty}
    village_of = dict(session.connection().execute(
        select(Household.id, Household.village_id).where(Household.id.in_(homes))).all())
    paths = _units_of(session, set(village_of.values()))
    for c in new + dirty:
        was = None
        if c in dirty and _before(c, "status") in OPEN_STATUSES and _before(c, "due_at") is not None:
            was = (village_of[_before(c, "household_id")], utc(_before(c, "due_at")))
        due = (village_of[c.household_id], utc(c.due_at)) if c.status in OPEN_STATUSES and c.due_at else None
        deltas.row(deltas.deadlines, c.id, was, due)
        deltas.case(paths[village_of[c.household_id]],
                    (c.status, c.category, c.level, c.urgency, day_of(c.due_at)), +1,
                    closed_hours(c.id, c.status, c.created_at, c.closed_at, c.merged_into_id))
    for c in dirty:
        old = (_before(c, "status"), _before(c, "category"), _before(c, "level"), _before(c, "urgency"),
               day_of(_before(c, "due_at")))
        was = (_before(c, n) for n in ("status", "created_at", "closed_at", "merged_into_id"))
        deltas.case(paths[village_of[_before(c, "household_id")]], old, -1, closed_hours(c.id, *was))


STEP_FIELDS = ("type", "due_at", "recorded_at", "department_id", "satisfaction")


def _steps(session, deltas):
    """Timeline steps and return visits written in this flush: new ones, and the deadline or
    department a step was given after it was first flushed."""
    new = [o for o in session.new if isinstance(o, (CaseEvent, CaseRevisit))]
    dirty = [o for o in session.dirty if isinstance(o, (CaseEvent, CaseRevisit))
             and _changed(o, [f for f in STEP_FIELDS if hasattr(o, f)])]
    if not new and not dirty:
        return
    village_of = dict(session.connection().execute(
        select(Case.id, Household.village_id).join(Household, Household.id == Case.household_id)
        .where(Case.id.in_({s.case_id for s in new + dirty}))).all())
    paths = _units_of(session, set(village_of.values()))
    for s, sign, value in [(s, 1, getattr) for s in new + dirty] + [(s, -1, _before) for s in dirty]:
        if isinstance(s, CaseRevisit):
            counts = rate_counts("revisit", None, satisfaction=value(s, "satisfaction"))
        else:
            counts = rate_counts("event", value(s, "type"), value(s, "due_at"), value(s, "recorded_at"))
        if counts:
            deltas.rate(paths[village_of[s.case_id]], value(s, "department_id"),
                        local_day(utc(value(s, "recorded_at"))), counts, sign)


def _after_flush(session, _context):
    deltas = pending.current(session)
    _note_homes(session, deltas)
    _cases(session, deltas)
    _steps(session, deltas)


def flush_pending(session):
    """Flush, then write the deltas the transaction's flushes gathered: before a summary is
    read, and before the transaction commits."""
    session = session() if isinstance(session, scoped_session) else session
    session.flush()
    deltas = pending.take(session)
    if deltas is not None:
        _settle_homes(session, deltas)
        apply(session.connection(), deltas)


def _before_commit(session):
    if session.get_nested_transaction() is None:  # the transaction itself, not a savepoint
        flush_pending(session)


def rebuild_summaries(conn=None):
    """Recount every summary table from the households, visits and cases (idempotent). Runs in
    the caller's transaction; answers the rows written per table."""
    conn = conn if conn is not None else db.session.connection()
    if has_app_context():
        pending.discard(db.session)  # what the session's flushes wrote is in the recount
    for model in SUMMARIES:
        conn.execute(delete(model.__table__))
    paths = {uid: tuple(int(p) for p in path.strip("/").split("/"))
             for uid, path in conn.execute(select(OrgUnit.id, OrgUnit.path))}
    deltas = Deltas()
    last = (select(Visit.household_id, func.max(Visit.visited_at).label("last"))
            .group_by(Visit.household_id).subquery())
    homes = conn.execute(
        select(Household.id, Household.village_id, Household.member_id.is_(None).label("unassigned"), last.c.last)
        .outerjoin(last, last.c.household_id == Household.id)
        .where(Household.archived_at.is_(None)).execution_options(yield_per=10000))
    by_village = Counter()
    for r in homes:
        by_village[(r.village_id, int(r.unassigned), day_of(r.last))] += 1
        if r.last is None:
            deltas.never[(r.id, r.village_id)] += 1
    for (village, unassigned, at), n in by_village.items():
        deltas.home(paths[village], (True, unassigned, at), n)
    cases = conn.execute(
        select(Household.village_id, Case.status, Case.category, Case.level, Case.urgency, Case.due_at, Case.id,
               Case.created_at, Case.closed_at, Case.merged_into_id)
        .join(Household, Household.id == Case.household_id).execution_options(yield_per=10000))
    alike = Counter()
    for r in cases:
        closed = closed_hours(r.id, r.status, r.created_at, r.closed_at, r.merged_into_id)
        if closed is None:
            alike[(r.village_id, r.status, r.category, r.level, r.urgency, day_of(r.due_at))] += 1
        else:
            deltas.case(paths[r.village_id], (r.status, r.category, r.level, r.urgency, day_of(r.due_at)), 1, closed)
    for (village, *state), n in alike.items():
        deltas.case(paths[village], tuple(state), n)
    _rebuild_rates(conn, paths, deltas)
    conn.execute(LastVisit.__table__.insert().from_select(
        ["household_id", "village_id", "at"],
        select(Household.id, Household.village_id, last.c.last).join(last, last.c.household_id == Household.id)
        .where(Household.archived_at.is_(None))))
    conn.execute(OpenDeadline.__table__.insert().from_select(
        ["case_id", "village_id", "due_at"],
        select(Case.id, Household.village_id, Case.due_at).join(Household, Household.id == Case.household_id)
        .where(Case.status.in_(OPEN_STATUSES), Case.due_at.is_not(None))))
    apply(conn, deltas)
    if conn.dialect.name == "postgresql":  # the planner needs to know the tables just filled
        for model in SUMMARIES:
            conn.execute(text(f"ANALYZE {model.__tablename__}"))
    return {"report_unit_tallies": len({u for u, _ in deltas.tallies}), "report_visit_days": len(deltas.days),
            "report_case_tallies": len(deltas.cases), "report_case_due": len(deltas.due),
            "report_never_visited": sum(n > 0 for n in deltas.never.values()),
            "report_close_hours": len(deltas.hours), "report_closed_cases": len(deltas.closed),
            "report_rate_days": len({k[:3] for k in deltas.rates})}


def _forget_paths(session, transaction):
    if transaction.parent is None:
        session.info.pop(_PATHS, None)


def _rebuild_rates(conn, paths, deltas):
    alike = Counter()
    for kind, model, extra in (("event", CaseEvent, (CaseEvent.type, CaseEvent.due_at, literal(None))),
                               ("revisit", CaseRevisit, (literal(None), literal(None), CaseRevisit.satisfaction))):
        rows = conn.execute(
            select(Household.village_id, model.department_id, model.recorded_at, *extra)
            .join(Case, Case.id == model.case_id).join(Household, Household.id == Case.household_id)
            .execution_options(yield_per=10000))
        for village, dept, recorded_at, type_, due_at, satisfaction in rows:
            counts = rate_counts(kind, type_, due_at, recorded_at, satisfaction)
            for name, n in counts.items():
                if n:
                    alike[(village, dept, day_of(recorded_at), name)] += n
    for (village, dept, day, name), n in alike.items():
        deltas.rate(paths[village], dept, day, {name: n})


def install():
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_transaction_end", _forget_paths)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_commit", pending.after_commit)
        event.listen(Session, "after_transaction_end", pending.after_transaction_end)
