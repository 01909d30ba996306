"""/api/households lists grid by grid (grids by id), by id within a grid: the order a page can be
read in from the scope's grids alone, wherever their households sit in the table."""
from sqlalchemy import func, select

from app.extensions import db
from app.households.models import Household
from app.org.models import OrgUnit
from tests.households.test_routes import all_items

NEW = {"head_name": "新来户", "address": "西流南村一组 99 号", "people": 2, "phone": "13711112222"}


def test_a_household_added_later_is_listed_with_its_grid(login, demo):
    secretary = login("赵红梅")  # 西流南村: 第一网格 and 第二网格, 60 households each
    grids = sorted((u.org_unit for u in demo.users.values()
                    if u.role == "member" and u.org_unit.path.startswith(demo["赵红梅"].org_unit.path)),
                   key=lambda g: g.id)
    first, second = grids[0], grids[-1]
    assert first.id != second.id
    res = secretary.post("/api/households", json={**NEW, "org_unit_id": first.id})
    assert res.status_code == 201, res.get_json()
    added = res.get_json()["id"]  # the newest household: a larger id than any of the second grid's

    items = all_items(secretary, page=7)
    grid_of = [h["org_unit"]["id"] for h in items]
    assert grid_of == [first.id] * 61 + [second.id] * 60
    ids = [h["id"] for h in items]
    assert ids[60] == added
    assert ids[:61] == sorted(ids[:61]) and ids[61:] == sorted(ids[61:])
    assert added > max(ids[61:])


def test_the_township_walks_every_grid_once(login, demo):
    officer = next(u for u in demo.users.values() if u.role == "township")
    items = all_items(login(officer.name), page=13)
    keys = [(h["org_unit"]["id"], h["id"]) for h in items]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    placed = db.session.scalar(select(func.count()).select_from(Household).join(
        OrgUnit, OrgUnit.id == Household.org_unit_id).where(OrgUnit.path.startswith(officer.org_unit.path),
                                                           Household.archived_at.is_(None)))
    assert len(keys) == placed
