"""下载模板: the import template — the register's two tables with Chinese headers and one
example row each, drop-down lists where a column has fixed values, the columns that hold
numbers-as-text (户编号, phones, ID numbers) formatted as text so Excel keeps their leading
zeros, a 说明 sheet for every column, and the caller's grids and members to pick from."""
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from app.extensions import db
from app.households.sheets import HouseholdRow, ResidentRow
from app.messages import (
    CARE,
    GENDERS,
    HOUSEHOLD_COLUMNS,
    HOUSEHOLD_TAGS,
    REGISTER,
    REGISTER_HELP,
    RELATIONS,
    REPORTS,
    RESIDENT_COLUMNS,
)
from app.org.models import OrgUnit, User
from app.policy import capabilities, scope
from app.policy.names import Kind, Role

TEXT_COLUMNS = ("household_no", "phone", "member_phone", "id_number")
FILLED_ROWS = 500  # rows prepared (text format, drop-downs) below the example
REQUIRED = {"households": ("head_name", "address", "people", "grid_name"),
            "residents": ("household_no", "name", "relation")}


def template(*, actor):
    """The workbook's bytes."""
    capabilities.require(actor, "households.import", REGISTER["import"])
    places = _places(actor)
    village, grid, member = places[0] if places else ("", "", None)
    book = Workbook()
    households = book.active
    households.title = REGISTER["sheet_households"]
    _table(households, HOUSEHOLD_COLUMNS, HouseholdRow.headers(info=False), [
        REGISTER["example"], village, grid, "张建国", "一组 8 号", 3, "13800000000", HOUSEHOLD_TAGS[0], REPORTS["no"],
        member.name if member else "", member.phone if member else ""],
        {"hardship": (REPORTS["yes"], REPORTS["no"]), "tags": None})
    residents = book.create_sheet(REGISTER["sheet_residents"])
    _table(residents, RESIDENT_COLUMNS, ResidentRow.headers(info=False), [
        village, REGISTER["example"], "张建国", RELATIONS["head"], GENDERS["male"], 1958, "", CARE["elderly_alone"],
        ""],
        {"relation": tuple(RELATIONS.values()), "gender": tuple(GENDERS.values())})
    _help(book.create_sheet(REGISTER["sheet_help"]))
    _place_list(book.create_sheet(REGISTER["sheet_places"]), places)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _table(ws, spec, headers, example, choices):
    keys = {names[0]: key for key, names in spec.items()}
    ws.append(headers)
    ws.append(example)
    ws.freeze_panes = "A2"
    for i, header in enumerate(headers, start=1):
        letter, key = get_column_letter(i), keys[header]
        ws.cell(1, i).font = Font(bold=True)
        ws.column_dimensions[letter].width = max(10, 2 * len(header) + 4)
        if key in TEXT_COLUMNS:
            ws.column_dimensions[letter].width = 20
            for row in range(2, FILLED_ROWS + 2):
                ws.cell(row, i).number_format = "@"
        allowed = choices.get(key)
        if allowed:
            rule = DataValidation(type="list", formula1='"' + ",".join(allowed) + '"', allow_blank=True)
            rule.add(f"{letter}2:{letter}{FILLED_ROWS + 1}")
            ws.add_data_validation(rule)


def _help(ws):
    ws.append([REGISTER["help_intro"]])
    ws.merge_cells("A1:C1")
    ws["A1"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[1].height = 60
    ws.append([])
    ws.append(list(REGISTER["help_header"]))
    for cell in ws[3]:
        cell.font = Font(bold=True)
    lists = {"tags": "、".join(HOUSEHOLD_TAGS), "relations": "、".join(RELATIONS.values()),
             "care": "、".join(CARE.values())}
    for title, spec, schema, required in (
            (REGISTER["sheet_households"], HOUSEHOLD_COLUMNS, HouseholdRow, REQUIRED["households"]),
            (REGISTER["sheet_residents"], RESIDENT_COLUMNS, ResidentRow, REQUIRED["residents"])):
        ws.append([title])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        keys = {names[0]: key for key, names in spec.items()}
        for header in schema.headers():
            key = keys[header]
            info = header not in schema.headers(info=False)
            need = REGISTER["ignored"] if info else REGISTER["required" if key in required else "optional"]
            ws.append([header, need, REGISTER_HELP.get(key, "").format(**lists)])
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 22
    ws.column_dimensions["C"].width = 80


def _places(actor):
    """(village, grid, member or None) for every grid in scope, members listed."""
    grids = db.session.scalars(select(OrgUnit).where(OrgUnit.kind == Kind.GRID, scope.org_unit_filter(actor))
                               .order_by(OrgUnit.path)).all()
    villages = {u.id: u.name for u in db.session.scalars(select(OrgUnit).where(
        OrgUnit.id.in_({g.parent_id for g in grids})))} if grids else {}
    members = db.session.scalars(select(User).where(User.role == Role.MEMBER, User.active,
                                                    User.org_unit_id.in_([g.id for g in grids]))
                                 .order_by(User.id)).all() if grids else []
    out = []
    for grid in grids:
        mine = [m for m in members if m.org_unit_id == grid.id] or [None]
        out.extend((villages.get(grid.parent_id, ""), grid.name, m) for m in mine)
    return out


def _place_list(ws, places):
    ws.append(list(REGISTER["places_header"]))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for village, grid, member in places:
        ws.append([village, grid, member.name if member else "", member.phone if member else ""])
    for letter, width in zip("ABCD", (14, 12, 10, 16), strict=True):
        ws.column_dimensions[letter].width = width
