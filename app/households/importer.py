"""Importing households from .xlsx or .csv: validate every row first, import all or nothing."""
import csv
import re
from collections import Counter
from pathlib import Path

from marshmallow import ValidationError
from openpyxl import load_workbook
from sqlalchemy import select

from app.errors import ApiError, describe_error
from app.extensions import db
from app.households.models import Household
from app.households.schemas import HouseholdNew
from app.households.service import check_assignable
from app.messages import IMPORT, IMPORT_COLUMNS as COLUMNS
from app.org.models import OrgUnit, User
from app.policy.names import Kind, Role

# The columns that place a row in the organisation.
VILLAGE, GRID = "village", "grid"

def read_rows(path):
    """Rows as dicts keyed by field name, numbered as the user sees them (header is row 1)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        book = load_workbook(path, read_only=True, data_only=True)
        try:  # read-only workbooks keep the file open until closed
            table = [["" if v is None else v for v in row] for row in book.active.iter_rows(values_only=True)]
        finally:
            book.close()
    elif suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as fh:
            table = list(csv.reader(fh))
    else:
        raise ApiError(IMPORT["bad_type"])
    if not table:
        raise ApiError(IMPORT["missing_columns"].format(names="、".join(c[0] for c in COLUMNS.values())))
    index = _header_index([str(h).strip() for h in table[0]])
    rows = []
    for number, raw in enumerate(table[1:], start=2):
        if all(str(v).strip() == "" for v in raw):
            continue
        rows.append((number, {key: _cell(raw, i) for key, i in index.items()}))
    return rows


def _header_index(headers):
    index, missing = {}, []
    for key, names in COLUMNS.items():
        found = next((headers.index(n) for n in names if n in headers), None)
        if found is None and key not in ("phone", "tags"):
            missing.append(names[0])
        elif found is not None:
            index[key] = found
    if missing:
        raise ApiError(IMPORT["missing_columns"].format(names="、".join(missing)))
    return index


def _cell(raw, i):
    value = raw[i] if i < len(raw) else ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, int) else str(value).strip()


class Importer:
    """Checks every row against the same rules as the API, then inserts them in one go."""

    def __init__(self):
        self.errors = []
        self.pending = Counter()
        self.seen = {}

    def run(self, rows):
        households = [h for h in (self.check(number, row) for number, row in rows) if h is not None]
        if self.errors:
            return self.errors, 0
        db.session.add_all(households)
        db.session.flush()
        return [], len(households)

    def check(self, number, row):
        try:
            grid = self._grid(row)
            member = self._member(row, grid)
            profile = self._profile(row)
            self._not_duplicate(number, grid, profile)
            check_assignable(member=member, household_unit=grid, pending=self.pending[member.id])
        except _RowError as exc:
            self.errors.append((number, str(exc)))
            return None
        except ApiError as exc:
            self.errors.append((number, exc.message))
            return None
        self.pending[member.id] += 1
        return Household(org_unit_id=grid.id, member_id=member.id, **profile)

    def _grid(self, row):
        villages = db.session.scalars(select(OrgUnit).where(
            OrgUnit.kind == Kind.VILLAGE, OrgUnit.name == row[VILLAGE])).all()
        if not villages:
            raise _RowError(IMPORT["unknown_village"].format(name=row[VILLAGE]))
        if len(villages) > 1:
            raise _RowError(IMPORT["ambiguous_village"].format(name=row[VILLAGE]))
        grid = db.session.scalars(select(OrgUnit).where(
            OrgUnit.kind == Kind.GRID, OrgUnit.parent_id == villages[0].id, OrgUnit.name == row[GRID])).first()
        if grid is None:
            raise _RowError(IMPORT["unknown_grid"].format(village=row[VILLAGE], name=row[GRID]))
        return grid

    def _member(self, row, grid):
        phone = str(row["member_phone"])
        member = db.session.scalars(select(User).where(User.phone == phone, User.role == Role.MEMBER)).first()
        if member is None:
            raise _RowError(IMPORT["unknown_member"].format(phone=phone))
        if member.org_unit_id != grid.id:
            raise _RowError(IMPORT["member_elsewhere"].format(phone=phone, grid=grid.name))
        return member

    def _profile(self, row):
        data = {k: row[k] for k in ("head_name", "address", "people", "phone") if k in row and row[k] != ""}
        if isinstance(data.get("people"), str) and data["people"].isdigit():
            data["people"] = int(data["people"])
        if isinstance(data.get("phone"), int):
            data["phone"] = str(data["phone"])
        data["tags"] = [t for t in re.split(r"[、,，;；\s]+", str(row.get("tags", ""))) if t]
        try:
            return HouseholdNew().load(data)
        except ValidationError as exc:
            raise _RowError(describe_error(exc.messages)) from None

    def _not_duplicate(self, number, grid, profile):
        key = (grid.id, profile["head_name"], profile["address"])
        if key in self.seen:
            raise _RowError(IMPORT["duplicate_in_file"].format(row=self.seen[key]))
        self.seen[key] = number
        exists = db.session.scalars(select(Household.id).where(
            Household.org_unit_id == grid.id, Household.head_name == profile["head_name"],
            Household.address == profile["address"])).first()
        if exists is not None:
            raise _RowError(IMPORT["duplicate"])


class _RowError(Exception):
    pass


def import_households(path):
    """Answers (errors, imported): errors as (row number, Chinese message); nothing is added if any."""
    return Importer().run(read_rows(path))
