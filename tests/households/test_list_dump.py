"""The household list writes its rows out by hand (the hot path); they must stay exactly what
HouseholdOut, the schema the OpenAPI document declares for them, would write."""
import uuid

from sqlalchemy import select

from app.extensions import db
from app.households.models import Household
from app.households.schemas import HouseholdOut
from app.households.service import with_last_visits
from tests.conftest import visit_body


def schema_dump(ids):
    homes = db.session.scalars(select(Household).where(Household.id.in_(ids)).order_by(Household.id)).all()
    return [HouseholdOut().dump(view) for view in with_last_visits(homes)]


def test_the_list_is_what_the_schema_would_write(login, jiang):
    shi = login("石水奇")
    assert shi.post("/api/visits", json=visit_body(jiang.id)).status_code == 201
    assert shi.post("/api/cases", json={"id": str(uuid.uuid4()), "household_id": jiang.id, "category": "other",
                                        "title": "测试"}).status_code == 201
    items = shi.get("/api/households?limit=200").get_json()["items"]
    assert any(h["last_visit"] for h in items) and any(h["open_cases"] for h in items)
    assert any(h["last_visit"] is None for h in items)
    db.session.expire_all()
    assert items == schema_dump([h["id"] for h in items])


def test_archived_households_too(login, jiang):
    secretary = login("赵红梅")
    res = secretary.delete(f"/api/households/{jiang.id}", json={"reason": "moved_out", "note": "迁往县城"})
    assert res.status_code == 200, res.get_json()
    items = secretary.get("/api/households?archived=1").get_json()["items"]
    assert [h["id"] for h in items] == [jiang.id] and items[0]["archived_at"]
    db.session.expire_all()
    assert items == schema_dump([jiang.id])
