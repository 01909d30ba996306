"""Coverage (has every household been visited?) and case statistics, aggregated in the database.

Every figure is one GROUP BY over the caller's scope, so a request costs the same number of
statements for a village of 100 households as for a district of 100,000.
"""
from datetime import timedelta
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import and_, exists, func, select, true
from sqlalchemy import case as when

from app.cases.models import CATEGORIES, URGENCIES, Case, overdue_clause
from app.common.time import utcnow
from app.extensions import db
from app.households.models import Household
from app.messages import REPORTS
from app.org.models import OrgUnit, User
from app.policy import capabilities, scope
from app.policy.names import LEVELS, OPEN_STATUSES, STATUSES, Kind, Role, Status
from app.reports import wide
from app.reports.sql import (
    child_units,
    hours_between,
    ratio,
    unit_map,
    unit_ref,
)
from app.tasks.models import VisitReminder
from app.visits.models import Visit

NEVER_VISITED_LIMIT = 500  # the list a secretary works through; the count is always exact
UNVISITED_LIMIT = 500


def coverage(*, actor, days=30, now=None):
    """Households visited in the last `days`, per unit below the caller (and per member for a village)."""
    capabilities.require(actor, "reports.view", REPORTS["view"])
    now = now or utcnow()
    since = now - timedelta(days=days)
    in_scope = scope.household_filter(actor)
    if wide.applies(actor):
        return _coverage_wide(actor, days, since, in_scope)
    counts = _coverage_counts(since)
    total = db.session.execute(
        select(*counts, func.count(when((Household.member_id.is_(None), 1))).label("unassigned")).where(in_scope)
    ).one()
    return {
        "days": days,
        "since": since,
        "unit": unit_ref(actor.org_unit),
        "total": {**_coverage_view(total), "unassigned": total.unassigned},
        "units": _coverage_by_unit(actor, in_scope, counts),
        "members": _coverage_by_member(actor, in_scope, counts) if actor.org_unit.kind == Kind.VILLAGE else [],
        "never_visited": _never_visited(in_scope, total.never_visited),
    }


def _coverage_wide(actor, days, since, in_scope):
    """Above the village: figures from the summaries, the never-visited list from the rows."""
    children = child_units(actor)
    total, by_child = wide.coverage(actor, since, children)
    return {
        "days": days,
        "since": since,
        "unit": unit_ref(actor.org_unit),
        "total": {**_coverage_view(SimpleNamespace(**total)), "unassigned": total["unassigned"]},
        "units": [{**unit_ref(u), **_coverage_view(SimpleNamespace(**by_child[u.id]))} for u in children],
        "members": [],
        "never_visited": _never_visited(in_scope, total["never_visited"],
                                        wide.never_visited(actor, NEVER_VISITED_LIMIT)),
    }


def _coverage_counts(since):
    """Households, visited since `since`, never visited: each an index probe per household."""
    ever = exists().where(Visit.household_id == Household.id)
    recent = exists().where(Visit.household_id == Household.id, Visit.visited_at >= since)
    return (
        func.count(Household.id).label("households"),
        func.count(when((recent, 1))).label("visited"),
        func.count(when((~ever, 1))).label("never_visited"),
    )


def _coverage_view(row):
    households, visited, never = (row.households, row.visited, row.never_visited) if row else (0, 0, 0)
    return {"households": households, "visited": visited, "never_visited": never,
            "coverage": ratio(visited, households)}


def _coverage_by_unit(actor, in_scope, counts):
    m = unit_map(actor)
    rows = db.session.execute(
        select(m.c.child_id, *counts)
        .join_from(Household, m, Household.org_unit_id == m.c.unit_id)
        .where(in_scope)
        .group_by(m.c.child_id)
    ).all()
    by_child = {r.child_id: r for r in rows}
    return [{**unit_ref(u), **_coverage_view(by_child.get(u.id))} for u in child_units(actor)]


def _coverage_by_member(actor, in_scope, counts):
    """Every member of the village, including those who cover no one yet."""
    members = db.session.execute(
        select(User.id, User.name, OrgUnit.id.label("unit_id"), OrgUnit.kind, OrgUnit.name.label("unit_name"))
        .join(OrgUnit, OrgUnit.id == User.org_unit_id)
        .where(User.role == Role.MEMBER, User.org_unit_id.in_(scope.subtree_ids(actor.org_unit.path)))
        .order_by(OrgUnit.path, User.id)
    ).all()
    rows = db.session.execute(
        select(Household.member_id, *counts)
        .where(in_scope, Household.member_id.is_not(None))
        .group_by(Household.member_id)
    ).all()
    by_member = {r.member_id: r for r in rows}
    return [{"id": u.id, "name": u.name, "org_unit": {"id": u.unit_id, "kind": u.kind, "name": u.unit_name},
             **_coverage_view(by_member.get(u.id))} for u in members]


def _never_visited(in_scope, count, listed=None):
    """The first of the households never visited: from the rows, or above the village from
    the summary's list of them (`listed`, household ids)."""
    stmt = select(Household.id, Household.head_name, Household.address, OrgUnit.id.label("unit_id"),
                  OrgUnit.kind, OrgUnit.name.label("unit_name"), User.id.label("member_id"),
                  User.name.label("member_name"))
    if listed is None:
        stmt, order = stmt.where(~exists().where(Visit.household_id == Household.id)), Household.id
    else:  # walked in the list's own order, so only the listed households are read
        stmt = stmt.select_from(listed).join(Household, Household.id == listed.c.household_id)
        order = listed.c.household_id
    stmt = (stmt.join(OrgUnit, OrgUnit.id == Household.org_unit_id).outerjoin(User, User.id == Household.member_id)
            .where(in_scope).order_by(order).limit(NEVER_VISITED_LIMIT))
    rows = db.session.execute(stmt).all()
    items = [{"id": r.id, "head_name": r.head_name, "address": r.address,
              "org_unit": {"id": r.unit_id, "kind": r.kind, "name": r.unit_name},
              "member": {"id": r.member_id, "name": r.member_name} if r.member_id else None} for r in rows]
    return {"count": count, "items": items, "more": count > len(items)}


def cases(*, actor, now=None):
    """Cases in scope by status, category, level and urgency; overdue; median hours to close."""
    capabilities.require(actor, "reports.view", REPORTS["view"])
    now = now or utcnow()
    late = and_(*overdue_clause(now))
    if wide.applies(actor):
        rows = wide.case_rows(actor)
        children = child_units(actor)
        by_child, overdue = wide.cases_by_child(actor, children, now)
        units = [{**unit_ref(u), **by_child[u.id]} for u in children]
    else:
        rows = db.session.execute(
            select(Case.status, Case.category, Case.level, Case.urgency,
                   func.count().label("n"), func.count(when((late, 1))).label("overdue"))
            .where(scope.case_filter(actor))
            .group_by(Case.status, Case.category, Case.level, Case.urgency)
        ).all()
        overdue, units = sum(r.overdue for r in rows), _cases_by_unit(actor, late)
    tallies = {key: dict.fromkeys(values, 0) for key, values in
               (("status", STATUSES), ("category", CATEGORIES), ("level", LEVELS), ("urgency", URGENCIES))}
    for row in rows:
        for key, tally in tallies.items():
            value = getattr(row, key)
            tally[value] = tally.get(value, 0) + row.n
    by_status = tallies["status"]
    return {
        "as_of": now,
        "unit": unit_ref(actor.org_unit),
        "total": sum(r.n for r in rows),
        "open": sum(by_status[s] for s in OPEN_STATUSES),
        "overdue": overdue,
        "resolved": by_status[Status.RESOLVED],
        "closed": by_status[Status.CLOSED],
        "by_status": by_status,
        "by_category": tallies["category"],
        "by_level": tallies["level"],
        "by_urgency": tallies["urgency"],
        "median_hours_to_close": wide.median_hours_to_close(actor) if wide.applies(actor)
        else median_hours_to_close(actor=actor),
        "units": units,
    }


def _cases_by_unit(actor, late):
    m = unit_map(actor)
    rows = db.session.execute(
        select(m.c.child_id, func.count().label("total"),
               func.count(when((Case.status.in_(OPEN_STATUSES), 1))).label("open"),
               func.count(when((late, 1))).label("overdue"),
               func.count(when((Case.status == Status.RESOLVED, 1))).label("resolved"),
               func.count(when((Case.status == Status.CLOSED, 1))).label("closed"))
        .select_from(Case)
        .join(Household, Household.id == Case.household_id)
        .join(m, Household.org_unit_id == m.c.unit_id)
        .where(scope.case_filter(actor))
        .group_by(m.c.child_id)
    ).all()
    by_child = {r.child_id: r for r in rows}
    keys = ("total", "open", "overdue", "resolved", "closed")
    return [{**unit_ref(u), **{k: getattr(by_child[u.id], k) if u.id in by_child else 0 for k in keys}}
            for u in child_units(actor)]


def median_hours_to_close(*, actor):
    """Median hours from receipt to close-out over closed cases; the database hands back only
    the middle row(s). Both ends are the server's clock: a phone's can say anything (the
    timeline keeps what the phones said)."""
    hours = hours_between(Case.created_at, Case.closed_at)
    ranked = (
        select(hours.label("h"), func.row_number().over(order_by=hours).label("rn"),
               func.count().over().label("n"))
        .where(scope.case_filter(actor), Case.status == Status.CLOSED, Case.closed_at.is_not(None),
               Case.merged_into_id.is_(None))  # a duplicate merged away was not solved by closing it
        .subquery()
    )
    rn, n = ranked.c.rn, ranked.c.n
    middle = db.session.scalars(select(ranked.c.h).where((rn == (n + 1) // 2) | (rn == (n + 2) // 2))).all()
    if not middle:
        return None
    return round(sum(float(h) for h in middle) / len(middle), 2)


def reminder_days():
    """How long a household may go unvisited before its member is reminded (and listed)."""
    return current_app.config.get("UNVISITED_REMINDER_DAYS", 30)


def unvisited_clause(since):
    """A household nobody has visited since `since` (or ever)."""
    return ~exists().where(Visit.household_id == Household.id, Visit.visited_at >= since)


def unvisited_by_member(since, where=None):
    """(member_id, households unvisited since `since`, the first of them) for every active member
    with any, among the households `where` selects (all by default): one GROUP BY."""
    return db.session.execute(
        select(Household.member_id, func.count().label("n"), func.min(Household.id).label("first_id"))
        .join(User, User.id == Household.member_id)
        .where(where if where is not None else true(), User.active, unvisited_clause(since))
        .group_by(Household.member_id)
    ).all()


def unvisited(*, actor, days=None, now=None):
    """The secretary's list (走访提醒): per member, in the order of the org tree (never ranked),
    the households in scope nobody has visited for `days`, and when the member was last reminded."""
    capabilities.require(actor, "reports.view", REPORTS["view"])
    days = days or reminder_days()
    now = now or utcnow()
    since = now - timedelta(days=days)
    in_scope = scope.household_filter(actor)
    counts = {r.member_id: r.n for r in unvisited_by_member(since, in_scope)}
    unassigned = db.session.scalar(select(func.count()).select_from(Household).where(
        in_scope, Household.member_id.is_(None), unvisited_clause(since)))
    people = db.session.execute(
        select(User.id, User.name, OrgUnit.id.label("unit_id"), OrgUnit.kind, OrgUnit.name.label("unit_name"))
        .join(OrgUnit, OrgUnit.id == User.org_unit_id)
        .where(User.id.in_(list(counts)))
        .order_by(OrgUnit.path, User.id)
    ).all() if counts else []
    reminded = dict(db.session.execute(
        select(VisitReminder.member_id, func.max(VisitReminder.sent_at))
        .where(VisitReminder.member_id.in_(list(counts))).group_by(VisitReminder.member_id)
    ).all()) if counts else {}
    last_visit = (select(func.max(Visit.visited_at)).where(Visit.household_id == Household.id)
                  .correlate(Household).scalar_subquery())
    homes = db.session.execute(
        select(Household.id, Household.head_name, Household.address, Household.member_id,
               last_visit.label("last_visit_at"))
        .join(User, User.id == Household.member_id)
        .where(in_scope, User.active, unvisited_clause(since))
        .order_by(Household.member_id, Household.id)
        .limit(UNVISITED_LIMIT)
    ).all()
    listed = {}
    for h in homes:
        listed.setdefault(h.member_id, []).append(
            {"id": h.id, "head_name": h.head_name, "address": h.address, "last_visit_at": h.last_visit_at})
    total = sum(counts.values())
    return {
        "days": days,
        "since": since,
        "count": total,
        "unassigned": unassigned,
        "more": total > len(homes),
        "members": [{"id": p.id, "name": p.name, "org_unit": {"id": p.unit_id, "kind": p.kind, "name": p.unit_name},
                     "count": counts[p.id], "reminded_at": reminded.get(p.id), "households": listed.get(p.id, [])}
                    for p in people],
    }
