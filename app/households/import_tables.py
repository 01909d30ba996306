"""What an import reads against: the places and members in the importer's scope, and each
sheet's columns as the register's column specs name them (any of a column's accepted headers)."""
from collections import defaultdict

from sqlalchemy import select

from app.extensions import db
from app.households.models import village_id_of
from app.households.sheets import as_text
from app.messages import REGISTER
from app.org.models import OrgUnit, User
from app.policy import scope
from app.policy.names import Kind, Role


class Places:
    """The villages, grids and members in scope, looked up by name and phone."""

    def __init__(self, actor):
        stmt = select(OrgUnit).where(OrgUnit.kind.in_((Kind.VILLAGE, Kind.GRID)))
        if actor is not None:
            stmt = stmt.where(scope.org_unit_filter(actor))
        units = db.session.scalars(stmt).all()
        self.villages = defaultdict(list)
        self.grids = {}
        for unit in units:
            if unit.kind == Kind.VILLAGE:
                self.villages[unit.name].append(unit)
            else:
                self.grids[(unit.parent_id, unit.name)] = unit
        only = [u for us in self.villages.values() for u in us]
        self.default_village = only[0] if len(only) == 1 else None
        ids = [u.id for u in units]
        members = db.session.scalars(select(User).where(User.role == Role.MEMBER, User.org_unit_id.in_(ids))).all() \
            if ids else []
        self.by_phone = {m.phone: m for m in members}
        self.by_name = defaultdict(list)
        for m in members:
            self.by_name[(village_id_of(m.org_unit), m.name)].append(m)


class Sheet:
    """A sheet read with one of the register's column specs: which column holds which field."""

    def __init__(self, table, spec, label, order):
        # errors name the sheet as the file does (a CSV has one table: its kind's name)
        self.table, self.spec, self.order = table, spec, order
        self.name = table.sheet if table.sheet not in ("", "CSV") else label
        aliases = {alias: key for key, names in spec.items() for alias in names}
        self.index, self.header = {}, {}
        for i, text in enumerate(table.header):
            key = aliases.get(text)
            if key is not None and key not in self.index:
                self.index[key], self.header[key] = i, text
        self.by_data_key = {names[0]: key for key, names in spec.items()}

    def missing(self, required):
        """Names of required columns absent; a tuple in `required` means one of them."""
        out = []
        for need in required:
            options = need if isinstance(need, tuple) else (need,)
            if not any(k in self.index for k in options):
                out.append("或".join(_names(self.spec[k]) for k in options))
        return out

    def rows(self):
        """(row number, {data key: cell}, {key: cell}) for each data row but the template's example."""
        for number, cells in self.table.rows:
            raw = {key: cells[i] if i < len(cells) else None for key, i in self.index.items()}
            if as_text(raw.get("household_no")) == REGISTER["example"]:
                continue
            yield number, {self.spec[k][0]: "" if v is None else v for k, v in raw.items()}, raw  # a blank cell is ""

    def column(self, key):
        return self.header.get(key, self.spec[key][0])


def _names(names):
    chinese = [n for n in names if not n.isascii()]
    return chinese[0] + (f"（或 {'、'.join(chinese[1:])}）" if len(chinese) > 1 else "")
