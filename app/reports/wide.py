"""Coverage and case figures for a township or more, read from the summaries (models.py): a
few rows per unit, so the cost grows with the units in the answer, not with the households
under them. Below the township (a village and its members) the reports count the rows.

Two figures move with the clock and are finished from the rows, within one day: households
whose latest visit is on the day the window starts, and open cases due earlier today.
"""
from datetime import datetime, time, timedelta

from sqlalchemy import func, select, union_all

from app.extensions import db
from app.org.models import OrgUnit
from app.policy import scope
from app.policy.names import OPEN_STATUSES, Kind, Role, Status
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
from app.reports.summaries import LOCAL_TZ, flush_pending, local_day


def applies(actor):
    """Summaries serve every caller above the village."""
    return actor.org_unit.kind != Kind.VILLAGE


def own_units(actor):
    """The units whose rows add up to the caller's scope: their own, or for the admin (who
    sees everything) every root of the tree."""
    if actor.role == Role.ADMIN:
        return db.session.scalars(select(OrgUnit.id).where(OrgUnit.parent_id.is_(None),
                                                           OrgUnit.kind != Kind.DEPARTMENT)).all()
    return [actor.org_unit_id]


def _child_ids(actor):
    """The caller's child units as a subquery: a district's hundreds of villages never become
    hundreds of bound parameters."""
    return select(OrgUnit.id).where(OrgUnit.parent_id == actor.org_unit_id, OrgUnit.kind != Kind.DEPARTMENT)


def _units(column, actor, own):
    """The caller's own units and their children, as one subquery the planner probes the
    summary's key with (an OR of two lists would read the whole summary)."""
    return column.in_(union_all(_child_ids(actor), select(OrgUnit.id).where(OrgUnit.id.in_(own))))


def never_visited(actor, limit):
    """The first `limit` never-visited households under the caller's unit (the admin: of all)."""
    flush_pending(db.session)
    stmt = select(NeverVisited.household_id).order_by(NeverVisited.household_id).limit(limit)
    if actor.role != Role.ADMIN:
        stmt = stmt.where(NeverVisited.village_id.in_(scope.subtree_ids(actor.org_unit.path)))
    return stmt.subquery()  # its own LIMIT: planned alone, on the list's index


def coverage(actor, since, children):
    """(total, {child id: figures}) with households, visited (since `since`), never_visited,
    and unassigned in the total."""
    flush_pending(db.session)
    own = own_units(actor)
    tallies = {t.unit_id: t for t in db.session.scalars(select(UnitTally).where(_units(UnitTally.unit_id, actor, own)))}
    start = local_day(since)
    recent = dict(db.session.execute(
        select(UnitVisitDay.unit_id, func.sum(UnitVisitDay.households))
        .where(_units(UnitVisitDay.unit_id, actor, own), UnitVisitDay.day > start)
        .group_by(UnitVisitDay.unit_id)).all())
    edge = _visited_on_first_day(actor, since, datetime.combine(start + timedelta(days=1), time(), LOCAL_TZ))

    def figures(unit_ids, edge_count):
        rows = [tallies[u] for u in unit_ids if u in tallies]
        households = sum(t.households for t in rows)
        visited = sum(int(recent.get(u, 0)) for u in unit_ids) + edge_count
        return {"households": households, "visited": visited,
                "never_visited": households - sum(t.visited for t in rows),
                "unassigned": sum(t.unassigned for t in rows)}

    total = figures(own, sum(edge.values()))
    return total, {c.id: figures([c.id], edge.get(c.id, 0)) for c in children}


def by_child(actor, rows):
    """{child unit id (None: under none of them): n} from (village id, n) rows: a village's
    path names the caller's child unit it lies under."""
    rows = list(rows)
    paths = dict(db.session.execute(select(OrgUnit.id, OrgUnit.path)
                                    .where(OrgUnit.path.startswith(actor.org_unit.path, autoescape=True),
                                           OrgUnit.kind == Kind.VILLAGE)).all()) if rows else {}
    mine = actor.org_unit.path
    depth = len(mine.strip("/").split("/"))
    out = {}
    for village, n in rows:
        path = paths.get(village, "")
        child = int(path.strip("/").split("/")[depth]) if path.startswith(mine) and path != mine else None
        out[child] = out.get(child, 0) + n
    return out


def _visited_on_first_day(actor, since, day_end):
    """Live households in scope whose latest visit is in [since, end of that day), by child unit."""
    return by_child(actor, db.session.execute(
        _in_villages(actor, select(LastVisit.village_id, func.count()), LastVisit.village_id)
        .where(LastVisit.at >= since, LastVisit.at < day_end).group_by(LastVisit.village_id)))


def _in_villages(actor, stmt, column):
    """Rows of the villages under the caller (the admin: all)."""
    if actor.role == Role.ADMIN:
        return stmt
    return stmt.where(column.in_(scope.subtree_ids(actor.org_unit.path)))


def case_rows(actor):
    """(status, category, level, urgency, n) over the caller's scope."""
    flush_pending(db.session)
    t = UnitCaseTally
    return db.session.execute(
        select(t.status, t.category, t.level, t.urgency, func.sum(t.n).label("n"))
        .where(t.unit_id.in_(own_units(actor)))
        .group_by(t.status, t.category, t.level, t.urgency)
        .having(func.sum(t.n) != 0)
    ).all()


def cases_by_child(actor, children, now):
    """{child id: total, open, overdue, resolved, closed}, and the overdue count of the whole scope."""
    flush_pending(db.session)
    ids = [c.id for c in children]
    counts = {i: dict.fromkeys(("total", "open", "overdue", "resolved", "closed"), 0) for i in ids}
    for unit_id, status, n in db.session.execute(
            select(UnitCaseTally.unit_id, UnitCaseTally.status, func.sum(UnitCaseTally.n))
            .where(UnitCaseTally.unit_id.in_(_child_ids(actor)))
            .group_by(UnitCaseTally.unit_id, UnitCaseTally.status)):
        row = counts[unit_id]
        row["total"] += n
        if status in OPEN_STATUSES:
            row["open"] += n
        elif status in (Status.RESOLVED, Status.CLOSED):
            row[status] += n
    own = own_units(actor)
    today = local_day(now)
    before = dict(db.session.execute(
        select(UnitCaseDue.unit_id, func.sum(UnitCaseDue.n))
        .where(_units(UnitCaseDue.unit_id, actor, own), UnitCaseDue.day < today)
        .group_by(UnitCaseDue.unit_id)).all())
    edge = _due_earlier_today(actor, now, datetime.combine(today, time(), LOCAL_TZ))
    for i in ids:
        counts[i]["overdue"] = int(before.get(i, 0)) + edge.get(i, 0)
    overdue = sum(int(before.get(u, 0)) for u in own) + sum(edge.values())
    return counts, overdue


def _due_earlier_today(actor, now, day_start):
    """Open cases in scope whose deadline passed today, before `now`, by child unit."""
    return by_child(actor, db.session.execute(
        _in_villages(actor, select(OpenDeadline.village_id, func.count()), OpenDeadline.village_id)
        .where(OpenDeadline.due_at >= day_start, OpenDeadline.due_at < now).group_by(OpenDeadline.village_id)))


def median_hours_to_close(actor):
    """The median over the caller's closed-out cases: the hour holding each middle rank from
    the per-hour counts, then the value at that rank among that hour's cases in scope."""
    flush_pending(db.session)
    own = own_units(actor)
    hours = db.session.execute(
        select(UnitCloseHours.hour, func.sum(UnitCloseHours.n))
        .where(UnitCloseHours.unit_id.in_(own)).group_by(UnitCloseHours.hour)
        .having(func.sum(UnitCloseHours.n) != 0).order_by(UnitCloseHours.hour)).all()
    n = sum(int(c) for _, c in hours)
    if not n:
        return None
    middle = [_at_rank(actor, hours, rank) for rank in sorted({(n + 1) // 2, (n + 2) // 2})]
    return round(sum(middle) / len(middle), 2)


def _at_rank(actor, hours, rank):
    """The `rank`-th smallest (from 1) hours-to-close in scope."""
    below = 0
    for hour, count in hours:
        if below + count >= rank:
            stmt = (select(ClosedCase.hours).where(ClosedCase.hours >= hour, ClosedCase.hours < hour + 1)
                    .order_by(ClosedCase.hours).offset(rank - below - 1).limit(1))
            if actor.role != Role.ADMIN:
                stmt = stmt.where(ClosedCase.village_id.in_(scope.subtree_ids(actor.org_unit.path)))
            return float(db.session.scalar(stmt))
        below += count
    raise AssertionError("rank beyond the counts")


RATE_COUNTS = ("on_time", "due", "closed", "judged", "satisfied", "revisited")


def rate_figures(actor, start, end):
    """((kind, id), counts) for the three rates over the China days [start, end], as
    rates._figures gives them: each department's, each child unit's chain steps, and the chain
    steps under none of the children (the admin's beyond their district)."""
    flush_pending(db.session)
    r = UnitRateDay
    sums = [func.sum(getattr(r, n)).label(n) for n in RATE_COUNTS]
    period = (r.day >= start, r.day <= end)
    chain = dict.fromkeys(RATE_COUNTS, 0)
    for row in db.session.execute(select(r.department_id, *sums).where(r.unit_id.in_(own_units(actor)), *period)
                                  .group_by(r.department_id)):
        counts = {n: int(getattr(row, n)) for n in RATE_COUNTS}
        if row.department_id:
            yield (Kind.DEPARTMENT, row.department_id), counts
        else:
            chain = counts
    for row in db.session.execute(select(r.unit_id, *sums)
                                  .where(r.unit_id.in_(_child_ids(actor)), r.department_id == 0, *period)
                                  .group_by(r.unit_id)):
        counts = {n: int(getattr(row, n)) for n in RATE_COUNTS}
        yield ("unit", row.unit_id), counts
        chain = {n: chain[n] - counts[n] for n in RATE_COUNTS}
    if any(chain.values()):
        yield ("unit", None), chain
