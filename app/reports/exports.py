"""The reconciliation lists (对账清单) as Excel workbooks, one row per case or household.

Each list is one query (last events and last visits come from grouped subqueries), so the
number of statements does not grow with the number of rows.
"""
from datetime import timedelta, timezone
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.cases.models import Case, CaseEvent, is_overdue
from app.common.time import utcnow
from app.extensions import db
from app.households.models import Household
from app.messages import (
    CASE_EXPORT_COLUMNS,
    CATEGORIES,
    EVENT_NAMES,
    HOUSEHOLD_EXPORT_COLUMNS,
    LEVEL_NAMES,
    REPORTS,
    STATUS_NAMES,
    URGENCY_NAMES,
)
from app.org.models import OrgUnit, User
from app.policy import capabilities, scope
from app.policy.names import OPEN_STATUSES, Kind
from app.visits.models import Visit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel has no time zones; the lists show China Standard Time, as their readers do.
LOCAL_TZ = timezone(timedelta(hours=8))
STREAM = {"yield_per": 1000}  # a district's list is fetched in batches, not held whole
WIDE = {"编号": 38, "标题": 30, "办理结果": 30, "住址": 24, "标签": 16, "电话": 14}


def cases_workbook(*, actor, now=None):
    """The problem list (问题清单) in the caller's scope. Answers (bytes, filename, ascii_filename)."""
    capabilities.require(actor, "exports.cases", REPORTS["export_cases"])
    now = now or utcnow()
    rows = (_case_row(r, now) for r in db.session.execute(_cases_query(actor), execution_options=STREAM))
    data = workbook(REPORTS["cases_sheet"], CASE_EXPORT_COLUMNS, rows)
    return data, *_filenames(actor, REPORTS["cases_file"], "cases", now)


def households_workbook(*, actor, now=None):
    """The household list (包联户清单) in the caller's scope, with last visit and open cases."""
    capabilities.require(actor, "exports.households", REPORTS["export_households"])
    now = now or utcnow()
    rows = (_household_row(r) for r in db.session.execute(_households_query(actor), execution_options=STREAM))
    data = workbook(REPORTS["households_sheet"], HOUSEHOLD_EXPORT_COLUMNS, rows)
    return data, *_filenames(actor, REPORTS["households_file"], "households", now)


def _units():
    """The household's own unit (a grid, normally) and the one above it (its village)."""
    return aliased(OrgUnit), aliased(OrgUnit)


def _place(row):
    """(village, grid) names; a household hung on a village directly has no grid."""
    if row.unit_kind == Kind.GRID:
        return row.parent_name or "", row.unit_name
    return row.unit_name, ""


def _last_events(actor):
    ranked = (
        select(CaseEvent.case_id, CaseEvent.type, CaseEvent.at,
               func.row_number().over(partition_by=CaseEvent.case_id,
                                      order_by=(CaseEvent.recorded_at.desc(), CaseEvent.at.desc(),
                                                CaseEvent.id.desc())).label("rn"))
        .where(CaseEvent.case_id.in_(select(Case.id).where(scope.case_filter(actor))))
        .subquery()
    )
    return select(ranked.c.case_id, ranked.c.type, ranked.c.at).where(ranked.c.rn == 1).subquery()


def _cases_query(actor):
    unit, parent = _units()
    holder, holder_unit = aliased(User), aliased(OrgUnit)
    last = _last_events(actor)
    return (
        select(Case.id, Case.category, Case.title, Case.urgency, Case.status, Case.level, Case.opened_at,
               Case.due_at, Case.resolved_at, Case.closed_at, Case.resolution, Household.head_name,
               unit.kind.label("unit_kind"), unit.name.label("unit_name"), parent.name.label("parent_name"),
               holder.name.label("holder_name"), holder_unit.name.label("holder_unit_name"),
               last.c.type.label("last_type"), last.c.at.label("last_at"))
        .select_from(Case)
        .join(Household, Household.id == Case.household_id)
        .join(unit, unit.id == Household.org_unit_id)
        .outerjoin(parent, parent.id == unit.parent_id)
        .outerjoin(holder, holder.id == Case.holder_id)
        .outerjoin(holder_unit, holder_unit.id == Case.holder_unit_id)
        .outerjoin(last, last.c.case_id == Case.id)
        .where(scope.case_filter(actor))
        .order_by(Case.created_at, Case.id)
    )


def _case_row(r, now):
    """Every time is the actor's (opened_at, not the server's receipt), as on the timeline."""
    village, grid = _place(r)
    return [
        str(r.id), r.head_name, village, grid, CATEGORIES.get(r.category, r.category), r.title,
        URGENCY_NAMES.get(r.urgency, r.urgency), STATUS_NAMES.get(r.status, r.status),
        LEVEL_NAMES.get(r.level, r.level), r.holder_name or r.holder_unit_name or "",
        local(r.opened_at), local(r.due_at), REPORTS["yes"] if is_overdue(r, now) else REPORTS["no"],
        local(r.resolved_at), local(r.closed_at), r.resolution or "",
        EVENT_NAMES.get(r.last_type, r.last_type) if r.last_type else "", local(r.last_at),
    ]


def _households_query(actor):
    unit, parent = _units()
    scoped = select(Household.id).where(scope.household_filter(actor))
    last_visit = (select(Visit.household_id, func.max(Visit.visited_at).label("at"))
                  .where(Visit.household_id.in_(scoped)).group_by(Visit.household_id).subquery())
    open_cases = (select(Case.household_id, func.count().label("n"))
                  .where(Case.household_id.in_(scoped), Case.status.in_(OPEN_STATUSES))
                  .group_by(Case.household_id).subquery())
    return (
        select(Household.head_name, Household.address, Household.people, Household.phone, Household.tags,
               Household.hardship, unit.kind.label("unit_kind"), unit.name.label("unit_name"),
               parent.name.label("parent_name"), User.name.label("member_name"),
               last_visit.c.at.label("last_visit_at"), open_cases.c.n.label("open_cases"))
        .join(unit, unit.id == Household.org_unit_id)
        .outerjoin(parent, parent.id == unit.parent_id)
        .outerjoin(User, User.id == Household.member_id)
        .outerjoin(last_visit, last_visit.c.household_id == Household.id)
        .outerjoin(open_cases, open_cases.c.household_id == Household.id)
        .where(scope.household_filter(actor))
        .order_by(Household.org_unit_id, Household.id)
    )


def _household_row(r):
    village, grid = _place(r)
    return [
        r.head_name, r.address, r.people, r.phone or "", "、".join(r.tags or []),
        REPORTS["yes"] if r.hardship else REPORTS["no"], village, grid, r.member_name or "",
        local(r.last_visit_at), r.open_cases or 0,
    ]


def local(value):
    """Aware UTC time -> naive China Standard Time, the only kind Excel can hold."""
    return value.astimezone(LOCAL_TZ).replace(tzinfo=None) if value is not None else None


def workbook(title, headers, rows):
    """A streamed (write-only) workbook: memory stays flat however long the list."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _width(header)
    bold = Font(bold=True)
    ws.append([_cell(ws, h, font=bold) for h in headers])
    for row in rows:
        ws.append([_cell(ws, v) for v in row])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _width(header):
    """Room for what the column holds: ids, times and free text are wider than their headers."""
    if header.endswith("时间"):
        return 18
    return WIDE.get(header, max(8, 2 * len(header) + 2))


def _cell(ws, value, font=None):
    """Text stays text: never a formula (a title typed as "=..."), never an illegal character."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(ws, value)
    if isinstance(value, str):
        cell.data_type = "s"
    elif value is not None and hasattr(value, "hour"):
        cell.number_format = "yyyy-mm-dd hh:mm"
    if font is not None:
        cell.font = font
    return cell


def _filenames(actor, pattern, ascii_stem, now):
    day = local(now).strftime("%Y%m%d")
    return pattern.format(unit=actor.org_unit.name, date=day), f"{ascii_stem}-{day}.xlsx"
