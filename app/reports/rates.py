"""The three rates (三率) on which units and departments are assessed, for any period, computed
from what the timeline already holds (nothing is entered twice).

A period is whole days of China Standard Time: from 00:00 of `from` to 24:00 of `to`. Every
figure counts by the server's clock (`recorded_at`), never a phone's.

- 响应率 (response rate) = on_time / due. Each deadline the chain sets (the level's response time
  from CASE_DEADLINE_HOURS, half for urgent cases, running from when the case reached that level)
  is counted once it is answered or missed:
    answered: a holder's step taken while the deadline ran (上报, 派单, 接单, 办结, 退回, 退单); it is
      on time when the server recorded it no later than the deadline (the event's `due_at`);
    missed: the deadline passed with no step, so the case was moved up (超时上交) or its holder
      reminded (超时提醒); a missed deadline is never on time.
  Comments, tasks, 改派, 撤回, 合并 and 回访 answer no deadline and are not counted.
- 解决率 (resolution rate) = closed / judged. Each resolution (办结) is judged when it is closed out
  (销号: it stood) or found wanting: reopened (重新打开) or answered 不满意 at a return visit.
  Duplicates closed by 合并 are neither.
- 满意率 (satisfaction rate) = satisfied / revisited: of the return visits (回访) recorded in the
  period, those where the household was satisfied (满意) or basically satisfied (基本满意).

Where each figure goes: a step taken at the department level (or a deadline missed there), and
the judgement of a department's resolution, count for that department (`departments`); all else
for the unit just below the caller that the household lies in (`units`). `total` is all of it,
in the caller's scope. A rate with nothing to count is null.

Above the village the counts come from the per-day summary (wide.py), whose days are the same
China days, so a period's figures are exact there too.
"""
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy import case as when

from app.cases.models import MISSED_EVENTS, RESPONSE_EVENTS, SATISFIED, UNSATISFIED, Case, CaseEvent, CaseRevisit
from app.common.time import utcnow
from app.errors import Invalid
from app.extensions import db
from app.households.models import Household
from app.messages import RATES_EXPORT_COLUMNS, REPORTS
from app.org.models import OrgUnit
from app.policy import capabilities, scope
from app.policy.names import Kind
from app.reports import wide
from app.reports.exports import LOCAL_TZ, workbook
from app.reports.sql import child_units, ratio, unit_map, unit_ref

COUNTS = ("on_time", "due", "closed", "judged", "satisfied", "revisited")


def period(start=None, end=None, now=None):
    """(from, to) as dates: by default this month so far, in China Standard Time."""
    today = (now or utcnow()).astimezone(LOCAL_TZ).date()
    start = start or today.replace(day=1)
    end = end or max(today, start)
    if end < start:
        raise Invalid("to", REPORTS["period_order"])
    return start, end


def bounds(start, end):
    """The period as aware instants: [00:00 of start, 00:00 of the day after end) in China time."""
    return (datetime.combine(start, time(), LOCAL_TZ),
            datetime.combine(end + timedelta(days=1), time(), LOCAL_TZ))


def rates(*, actor, start=None, end=None, now=None):
    capabilities.require(actor, "reports.view", REPORTS["view"])
    start, end = period(start, end, now)
    since, until = bounds(start, end)
    tally = {}
    figures = wide.rate_figures(actor, start, end) if wide.applies(actor) else _figures(actor, since, until)
    for key, counts in figures:
        row = tally.setdefault(key, dict.fromkeys(COUNTS, 0))
        for name, n in counts.items():
            row[name] += n
    total = dict.fromkeys(COUNTS, 0)
    for row in tally.values():
        for name in COUNTS:
            total[name] += row[name]
    empty = dict.fromkeys(COUNTS, 0)
    dept_ids = sorted(dept for kind, dept in tally if kind == Kind.DEPARTMENT)
    departments = db.session.execute(select(OrgUnit.id, OrgUnit.kind, OrgUnit.name)
                                     .where(OrgUnit.id.in_(dept_ids)).order_by(OrgUnit.id)).all() if dept_ids else []
    return {
        "from": start, "to": end, "since": since, "until": until,
        "unit": unit_ref(actor.org_unit),
        "total": _view(total),
        "units": [{**unit_ref(u), **_view(tally.get(("unit", u.id), empty))} for u in child_units(actor)],
        "departments": [{**unit_ref(d), **_view(tally[(Kind.DEPARTMENT, d.id)])} for d in departments],
    }


def _view(c):
    return {
        "response": {"on_time": c["on_time"], "due": c["due"], "rate": ratio(c["on_time"], c["due"])},
        "resolution": {"closed": c["closed"], "judged": c["judged"], "rate": ratio(c["closed"], c["judged"])},
        "satisfaction": {"satisfied": c["satisfied"], "revisited": c["revisited"],
                         "rate": ratio(c["satisfied"], c["revisited"])},
    }


def _figures(actor, since, until):
    """((kind, id), counts) rows: one grouped query per rate over the caller's scope."""
    m = unit_map(actor)

    def grouped(model, *counts, where):
        stmt = (select(m.c.child_id, model.department_id, *counts)
                .select_from(model)
                .join(Case, Case.id == model.case_id)
                .join(Household, Household.id == Case.household_id)
                .outerjoin(m, Household.org_unit_id == m.c.unit_id)
                .where(scope.case_filter(actor), model.recorded_at >= since, model.recorded_at < until, where)
                .group_by(m.c.child_id, model.department_id))
        return db.session.execute(stmt).all()

    def key(row):
        return (Kind.DEPARTMENT, row.department_id) if row.department_id is not None else ("unit", row.child_id)

    answered = and_(CaseEvent.type.in_(RESPONSE_EVENTS), CaseEvent.due_at.is_not(None))
    on_time = and_(answered, CaseEvent.recorded_at <= CaseEvent.due_at)
    for row in grouped(CaseEvent, func.count(when((on_time, 1))).label("on_time"), func.count().label("due"),
                       where=or_(answered, CaseEvent.type.in_(MISSED_EVENTS))):
        yield key(row), {"on_time": row.on_time, "due": row.due}

    for row in grouped(CaseEvent, func.count(when((CaseEvent.type == "closed", 1))).label("closed"),
                       func.count().label("judged"), where=CaseEvent.type.in_(("closed", "reopened"))):
        yield key(row), {"closed": row.closed, "judged": row.judged}

    for row in grouped(CaseRevisit, func.count(when((CaseRevisit.satisfaction.in_(SATISFIED), 1))).label("satisfied"),
                       func.count(when((CaseRevisit.satisfaction == UNSATISFIED, 1))).label("unsatisfied"),
                       func.count().label("revisited"), where=CaseRevisit.id.is_not(None)):
        yield key(row), {"satisfied": row.satisfied, "revisited": row.revisited, "judged": row.unsatisfied}


def rates_workbook(*, actor, start=None, end=None, now=None):
    """三率 as an Excel sheet: the caller's total, the units below, then the departments.
    Answers (bytes, filename, ascii_filename)."""
    report = rates(actor=actor, start=start, end=end, now=now)
    rows = [_row(report["unit"]["name"], REPORTS["rates_total"], report["total"])]
    rows += [_row(u["name"], REPORTS["rates_unit"], u) for u in report["units"]]
    rows += [_row(d["name"], REPORTS["rates_department"], d) for d in report["departments"]]
    data = workbook(REPORTS["rates_sheet"], RATES_EXPORT_COLUMNS, rows)
    start, end = report["from"], report["to"]
    name = REPORTS["rates_file"].format(unit=actor.org_unit.name, start=_day(start), end=_day(end))
    return data, name, f"rates-{_day(start)}-{_day(end)}.xlsx"


def _row(name, kind, figures):
    r, s, t = figures["response"], figures["resolution"], figures["satisfaction"]
    return [name, kind, r["on_time"], r["due"], _percent(r["rate"]), s["closed"], s["judged"], _percent(s["rate"]),
            t["satisfied"], t["revisited"], _percent(t["rate"])]


def _percent(rate):
    return f"{rate * 100:.1f}%" if rate is not None else ""


def _day(value: date):
    return value.strftime("%Y%m%d")
