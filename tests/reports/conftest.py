"""A village of the tests' own, where every figure is predictable, and independent oracles
for figures on the shared demo (whose seeded cases and visits may grow)."""
import io
import statistics
from contextlib import contextmanager
from datetime import datetime
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select

from app.cases.models import Case
from app.extensions import db
from app.households.models import Household
from app.org.models import OrgUnit, User
from app.org.service import create_org_unit
from app.policy import scope
from app.visits.models import Visit


def _user(name, role, unit, phone, informant=None):
    user = User(name=name, role=role, org_unit_id=unit.id, phone=phone, informant_id=informant and informant.id,
                password_hash="!")
    db.session.add(user)
    db.session.flush()
    return user


def _household(unit, member, n):
    household = Household(org_unit_id=unit.id, member_id=member and member.id, head_name=f"测试户{n}",
                          address=f"报表测试村 {n} 号", people=2, phone=f"1350000000{n}", tags=[])
    db.session.add(household)
    db.session.flush()
    return household


@pytest.fixture
def village(demo):
    """报表测试村 under 黄牛蹄乡: 东网格 (甲党员, 4 households) and 西网格 (乙党员 with 2,
    丙党员 with none, and one household nobody covers)."""
    town = db.session.scalars(select(OrgUnit).where(OrgUnit.name == "黄牛蹄乡")).one()
    unit = create_org_unit(kind="village", name="报表测试村", parent=town)
    east = create_org_unit(kind="grid", name="东网格", parent=unit)
    west = create_org_unit(kind="grid", name="西网格", parent=unit)
    secretary = _user("报表书记", "secretary", unit, "13500000001")
    informant = _user("报表信息员", "informant", east, "13500000002")
    jia = _user("甲党员", "member", east, "13500000003", informant)
    yi = _user("乙党员", "member", west, "13500000004", informant)
    bing = _user("丙党员", "member", west, "13500000005", informant)
    homes = [_household(east, jia, n) for n in range(1, 5)] + [_household(west, yi, n) for n in (5, 6)]
    homes.append(_household(west, None, 7))
    return SimpleNamespace(unit=unit, east=east, west=west, secretary=secretary, jia=jia, yi=yi, bing=bing,
                           homes=homes)


@contextmanager
def statements():
    """Every SQL statement sent while the block runs."""
    seen = []

    def _count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", _count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", _count)


def sheet_rows(response):
    """(headers, rows) of the first sheet of an xlsx response."""
    ws = load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    return rows[0], [dict(zip(rows[0], r)) for r in rows[1:]]


def coverage_oracle(actor, since):
    """The coverage figures for `actor`, worked out in Python from the rows themselves."""
    homes = db.session.scalars(select(Household).where(scope.household_filter(actor))).all()
    ids = {h.id for h in homes}
    visits = db.session.scalars(select(Visit).where(Visit.household_id.in_(ids))).all() if ids else []
    recent = {v.household_id for v in visits if v.visited_at >= since}
    ever = {v.household_id for v in visits}
    return {"households": len(ids), "visited": len(recent), "never_visited": len(ids - ever)}


def cases_oracle(actor):
    """Case count and median hours to close for `actor`, from the rows themselves."""
    rows = db.session.scalars(select(Case).where(scope.case_filter(actor))).all()
    durations = [(c.closed_at - c.created_at).total_seconds() / 3600 for c in rows
                 if c.status == "closed" and c.merged_into_id is None]  # a merged duplicate was not solved
    median = round(statistics.median(durations), 2) if durations else None
    return SimpleNamespace(cases=rows, total=len(rows), median=median)


def parse(value):
    return datetime.fromisoformat(value)
