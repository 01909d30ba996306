"""SQL pieces the reports share: the caller's breakdown units and portable time arithmetic."""
from sqlalchemy import Float, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from app.extensions import db
from app.org.models import OrgUnit
from app.policy.names import Kind


def child_units(actor):
    """The org units one level below the caller's own: the rows of every breakdown."""
    return db.session.execute(
        select(OrgUnit.id, OrgUnit.kind, OrgUnit.name)
        .where(OrgUnit.parent_id == actor.org_unit_id, OrgUnit.kind != Kind.DEPARTMENT)
        .order_by(OrgUnit.id)
    ).all()


def unit_map(actor):
    """(unit_id, child_id) for every unit under one of the caller's child units.

    Households hang on grids; joining through this maps each to the child it lies under,
    so one GROUP BY child_id gives the breakdown. Paths hold only digits and slashes.
    """
    unit, child = aliased(OrgUnit), aliased(OrgUnit)
    return (
        select(unit.id.label("unit_id"), child.id.label("child_id"))
        .join(child, unit.path.startswith(child.path))
        .where(child.parent_id == actor.org_unit_id, child.kind != Kind.DEPARTMENT)
        .subquery()
    )


def unit_ref(row):
    return {"id": row.id, "kind": row.kind, "name": row.name}


def ratio(part, whole):
    return round(part / whole, 4) if whole else None


class hours_between(FunctionElement):
    """Hours from the first timestamp to the second, on SQLite and PostgreSQL."""

    type = Float()
    inherit_cache = True
    name = "hours_between"


@compiles(hours_between)
def _hours_between_pg(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 3600.0)"


@compiles(hours_between, "sqlite")
def _hours_between_sqlite(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 24.0)"
