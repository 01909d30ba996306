"""The reconciliation lists (对账清单) as Excel workbooks, one row per case or household.

Each list is one query (last events and last visits come from grouped subqueries), so the
number of statements does not grow with the number of rows.
"""
import json
from datetime import timedelta
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import String, case, cast, func, select
from sqlalchemy.orm import aliased

from app.cases.models import Case, CaseEvent, is_overdue
from app.common.time import LOCAL_TZ, utcnow
from app.extensions import db
from app.households.models import Household, Resident
from app.households.schemas import HouseholdRow, ResidentRow
from app.households.service import unvisited_since
from app.messages import (
    CASE_EXPORT_COLUMNS,
    CATEGORIES,
    EVENT_NAMES,
    LEVEL_NAMES,
    REGISTER,
    REPORTS,
    SATISFACTION_NAMES,
    STATUS_NAMES,
    URGENCY_NAMES,
)
from app.org.models import OrgUnit, User
from app.policy import capabilities, scope
from app.policy.names import OPEN_STATUSES, Kind
from app.visits.models import Visit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel has no time zones; the lists show China Standard Time, as their readers do.
STREAM = {"yield_per": 1000}  # a district's list is fetched in batches, not held whole
WIDE = {"编号": 38, "标题": 30, "办理结果": 30, "住址": 24, "标签": 16, "电话": 14}


def cases_workbook(*, actor, now=None):
    """The problem list (问题清单) in the caller's scope. Answers (bytes, filename, ascii_filename)."""
    capabilities.require(actor, "exports.cases", REPORTS["export_cases"])
    now = now or utcnow()
    rows = (_case_row(r, now) for r in db.session.execute(_cases_query(actor), execution_options=STREAM))
    data = workbook(REPORTS["cases_sheet"], CASE_EXPORT_COLUMNS, rows)
    return data, *_filenames(actor, REPORTS["cases_file"], "cases", now)


def households_workbook(*, actor, unvisited_days=None, now=None):
    """The household list (包联户清单) in the caller's scope, with last visit and open cases, and its
    residents on a second sheet: the register (一户一档) in the columns the import reads, so the
    file can be edited and imported back. `unvisited_days`: only those not visited for N days."""
    capabilities.require(actor, "exports.households", REPORTS["export_households"])
    now = now or utcnow()
    homes = select(Household.id).where(scope.household_filter(actor))
    if unvisited_days is not None:
        homes = homes.where(unvisited_since(now - timedelta(days=unvisited_days)))
    schema, resident = HouseholdRow(), ResidentRow()
    data = book([
        (REPORTS["households_sheet"], schema.headers(),
         (schema.cells(r) for r in db.session.execute(_households_query(homes), execution_options=STREAM))),
        (REGISTER["sheet_residents"], resident.headers(),
         (resident.cells(r) for r in db.session.execute(_residents_query(homes), execution_options=STREAM))),
    ])
    pattern = REGISTER["unvisited_file"] if unvisited_days is not None else REPORTS["households_file"]
    return data, *_filenames(actor, pattern, "households", now)


def residents_workbook(*, actor, care=None, now=None):
    """家庭成员 in the caller's scope, by care category (every 独居老人 of the township ...), each
    with their household's head, member and last visit; the ID numbers masked."""
    capabilities.require(actor, "exports.households", REPORTS["export_households"])
    now = now or utcnow()
    schema = ResidentRow()
    query = _residents_query(select(Household.id).where(scope.household_filter(actor)), care=care)
    rows = (schema.cells(r) for r in db.session.execute(query, execution_options=STREAM))
    data = book([(REGISTER["sheet_residents"], schema.headers(), rows)])
    return data, *_filenames(actor, REGISTER["residents_file"], "residents", now)


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
               Case.due_at, Case.resolved_at, Case.closed_at, Case.resolution, Case.satisfaction,
               Case.merged_into_id, Household.head_name,
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
        SATISFACTION_NAMES.get(r.satisfaction, "") if r.satisfaction else "",
        str(r.merged_into_id) if r.merged_into_id else "",
    ]


def _last_visits(homes):
    return (select(Visit.household_id, func.max(Visit.visited_at).label("at"))
            .where(Visit.household_id.in_(homes)).group_by(Visit.household_id).subquery())


def _households_query(homes):
    """The households whose ids `homes` selects, as HouseholdRow reads them."""
    village, grid = aliased(OrgUnit), aliased(OrgUnit)
    last_visit = _last_visits(homes)
    open_cases = (select(Case.household_id, func.count().label("n"))
                  .where(Case.household_id.in_(homes), Case.status.in_(OPEN_STATUSES))
                  .group_by(Case.household_id).subquery())
    return (
        select(Household.household_no, village.name.label("village_name"),
               case((grid.kind == Kind.GRID, grid.name), else_="").label("grid_name"),
               Household.head_name, Household.address, Household.people, Household.phone, Household.tags,
               Household.hardship, User.name.label("member_name"), User.phone.label("member_phone"),
               func.coalesce(open_cases.c.n, 0).label("open_cases"), last_visit.c.at.label("last_visit_at"))
        .join(village, village.id == Household.village_id)
        .join(grid, grid.id == Household.org_unit_id)
        .outerjoin(User, User.id == Household.member_id)
        .outerjoin(last_visit, last_visit.c.household_id == Household.id)
        .outerjoin(open_cases, open_cases.c.household_id == Household.id)
        .where(Household.id.in_(homes))
        .order_by(Household.org_unit_id, Household.id)
    )


def _residents_query(homes, care=None):
    """The residents of the households `homes` selects, as ResidentRow reads them, household by household."""
    village = aliased(OrgUnit)
    last_visit = _last_visits(homes)
    stmt = (
        select(village.name.label("village_name"), Household.household_no, Resident.name, Resident.relation,
               Resident.gender, Resident.birth_year, Resident.phone, Resident.care,
               Resident.id_number_masked.label("id_number"), Household.head_name, User.name.label("member_name"),
               last_visit.c.at.label("last_visit_at"))
        .join(Household, Household.id == Resident.household_id)
        .join(village, village.id == Household.village_id)
        .outerjoin(User, User.id == Household.member_id)
        .outerjoin(last_visit, last_visit.c.household_id == Household.id)
        .where(Household.id.in_(homes))
        .order_by(Household.org_unit_id, Household.id, Resident.id)
    )
    if care:  # a JSON list: match its serialised element, portable across databases
        stmt = stmt.where(cast(Resident.care, String).contains(json.dumps(care), autoescape=True))
    return stmt


def local(value):
    """Aware UTC time -> naive China Standard Time, the only kind Excel can hold."""
    return value.astimezone(LOCAL_TZ).replace(tzinfo=None) if value is not None else None


def workbook(title, headers, rows):
    """A streamed (write-only) workbook of one sheet: memory stays flat however long the list."""
    return book([(title, headers, rows)])


def book(sheets):
    """A streamed workbook of (title, headers, rows) sheets."""
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        for i, header in enumerate(headers, start=1):
            ws.column_dimensions[get_column_letter(i)].width = _width(header)
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
    if isinstance(value, str):  # formatted as text too: a phone number edited in Excel stays text
        cell.data_type, cell.number_format = "s", "@"
    elif value is not None and hasattr(value, "hour"):
        cell.number_format = "yyyy-mm-dd hh:mm"
    if font is not None:
        cell.font = font
    return cell


def _filenames(actor, pattern, ascii_stem, now):
    day = local(now).strftime("%Y%m%d")
    return pattern.format(unit=actor.org_unit.name, date=day), f"{ascii_stem}-{day}.xlsx"
