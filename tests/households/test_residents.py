"""家庭成员: residents of a household, their ID numbers (checked by GB 11643's check digit,
encrypted at rest, masked, shown in full only to secretaries and above on request, every such
view logged), the household's tags following their care categories, and 重点人群 lists."""
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from app.extensions import db
from app.households import id_numbers
from app.households.models import Household, IdNumberView, Resident
from app.messages import GENDERS, REGISTER
from tests.households.files import ID_MAN_1990, ID_WOMAN_1966

FEB_30 = "14042619660230402" + id_numbers.check_digit("14042619660230402")  # a right check digit, no such day


def add(client, household_id, **body):
    res = client.post(f"/api/households/{household_id}/residents", json={"relation": "other", **body})
    assert res.status_code == 201, res.get_json()
    return res.get_json()


@pytest.fixture
def her(login, jiang):
    """姜彩凤 herself, with her ID number, entered by the secretary."""
    return add(login("赵红梅"), jiang.id, name="姜彩凤", relation="head", id_number=ID_WOMAN_1966.lower(),
               care=["dibao"])


def test_id_numbers_are_encrypted_masked_and_birth_data_read_from_them(her):
    assert her["id_number"] == "140***********402X"
    assert (her["birth_year"], her["gender"]) == (1966, "female")
    stored = db.session.execute(text("SELECT id_number_token, id_number_masked FROM residents WHERE id = :i"),
                                {"i": her["id"]}).one()
    assert ID_WOMAN_1966 not in stored[0] and "19660315" not in stored[0]
    assert id_numbers.decrypt(stored[0]) == ID_WOMAN_1966 and stored[1] == "140***********402X"


@pytest.mark.parametrize("body, field, message", [
    ({"id_number": "140426196603154021"}, "id_number", REGISTER["id_check_digit"]),
    ({"id_number": "14042619660315402"}, "id_number", REGISTER["id_format"]),
    ({"id_number": FEB_30}, "id_number", REGISTER["id_birth_date"]),
    ({"id_number": ID_WOMAN_1966, "birth_year": 1970}, "birth_year", REGISTER["id_year"].format(year=1966)),
    ({"id_number": ID_MAN_1990, "gender": "female"}, "gender", REGISTER["id_gender"].format(gender=GENDERS["male"])),
    ({"relation": "head"}, "relation", REGISTER["one_head"]),  # she is the head already
])
def test_bad_residents_are_refused_with_the_field_named(login, jiang, her, body, field, message):
    res = login("赵红梅").post(f"/api/households/{jiang.id}/residents",
                               json={"name": "某人", "relation": "other", **body})
    assert res.status_code == 422, res.get_json()
    assert res.get_json()["error"]["fields"] == {field: [message]}


def test_who_sees_what_of_a_residents_id_number(login, jiang, her, demo):
    for who, shown in (("石水奇", None), (demo["石水奇"].informant.name, None), ("赵红梅", "140***********402X"),
                       ("王建军", "140***********402X")):
        listed = login(who).get(f"/api/households/{jiang.id}/residents").get_json()["items"]
        assert [(r["name"], r["id_number"]) for r in listed] == [("姜彩凤", shown)], who
        assert login(who).get(f"/api/residents/{her['id']}").get_json()["id_number"] == shown
    assert login("孙保平").get(f"/api/residents/{her['id']}").status_code == 404  # another village


def test_every_full_view_is_logged_and_only_secretaries_and_above_may(login, her, demo):
    secretary, township = login("赵红梅"), login("王建军")
    assert login("石水奇").post(f"/api/residents/{her['id']}/reveal").status_code == 403
    assert login("孙保平").post(f"/api/residents/{her['id']}/reveal").status_code == 404
    assert db.session.scalars(select(IdNumberView)).all() == []
    for client in (secretary, township, secretary):
        res = client.post(f"/api/residents/{her['id']}/reveal")
        assert res.status_code == 200 and res.get_json() == {"id": her["id"], "id_number": ID_WOMAN_1966}
        assert res.headers["Cache-Control"] == "no-store"
    log = db.session.scalars(select(IdNumberView).order_by(IdNumberView.id)).all()
    assert [(v.resident_id, v.viewer_id) for v in log] == [
        (her["id"], demo["赵红梅"].id), (her["id"], demo["王建军"].id), (her["id"], demo["赵红梅"].id)]
    assert all(v.at is not None for v in log) and log[0].at <= log[1].at <= log[2].at


def test_no_id_number_nothing_to_reveal_nothing_logged(login, jiang):
    someone = add(login("赵红梅"), jiang.id, name="李小明", relation="grandchild", birth_year=2015)
    res = login("赵红梅").post(f"/api/residents/{someone['id']}/reveal")
    assert res.get_json() == {"id": someone["id"], "id_number": None}
    assert db.session.scalars(select(IdNumberView)).all() == []


def test_the_households_tags_follow_its_residents(login, jiang):
    secretary = login("赵红梅")
    assert jiang.tags == ["重病"]
    kid = add(secretary, jiang.id, name="李小明", relation="grandchild", care=["left_behind_child"])
    db.session.refresh(jiang)
    assert jiang.tags == ["留守儿童"]  # 重病 was no resident's: the residents say otherwise now
    res = secretary.patch(f"/api/residents/{kid['id']}", json={"care": ["left_behind_child", "disabled"]})
    assert res.status_code == 200
    db.session.refresh(jiang)
    assert jiang.tags == ["残疾", "留守儿童"]
    secretary.patch(f"/api/households/{jiang.id}", json={"version": jiang.version, "tags": ["脱贫户"]})
    db.session.refresh(jiang)
    assert jiang.tags == ["残疾", "留守儿童", "脱贫户"]  # what no resident can say is kept as set


def test_members_read_residents_but_only_secretaries_and_above_change_them(login, jiang, her):
    shi = login("石水奇")
    res = shi.post(f"/api/households/{jiang.id}/residents", json={"name": "甲", "relation": "other"})
    assert res.status_code == 403
    assert shi.patch(f"/api/residents/{her['id']}", json={"phone": "13700000009"}).status_code == 403
    assert shi.delete(f"/api/residents/{her['id']}").status_code == 403
    secretary = login("赵红梅")
    res = secretary.patch(f"/api/residents/{her['id']}", json={"phone": "13700000009", "id_number": None})
    assert res.status_code == 200 and res.get_json()["id_number"] is None
    assert secretary.patch(f"/api/residents/{her['id']}", json={}).status_code == 422
    assert secretary.delete(f"/api/residents/{her['id']}").status_code == 204
    assert db.session.get(Resident, her["id"]) is None


def test_residents_by_care_category_in_scope(login, jiang, her, demo):
    other = db.session.scalars(select(Household).where(Household.member_id == demo["郑满仓"].id)).first()
    add(login("孙保平"), other.id, name="黄牛蹄的低保户", care=["dibao"])
    add(login("赵红梅"), jiang.id, name="李大山", relation="spouse", care=["serious_illness"])
    for who, expected in (("王建军", {"姜彩凤"}), ("石水奇", {"姜彩凤"}), ("孙保平", {"黄牛蹄的低保户"}),
                          ("刘淑珍", set())):
        items = login(who).get("/api/residents?care=dibao").get_json()["items"]
        assert {r["name"] for r in items} == expected, who
    item = login("王建军").get("/api/residents?care=dibao").get_json()["items"][0]
    assert item["household"]["id"] == jiang.id and item["member"]["name"] == "石水奇"
    assert "last_visit_at" in item
    assert login("王建军").get("/api/residents?care=rich").status_code == 422


def test_the_key_comes_from_the_configuration_and_production_needs_one(app, monkeypatch):
    key = Fernet.generate_key().decode()
    monkeypatch.setitem(app.config, "ID_NUMBER_KEY", f"{key},{Fernet.generate_key().decode()}")
    token = id_numbers.encrypt(ID_MAN_1990)
    assert Fernet(key.encode()).decrypt(token.encode()).decode() == ID_MAN_1990
    monkeypatch.setitem(app.config, "ID_NUMBER_KEY", None)
    monkeypatch.delenv("ID_NUMBER_KEY", raising=False)
    monkeypatch.setitem(app.config, "BAOLIAN_ENV", "production")
    with pytest.raises(RuntimeError, match="ID_NUMBER_KEY"):
        id_numbers.encrypt(ID_MAN_1990)
