"""导入: the register from a spreadsheet (.xlsx or .csv) — every cell of every row checked, a
preview of what would be created, updated and left unchanged, then all or nothing.

Rows match existing households by 户编号 in their village, so a file the app exported imports
as "nothing changed", and the same file with one cell edited updates exactly that household.
Residents match by their household and name. An import never deletes anything.

The work is a few statements for the whole file (the places and members in scope, the
households and residents of the villages it names), not a few per row.
"""
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import func, select, text
from sqlalchemy.orm import lazyload

from app import signals
from app.errors import ApiError
from app.extensions import db
from app.households import excel
from app.households.import_residents import ResidentRows
from app.households.import_tables import Places, Sheet
from app.households.models import Household, next_numbers
from app.households.service import covered_counts, follow_residents, member_problem
from app.households.sheets import HouseholdRow, same
from app.messages import HOUSEHOLD_COLUMNS, IMPORT, REGISTER, RESIDENT_COLUMNS, TEXT
from app.policy import capabilities

PROFILE = ("head_name", "address", "people", "phone", "tags", "hardship")
CHANGES_LISTED = 1000  # rows to be created or updated, listed one by one in the answer (the counts are whole)


class ImportInvalid(ApiError):
    status, code = 422, "import_invalid"


def import_file(*, actor, filename, stream, dry_run=False):
    """The preview (dry_run) or the import of an uploaded file. `actor` None: the command line,
    with the whole organisation in scope."""
    if actor is not None:
        capabilities.require(actor, "households.import", REGISTER["import"])
    tables = excel.read_upload(filename, stream, excel.Limits.from_config())
    plan = Plan(actor)
    plan.read(tables)
    result = plan.result()
    if dry_run:
        return result
    if plan.errors:
        raise ImportInvalid(IMPORT["failed"].format(count=len(plan.errors)), **result)
    plan.apply()
    return result


@dataclass
class Row:
    """A row read through its schema: its cells as loaded, the keys of the bad ones, its village."""

    number: int
    data: dict
    raw: dict
    bad: set
    home: object  # the village (OrgUnit), or None when it could not be found


@dataclass
class Entry:
    """A valid household row: where it goes, who covers it, and the household it updates, if any."""

    row: int
    home: object
    unit: object
    cover: object
    no: str
    existing: object
    fields: dict
    cover_key: str
    changed: list = field(default_factory=list)


class Plan:
    def __init__(self, actor):
        self.actor, self.places = actor, Places(actor)
        self.errors, self.changes, self.counts, self.rows = [], [], Counter(), 0
        self.households = []  # Entry per valid household row
        self.existing = {}  # (village id, 户编号) -> Household
        self.residents = ResidentRows(self)

    # reading

    def read(self, tables):
        found = {}
        for t in tables:
            headers = set(t.header)
            if headers & set(RESIDENT_COLUMNS["relation"]):
                found.setdefault("residents", Sheet(t, RESIDENT_COLUMNS, REGISTER["sheet_residents"], 1))
            elif headers & set(HOUSEHOLD_COLUMNS["head_name"]):
                found.setdefault("households", Sheet(t, HOUSEHOLD_COLUMNS, REGISTER["sheet_households"], 0))
        if not found:
            found["households"] = Sheet(excel.Table("", []), HOUSEHOLD_COLUMNS, REGISTER["sheet_households"], 0)
        home = () if self.places.default_village else ("village_name",)
        required = {"households": (*home, "grid_name", "head_name", "address", "people",
                                   ("member_name", "member_phone")),
                    "residents": (*home, "household_no", "name", "relation")}
        missing = [n for kind, t in found.items() for n in t.missing(required[kind])]
        if missing:
            raise ApiError(IMPORT["missing_columns"].format(names="、".join(missing)), code="import_refused",
                           status=422)
        loaded = {kind: self._load(t, HouseholdRow() if kind == "households" else self.residents.schema)
                  for kind, t in found.items()}
        self._load_existing({r.home.id for rows in loaded.values() for r in rows if r.home is not None})
        if "households" in loaded:
            self._households(found["households"], loaded["households"])
        if "residents" in loaded:
            self.residents.check(found["residents"], loaded["residents"])

    def error(self, sheet, row, key, message):
        self.errors.append({"sheet": sheet.name, "row": row, "column": sheet.column(key) if key else None,
                            "message": message, "order": sheet.order})

    def _load(self, sheet, schema):
        """Every row through its schema: every bad cell reported; then its village."""
        out = []
        for number, by_header, raw in sheet.rows():
            self.rows += 1
            try:
                data, bad = schema.load(by_header), set()
            except ValidationError as exc:
                data, bad = exc.valid_data or {}, set()
                for data_key, messages in exc.messages.items():
                    key = sheet.by_data_key.get(data_key, data_key)
                    bad.add(key)
                    for message in messages if isinstance(messages, list) else [messages]:
                        self.error(sheet, number, key, message)
            home = None if "village_name" in bad else self._village(sheet, number, data.get("village_name"))
            out.append(Row(number, data, raw, bad, home))
        return out

    def _village(self, sheet, number, name):
        if not name:
            if self.places.default_village is None:
                self.error(sheet, number, "village_name", IMPORT["required"])
            return self.places.default_village
        found = self.places.villages.get(name, [])
        if len(found) != 1:
            self.error(sheet, number, "village_name",
                       IMPORT["ambiguous_village" if found else "unknown_village"].format(name=name))
            return None
        return found[0]

    def _load_existing(self, village_ids):
        ids = sorted(village_ids)
        for i in range(0, len(ids), 500):
            stmt = (select(Household).where(Household.village_id.in_(ids[i:i + 500]))
                    .options(lazyload(Household.org_unit), lazyload(Household.member)))
            for h in db.session.scalars(stmt):
                self.existing[(h.village_id, h.household_no)] = h

    # households

    def _households(self, sheet, rows):
        seen_no, seen_content = {}, {}
        content = {(h.village_id, h.head_name, h.address): h for h in self.existing.values() if h.archived_at is None}
        # A number Excel read as a number lost its leading zeros: 0012 came back as 12.
        unpadded = {(v, no.lstrip("0")): no for v, no in self.existing if no.startswith("0")}
        for r in rows:
            if r.home is None:
                continue
            unit = False if "grid_name" in r.bad else self._unit(sheet, r)
            cover = False if r.bad & {"member_name", "member_phone"} else self._cover(sheet, r, unit or None)
            if r.bad or unit is False or cover is False:
                continue  # every problem of the row is reported above; the row goes no further
            unit = unit or cover.org_unit
            no, village_id = r.data.get("household_no") or "", r.home.id
            existing = self.existing.get((village_id, no)) if no else None
            if no:
                padded = unpadded.get((village_id, no)) if isinstance(r.raw.get("household_no"), (int, float)) else None
                if (village_id, no) in seen_no:
                    problem = IMPORT["duplicate_in_file"].format(row=seen_no[village_id, no])
                elif existing is None and padded:
                    problem = IMPORT["zeros_dropped"].format(no=padded)
                elif existing is not None and existing.archived_at is not None:
                    problem = IMPORT["archived"].format(no=no)
                else:
                    problem = None
                seen_no.setdefault((village_id, no), r.number)
                if problem:
                    self.error(sheet, r.number, "household_no", problem)
                    continue
            else:
                key = (village_id, r.data["head_name"], r.data["address"])
                if key in seen_content or key in content:
                    self.error(sheet, r.number, None, IMPORT["duplicate_in_file"].format(row=seen_content[key])
                               if key in seen_content else IMPORT["duplicate"])
                    continue
                seen_content[key] = r.number
            self.households.append(Entry(r.number, r.home, unit, cover, no, existing,
                                         {k: r.data.get(k) for k in PROFILE},
                                         "member_phone" if r.data.get("member_phone") else "member_name"))
        self._check_cap(sheet)
        for entry in self.households:
            self._compare(sheet, entry)

    def _unit(self, sheet, r):
        """The grid named, None when blank (the member's grid then), False after reporting a problem."""
        name = r.data.get("grid_name")
        if not name:
            if not (r.data.get("member_phone") or r.data.get("member_name")):
                self.error(sheet, r.number, "grid_name", IMPORT["required"])
                return False
            return None
        unit = self.places.grids.get((r.home.id, name))
        if unit is None:
            self.error(sheet, r.number, "grid_name", IMPORT["unknown_grid"].format(village=r.home.name, name=name))
            return False
        return unit

    def _cover(self, sheet, r, unit):
        """The covering member named by phone or by name (unique in the village), None when both
        are blank, False after reporting a problem."""
        phone, name = r.data.get("member_phone"), r.data.get("member_name")
        key = "member_phone" if phone else "member_name"
        if not phone and not name:
            return None
        if phone:
            person = self.places.by_phone.get(phone)
            if person is None:
                self.error(sheet, r.number, key, IMPORT["unknown_member"].format(who=phone))
                return False
            if name and name != person.name:
                self.error(sheet, r.number, "member_name", IMPORT["member_mismatch"].format(name=person.name))
                return False
        else:
            found = self.places.by_name.get((r.home.id, name), [])
            if len(found) != 1:
                self.error(sheet, r.number, key, IMPORT["ambiguous_member" if found else "unknown_member"].format(
                    name=name, who=name))
                return False
            person = found[0]
        problem = member_problem(person, unit or r.home)
        if problem is None and unit is not None and person.org_unit_id != unit.id:
            problem = IMPORT["member_elsewhere"].format(phone=phone or name, grid=unit.name)
        if problem:
            self.error(sheet, r.number, key, problem)
            return False
        return person

    def _check_cap(self, sheet):
        """Members gaining households stay under the cap, counted in file order."""
        gains = [e for e in self.households if e.cover is not None
                 and (e.existing is None or e.existing.member_id != e.cover.id)]
        if not gains:
            return
        losses = Counter(e.existing.member_id for e in self.households
                         if e.existing is not None and e.existing.member_id is not None
                         and e.existing.member_id != (e.cover.id if e.cover else None))
        covered = covered_counts([e.cover.id for e in gains])
        cap = current_app.config["HOUSEHOLDS_PER_MEMBER"]
        running = {e.cover.id: covered.get(e.cover.id, 0) - losses[e.cover.id] for e in gains}
        for entry in gains:
            if running[entry.cover.id] >= cap:
                self.error(sheet, entry.row, entry.cover_key, TEXT["member_cap"].format(cap=cap))
                self.households.remove(entry)
                continue
            running[entry.cover.id] += 1

    def _compare(self, sheet, entry):
        existing, fields = entry.existing, entry.fields
        if existing is None:
            return self.record(sheet, entry.row, "created", entry.no or None, fields["head_name"], [])
        changed = [k for k in PROFILE if not same(getattr(existing, k), fields[k])]
        if existing.org_unit_id != entry.unit.id:
            changed.append("grid_name")
        if existing.member_id != (entry.cover.id if entry.cover else None):
            changed.append(entry.cover_key)
        entry.changed = changed
        self.record(sheet, entry.row, "updated" if changed else "unchanged", entry.no, fields["head_name"], changed)

    def record(self, sheet, row, action, no, name, changed):
        self.counts[action] += 1
        if action != "unchanged":
            self.changes.append({"sheet": sheet.name, "row": row, "action": action, "household_no": no,
                                 "name": name, "columns": [sheet.column(k) for k in changed]})

    def result(self):
        self.errors.sort(key=lambda e: (e["order"], e["row"]))
        errors = [{k: v for k, v in e.items() if k != "order"} for e in self.errors]
        return {"rows": self.rows, "created": self.counts["created"], "updated": self.counts["updated"],
                "unchanged": self.counts["unchanged"], "errors": errors, "changes": self.changes[:CHANGES_LISTED],
                "changes_listed": min(len(self.changes), CHANGES_LISTED)}

    # writing

    def apply(self):
        """Write what the plan found; the plan has no errors."""
        new, moved, made = [], [], {}
        by_village = defaultdict(list)
        for entry in self.households:
            if entry.existing is None:
                by_village[entry.home.id].append(entry)
        ids = iter(_reserve_ids(sum(len(entries) for entries in by_village.values())))
        for village_id, entries in by_village.items():
            numbers = next_numbers(db.session, village_id, [e.no for e in entries if e.no])
            for e in entries:
                household = Household(id=next(ids), org_unit_id=e.unit.id, member_id=e.cover.id if e.cover else None,
                                      village_id=village_id, household_no=e.no or next(numbers), **e.fields)
                new.append(household)
                if e.no:  # residents can name only a new household whose number the file gives
                    made[(village_id, e.no)] = household
        for entry in self.households:
            h = entry.existing
            if h is None or not entry.changed:
                continue
            for k in PROFILE:
                setattr(h, k, entry.fields[k])
            if h.org_unit_id != entry.unit.id or h.member_id != (entry.cover.id if entry.cover else None):
                h.org_unit, h.member = entry.unit, entry.cover
                moved.append(h)
        db.session.add_all(new)
        db.session.flush()
        for household in moved:
            signals.household_moved.send(household, actor=self.actor)
        for household, residents in self.residents.apply(made).items():
            follow_residents(household, residents)
        db.session.flush()


def _reserve_ids(n):
    """Ids for `n` new households, taken up front: with its keys known the insert needs no
    RETURNING, so it goes as one prepared statement executed many times instead of pages of
    thousands of bound values (which psycopg would parse in Python, page by page). On SQLite the
    writer holds the database's lock (a request that writes begins IMMEDIATE), so max + 1 is safe."""
    if not n:
        return []
    if db.session.get_bind().dialect.name == "postgresql":
        return db.session.scalars(text("SELECT nextval(pg_get_serial_sequence('households', 'id')) "
                                       "FROM generate_series(1, :n)"), {"n": n}).all()
    first = db.session.scalar(select(func.coalesce(func.max(Household.id), 0))) + 1
    return range(first, first + n)

