"""A secretary's and a township officer's case list is read village by village (a case carries
its household's village): the same cases, in the same order and pages, as their scope holds."""
import uuid
from datetime import timedelta

from sqlalchemy import select

from app.cases.models import Case
from app.common.time import utcnow
from app.extensions import db
from app.households.models import Household
from app.org.models import OrgUnit
from app.org.service import create_org_unit
from app.policy.names import Kind
from tests.cases.test_routes import _body


def _unit(name):
    return db.session.scalars(select(OrgUnit).where(OrgUnit.name == name)).first()


def _case(home, opener, created_at, title):
    """A case put straight in, without its village: it takes its household's."""
    case = Case(id=uuid.uuid4(), household_id=home.id, category="other", title=title, description="",
                urgency="normal", status="open", level="member", opened_by_id=opener.id, opened_at=created_at,
                created_at=created_at, updated_at=created_at)
    db.session.add(case)
    db.session.flush()
    return case


def _second_village(chain, jiang):
    """A second village of 辛安泉镇 (one grid, one household) and cases in both villages, opened
    alternately a minute apart, the last two in the same instant."""
    town = _unit("辛安泉镇")
    village = create_org_unit(kind=Kind.VILLAGE, name="东流村", parent=town)
    grid = create_org_unit(kind=Kind.GRID, name="第一网格", parent=village)
    home = Household(org_unit=grid, head_name="李东", address="东流村一组 1 号", people=2)
    db.session.add(home)
    db.session.flush()
    start = utcnow() - timedelta(hours=1)
    made = [_case(home if i % 2 else jiang, chain["member"], start + timedelta(minutes=min(i, 4)), f"问题{i}")
            for i in range(6)]
    return village, grid, home, made


def _ids(client, query="", limit=2):
    out, cursor = [], None
    while True:
        page = client.get(f"/api/cases?limit={limit}{query}" + (f"&cursor={cursor}" if cursor else "")).get_json()
        out += [c["id"] for c in page["items"]]
        cursor = page["next"]
        if cursor is None:
            return out


def test_a_case_carries_its_households_village(login, chain, jiang):
    village, _, home, made = _second_village(chain, jiang)
    assert [c.village_id for c in made[:2]] == [jiang.village_id, village.id]
    assert home.village_id == village.id
    shi = login("石水奇")
    opened = shi.post("/api/cases", json=_body(jiang.id)).get_json()
    assert db.session.get(Case, uuid.UUID(opened["id"])).village_id == _unit("西流南村").id


def test_a_township_lists_the_cases_of_all_its_villages_newest_first(login, chain, jiang):
    village, _, _, made = _second_village(chain, jiang)
    town = _unit("辛安泉镇")
    # Every case on a household placed anywhere under the township, newest first (ties: larger id first).
    expected = db.session.execute(
        select(Case.id, Case.created_at).join(Household, Household.id == Case.household_id)
        .join(OrgUnit, OrgUnit.id == Household.org_unit_id).where(OrgUnit.path.startswith(town.path))).all()
    expected = [str(i) for i, _ in sorted(expected, key=lambda r: (r[1], r[0]), reverse=True)]
    officer = login(role="township", unit="辛安泉镇")
    listed = _ids(officer)
    assert listed == expected
    assert _ids(officer, limit=1) == expected  # a page ends between the two opened in the same instant too
    ours = {str(c.id) for c in made}
    assert [i for i in listed if i in ours] == \
        [str(c.id) for c in sorted(made[4:], key=lambda c: c.id, reverse=True)] + [str(made[i].id) for i in (3, 2, 1, 0)]
    assert listed == [c["id"] for c in officer.get("/api/cases?limit=200").get_json()["items"]]


def test_the_filters_narrow_a_township_list(login, chain, jiang):
    village, grid, home, made = _second_village(chain, jiang)
    officer = login(role="township", unit="辛安泉镇")
    mine = [str(made[i].id) for i in (5, 3, 1)]  # 东流村's, newest first
    assert _ids(officer, f"&org_unit_id={village.id}") == mine
    assert _ids(officer, f"&org_unit_id={grid.id}") == mine
    first_grid = db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id == _unit("西流南村").id,
                                                          OrgUnit.name == "第一网格")).one()
    in_first_grid = _ids(officer, f"&org_unit_id={first_grid.id}")
    assert {str(made[i].id) for i in (0, 2, 4)} <= set(in_first_grid) and not set(mine) & set(in_first_grid)
    assert _ids(officer, f"&org_unit_id={_unit('黄牛蹄村').id}") == []  # a neighbour township's village
    assert _ids(officer, "&org_unit_id=999999") == []
    assert _ids(officer, f"&household_id={home.id}") == mine
    assert _ids(officer, "&status=closed&category=other") == []


def test_a_secretary_sees_their_own_village_only(login, chain, jiang):
    _, _, _, made = _second_village(chain, jiang)
    listed = _ids(login("赵红梅"))
    assert {str(made[i].id) for i in (0, 2, 4)} <= set(listed)
    assert not {str(made[i].id) for i in (1, 3, 5)} & set(listed)
