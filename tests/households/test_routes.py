"""/api/households: the caller's households, one household, profile edits and reassignment."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.extensions import db
from app.households.models import Household
from app.messages import FIELD_LABELS, HOUSEHOLD_TAGS, TEXT
from app.org.models import OrgUnit
from tests.conftest import visit_body

CJK = re.compile(r"[\u4e00-\u9fff]")
CST = timezone(timedelta(hours=8))


def all_items(client, page=7, **query):
    """Walk every page of /api/households; answers the items in order."""
    items, cursor = [], None
    while True:
        params = {"limit": page, **query, **({"cursor": cursor} if cursor else {})}
        res = client.get("/api/households", query_string=params)
        assert res.status_code == 200, res.get_json()
        body = res.get_json()
        assert len(body["items"]) <= page
        items += body["items"]
        cursor = body["next"]
        if cursor is None:
            return items


def details(value):
    """Every message in a (possibly nested) marshmallow error."""
    if isinstance(value, dict):
        return [d for v in value.values() for d in details(v)]
    if isinstance(value, list):
        return [d for v in value for d in details(v)]
    return [value]


def member_households(member):
    return set(db.session.scalars(select(Household.id).where(Household.member_id == member.id)).all())


def other_member(demo, *, same_grid=True, exclude=()):
    shi = demo["石水奇"]
    return next(u for u in sorted(demo.users.values(), key=lambda u: u.id)
                if u.role == "member" and u.id != shi.id and u.id not in exclude
                and (u.org_unit_id == shi.org_unit_id) == same_grid
                and u.org_unit.path.startswith(demo["赵红梅"].org_unit.path))


def free_a_slot(client, member):
    """Unassign one of `member`'s households so they are under the cap."""
    hid = min(member_households(member))
    version = client.get(f"/api/households/{hid}").get_json()["version"]
    res = client.patch(f"/api/households/{hid}", json={"version": version, "member_id": None})
    assert res.status_code == 200, res.get_json()
    return hid


# --- listing -----------------------------------------------------------------------------------


def test_shi_shuiqi_sees_exactly_his_ten_households(login, demo, jiang):
    items = all_items(login("石水奇"), page=50)
    assert len(items) == 10
    assert {h["id"] for h in items} == member_households(demo["石水奇"])
    assert jiang.id in {h["id"] for h in items}
    mine = next(h for h in items if h["id"] == jiang.id)
    assert mine["head_name"] == "姜彩凤" and mine["people"] == 3 and mine["hardship"] is True
    assert mine["member"]["name"] == "石水奇"
    assert mine["org_unit"]["name"] == "第一网格"
    assert "last_visit" in mine


def test_another_member_gets_404_for_jiang_exactly_like_a_missing_id(login, demo, jiang):
    other = login(other_member(demo).name)
    res = other.get(f"/api/households/{jiang.id}")
    missing = other.get("/api/households/987654321")
    assert res.status_code == missing.status_code == 404
    assert res.get_json() == missing.get_json()
    assert res.get_json()["error"]["code"] == "not_found"
    assert jiang.id not in {h["id"] for h in all_items(other, page=50)}


def test_cursor_pagination_walks_all_120_for_the_secretary(login, demo):
    items = all_items(login("赵红梅"), page=7)
    ids = [h["id"] for h in items]
    assert len(ids) == 120
    assert len(set(ids)) == 120
    keys = [(h["org_unit"]["id"], h["id"]) for h in items]
    assert keys == sorted(keys)  # grid by grid, by id within a grid
    village = demo["赵红梅"].org_unit
    expected = db.session.scalars(select(Household.id).where(Household.org_unit_id.in_(
        select(OrgUnit.id).where(OrgUnit.parent_id == village.id)))).all()
    assert set(ids) == set(expected)
    assert {h["org_unit"]["name"] for h in items} == {"第一网格", "第二网格"}


def test_default_page_size_and_next_cursor(login, app):
    body = login("赵红梅").get("/api/households").get_json()
    assert len(body["items"]) == app.config["PAGE_SIZE"]
    assert isinstance(body["next"], str)


@pytest.mark.parametrize("query, field", [
    ({"limit": 0}, "limit"),
    ({"limit": 201}, "limit"),
    ({"limit": "ten"}, "limit"),
    ({"cursor": "garbage!"}, "cursor"),
    ({"cursor": "WyJ4Il0"}, "cursor"),  # ["x"]: decodes, but not an id
    ({"tag": "富户"}, "tag"),
    ({"hardship": "maybe"}, "hardship"),
    ({"q": "长" * 41}, "q"),
    ({"member_id": "abc"}, "member_id"),
])
def test_bad_list_query_is_422_naming_the_field(login, query, field):
    res = login("赵红梅").get("/api/households", query_string=query)
    assert res.status_code == 422
    error = res.get_json()["error"]
    assert field in error["fields"]
    assert FIELD_LABELS[field] + "：" in error["message"]
    assert CJK.search(error["message"])


def test_search_by_name_address_and_phone(login, jiang):
    client = login("赵红梅")
    for q in ("姜彩", "一组 1 号", "13700000001"):
        items = all_items(client, page=50, q=q)
        assert jiang.id in {h["id"] for h in items}, q
        assert all(q in h["head_name"] or q in h["address"] or q in h["phone"] for h in items), q
    assert all_items(client, q="没有这个人") == []


@pytest.mark.parametrize("q", ["%", "_", "\\"])
def test_search_treats_wildcards_as_plain_characters(login, q):
    assert all_items(login("赵红梅"), page=50, q=q) == []


def test_search_stays_in_scope(login, jiang):
    assert all_items(login("郑满仓"), q="姜彩凤") == []


@pytest.mark.parametrize("tag", ["低保", "独居老人", "残疾", "留守儿童", "重病"])
def test_tag_filter(login, tag):
    client = login("赵红梅")
    everyone = all_items(client, page=200)
    tagged = all_items(client, page=200, tag=tag)
    assert tagged, tag
    assert [h["id"] for h in tagged] == [h["id"] for h in everyone if tag in h["tags"]]


def test_tag_filter_does_not_match_inside_another_tag(login, jiang):
    """空巢老人 and 独居老人 share 老人; 特困 is not 低保."""
    client = login("赵红梅")
    version = client.get(f"/api/households/{jiang.id}").get_json()["version"]
    client.patch(f"/api/households/{jiang.id}", json={"version": version, "tags": ["空巢老人", "特困"]})
    assert jiang.id in {h["id"] for h in all_items(client, page=200, tag="空巢老人")}
    assert jiang.id not in {h["id"] for h in all_items(client, page=200, tag="独居老人")}
    assert jiang.id not in {h["id"] for h in all_items(client, page=200, tag="低保")}


@pytest.mark.parametrize("value, expected", [("true", True), ("false", False), ("1", True), ("0", False)])
def test_hardship_filter(login, value, expected):
    client = login("赵红梅")
    everyone = all_items(client, page=200)
    filtered = all_items(client, page=200, hardship=value)
    assert filtered
    assert [h["id"] for h in filtered] == [h["id"] for h in everyone if h["hardship"] is expected]


def test_filters_combine(login, jiang):
    items = all_items(login("赵红梅"), page=200, hardship="true", tag="重病", q="姜")
    assert [h["id"] for h in items] == [jiang.id]


def test_member_filter_within_scope(login, demo):
    other = other_member(demo)
    items = all_items(login("赵红梅"), page=50, member_id=other.id)
    assert {h["id"] for h in items} == member_households(other)
    # a member cannot widen their scope by naming someone else
    assert all_items(login("石水奇"), member_id=other.id) == []


def test_list_shows_the_latest_visit(login, jiang):
    client = login("石水奇")
    older = visit_body(jiang.id, visited_at=(datetime.now(CST) - timedelta(hours=3)).isoformat(), mode="phone")
    newer = visit_body(jiang.id, visited_at=(datetime.now(CST) - timedelta(hours=2)).isoformat(), hardship="urgent")
    assert client.post("/api/visits", json=newer).status_code == 201
    assert client.post("/api/visits", json=older).status_code == 201  # recorded later, visited earlier
    items = {h["id"]: h for h in all_items(client, page=50)}
    last = items[jiang.id]["last_visit"]
    assert last["id"] == newer["id"]
    assert last["hardship"] == "urgent" and last["mode"] == "door"
    assert datetime.fromisoformat(last["visited_at"]) == datetime.fromisoformat(newer["visited_at"])


def test_list_last_visit_is_per_household(login, demo, jiang):
    client = login("石水奇")
    before = {h["id"]: h["last_visit"] for h in all_items(client, page=50)}
    other = next(hid for hid in sorted(before) if hid != jiang.id)
    body = visit_body(other)
    assert client.post("/api/visits", json=body).status_code == 201
    after = {h["id"]: h["last_visit"] for h in all_items(client, page=50)}
    assert after[other]["id"] == body["id"]
    assert {k: v for k, v in after.items() if k != other} == {k: v for k, v in before.items() if k != other}


# --- detail ------------------------------------------------------------------------------------


def test_detail_has_recent_visits_newest_first(login, jiang):
    client = login("石水奇")
    bodies = [visit_body(jiang.id, visited_at=(datetime.now(CST) - timedelta(hours=h)).isoformat(), notes=f"{h}小时前")
              for h in (5, 1, 12, 3)]
    for body in bodies:
        assert client.post("/api/visits", json=body).status_code == 201
    detail = client.get(f"/api/households/{jiang.id}").get_json()
    assert [v["notes"] for v in detail["recent_visits"]][:4] == ["1小时前", "3小时前", "5小时前", "12小时前"]
    assert detail["last_visit"]["id"] == bodies[1]["id"]
    visit = detail["recent_visits"][0]
    assert visit["author"]["name"] == "石水奇"
    assert visit["household_id"] == jiang.id
    assert visit["recorded_at"] and visit["needs"] == ["urgent_needs"]


def test_detail_keeps_only_the_latest_ten_visits(login, jiang):
    client = login("石水奇")
    for h in range(1, 13):
        body = visit_body(jiang.id, visited_at=(datetime.now(CST) - timedelta(hours=h)).isoformat(), notes=str(h))
        assert client.post("/api/visits", json=body).status_code == 201
    recent = client.get(f"/api/households/{jiang.id}").get_json()["recent_visits"]
    assert [v["notes"] for v in recent] == [str(h) for h in range(1, 11)]


def test_detail_for_those_above(login, jiang):
    for who in ("赵红梅", "潞城区管理员"):
        assert login(who).get(f"/api/households/{jiang.id}").get_json()["head_name"] == "姜彩凤"


# --- PATCH -------------------------------------------------------------------------------------


def test_patch_happy_path_bumps_version(login, jiang):
    client = login("石水奇")
    before = client.get(f"/api/households/{jiang.id}").get_json()
    changes = {"people": 4, "phone": "0355-6123456", "tags": ["重病", "低保"], "hardship": False,
               "address": "西流南村一组 1 号院", "head_name": "姜彩凤"}
    res = client.patch(f"/api/households/{jiang.id}", json={"version": before["version"], **changes})
    assert res.status_code == 200, res.get_json()
    after = res.get_json()
    assert after["version"] == before["version"] + 1
    assert {k: after[k] for k in changes} == changes
    assert client.get(f"/api/households/{jiang.id}").get_json() == after
    db.session.expire_all()
    assert db.session.get(Household, jiang.id).people == 4
    # the next edit is made on the new version
    res = client.patch(f"/api/households/{jiang.id}", json={"version": after["version"], "people": 5})
    assert res.status_code == 200 and res.get_json()["version"] == before["version"] + 2


def test_patch_with_only_the_version_changes_nothing(login, jiang):
    client = login("石水奇")
    before = client.get(f"/api/households/{jiang.id}").get_json()
    res = client.patch(f"/api/households/{jiang.id}", json={"version": before["version"]})
    assert res.status_code == 200
    assert res.get_json()["version"] == before["version"]


def test_stale_version_is_409_with_the_current_record(login, demo, jiang):
    phone_a, phone_b = login("石水奇"), login("赵红梅")
    base = phone_a.get(f"/api/households/{jiang.id}").get_json()["version"]
    assert phone_b.patch(f"/api/households/{jiang.id}", json={"version": base, "people": 5}).status_code == 200
    res = phone_a.patch(f"/api/households/{jiang.id}", json={"version": base, "people": 2, "phone": "13800000000"})
    assert res.status_code == 409
    error = res.get_json()["error"]
    assert error["code"] == "version_conflict"
    assert error["message"] == TEXT["household_conflict"]
    current = phone_a.get(f"/api/households/{jiang.id}").get_json()
    assert error["current"] == current
    assert current["people"] == 5 and current["phone"] == "13700000001"
    assert current["version"] == base + 1


def test_future_version_is_409_too(login, jiang):
    client = login("石水奇")
    res = client.patch(f"/api/households/{jiang.id}", json={"version": jiang.version + 5, "people": 2})
    assert res.status_code == 409
    assert client.get(f"/api/households/{jiang.id}").get_json()["people"] == 3


BAD_PATCH = [
    # (field, value)
    ("version", None),
    ("version", "1"),
    ("version", 1.5),
    ("version", True),
    ("version", 0),
    ("version", -3),
    ("head_name", 5),
    ("head_name", ""),
    ("head_name", "   "),
    ("head_name", "名" * 41),
    ("head_name", None),
    ("address", ["西流南村"]),
    ("address", ""),
    ("address", "\t\n"),
    ("address", "址" * 201),
    ("people", "3"),
    ("people", 2.5),
    ("people", True),
    ("people", 0),
    ("people", 31),
    ("people", -1),
    ("people", None),
    ("phone", 13700000001),
    ("phone", "12345"),
    ("phone", "1370000000a"),
    ("phone", "137000000011"),
    ("phone", ""),
    ("tags", "低保"),
    ("tags", ["富户"]),
    ("tags", [1]),
    ("tags", ["低保", "低保"]),
    ("tags", list(HOUSEHOLD_TAGS) + ["低保"]),
    ("tags", None),
    ("hardship", "true"),
    ("hardship", 1),
    ("hardship", 0),
    ("hardship", None),
    ("member_id", "8"),
    ("member_id", True),
    ("member_id", 1.5),
    ("nickname", "阿凤"),
    ("org_unit_id", 1),
]


@pytest.mark.parametrize("field, value", BAD_PATCH)
def test_bad_patch_is_422_naming_the_field(login, jiang, field, value):
    client = login("赵红梅")
    before = client.get(f"/api/households/{jiang.id}").get_json()
    body = {"version": before["version"], field: value}
    res = client.patch(f"/api/households/{jiang.id}", json=body)
    assert res.status_code == 422, res.get_json()
    error = res.get_json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]
    assert CJK.search(error["message"])
    assert all(CJK.search(d) for d in details(error["fields"][field]))
    if field in FIELD_LABELS:
        assert FIELD_LABELS[field] + "：" in error["message"]
    assert client.get(f"/api/households/{jiang.id}").get_json() == before


def test_patch_without_version_is_422(login, jiang):
    res = login("赵红梅").patch(f"/api/households/{jiang.id}", json={"people": 4})
    assert res.status_code == 422
    assert res.get_json()["error"]["fields"] == {"version": ["必填"]}
    assert res.get_json()["error"]["message"] == "版本号：必填"


@pytest.mark.parametrize("body", [[], "x", 3, None])
def test_patch_body_that_is_not_an_object_is_refused(login, jiang, body):
    res = login("赵红梅").patch(f"/api/households/{jiang.id}", json=body)
    assert res.status_code in (400, 422)
    assert CJK.search(res.get_json()["error"]["message"])


def test_patch_out_of_scope_is_404_like_missing(login, jiang):
    client = login("郑满仓")
    res = client.patch(f"/api/households/{jiang.id}", json={"version": jiang.version, "people": 9})
    missing = client.patch("/api/households/987654321", json={"version": 1, "people": 9})
    assert res.status_code == missing.status_code == 404
    assert res.get_json() == missing.get_json()
    db.session.expire_all()
    assert db.session.get(Household, jiang.id).people == 3


# --- reassigning (member_id) -------------------------------------------------------------------


def test_secretary_reassigns_and_it_leaves_the_old_members_list(login, demo, jiang):
    secretary = login("赵红梅")
    shi, target = demo["石水奇"], other_member(demo, same_grid=False)
    free_a_slot(secretary, target)
    version = secretary.get(f"/api/households/{jiang.id}").get_json()["version"]
    res = secretary.patch(f"/api/households/{jiang.id}", json={"version": version, "member_id": target.id})
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert body["member"]["id"] == target.id
    assert body["org_unit"]["id"] == target.org_unit_id  # follows its member's grid
    assert body["version"] == version + 1

    old = login("石水奇")
    assert jiang.id not in {h["id"] for h in all_items(old, page=50)}
    assert len(all_items(old, page=50)) == 9
    assert old.get(f"/api/households/{jiang.id}").status_code == 404
    new = login(target.name)
    assert jiang.id in {h["id"] for h in all_items(new, page=50)}
    assert len(all_items(new, page=50)) == 10
    assert member_households(shi) == {h["id"] for h in all_items(old, page=50)}


def test_secretary_may_unassign(login, jiang):
    secretary = login("赵红梅")
    res = secretary.patch(f"/api/households/{jiang.id}", json={"version": jiang.version, "member_id": None})
    assert res.status_code == 200
    assert res.get_json()["member"] is None
    assert jiang.id in {h["id"] for h in all_items(secretary, page=200)}
    assert login("石水奇").get(f"/api/households/{jiang.id}").status_code == 404


@pytest.mark.parametrize("who", ["石水奇", "informant", "grid_leader"])
def test_below_the_secretary_may_not_reassign(login, demo, jiang, who):
    shi = demo["石水奇"]
    name = {"石水奇": "石水奇", "informant": shi.informant.name,
            "grid_leader": demo.one("grid_leader", "第一网格").name}[who]
    client = login(name)
    target = other_member(demo)
    res = client.patch(f"/api/households/{jiang.id}", json={"version": jiang.version, "member_id": target.id})
    assert res.status_code == 403
    assert res.get_json()["error"] == {"code": "forbidden", "message": TEXT["reassign_forbidden"]}
    db.session.expire_all()
    assert db.session.get(Household, jiang.id).member_id == shi.id


def test_naming_the_current_member_is_not_a_reassignment(login, demo, jiang):
    res = login("石水奇").patch(f"/api/households/{jiang.id}",
                               json={"version": jiang.version, "member_id": demo["石水奇"].id, "people": 4})
    assert res.status_code == 200
    assert res.get_json()["people"] == 4


@pytest.mark.parametrize("target", ["informant", "secretary", "nobody"])
def test_reassign_to_someone_not_a_member_is_refused(login, demo, jiang, target):
    target_id = {"informant": demo["石水奇"].informant_id, "secretary": demo["赵红梅"].id, "nobody": 10**8}[target]
    res = login("赵红梅").patch(f"/api/households/{jiang.id}", json={"version": jiang.version, "member_id": target_id})
    assert res.status_code == 422
    error = res.get_json()["error"]
    assert list(error["fields"]) == ["member_id"]
    expected = "member_not_found" if target == "nobody" else "not_a_member"
    assert TEXT[expected] in error["message"]
    db.session.expire_all()
    assert db.session.get(Household, jiang.id).member_id == demo["石水奇"].id


@pytest.mark.parametrize("actor", ["赵红梅", "潞城区管理员"])
def test_reassign_to_a_member_of_the_other_village_is_refused(login, demo, jiang, actor):
    res = login(actor).patch(f"/api/households/{jiang.id}",
                            json={"version": jiang.version, "member_id": demo["郑满仓"].id})
    assert res.status_code == 422
    error = res.get_json()["error"]
    assert list(error["fields"]) == ["member_id"]
    assert CJK.search(error["message"])
    db.session.expire_all()
    assert db.session.get(Household, jiang.id).member_id == demo["石水奇"].id
    assert jiang.id not in member_households(demo["郑满仓"])


def test_admin_gets_the_village_reason(login, demo, jiang):
    res = login("潞城区管理员").patch(f"/api/households/{jiang.id}",
                                  json={"version": jiang.version, "member_id": demo["郑满仓"].id})
    assert res.get_json()["error"]["message"].endswith(TEXT["member_out_of_village"])


def test_assigning_an_eleventh_household_is_refused(login, demo, jiang, app):
    target = other_member(demo)
    assert len(member_households(target)) == app.config["HOUSEHOLDS_PER_MEMBER"] == 10
    res = login("赵红梅").patch(f"/api/households/{jiang.id}",
                               json={"version": jiang.version, "member_id": target.id})
    assert res.status_code == 422
    error = res.get_json()["error"]
    assert error["code"] == "member_cap"
    assert list(error["fields"]) == ["member_id"]
    assert TEXT["member_cap"].format(cap=10) in error["message"]
    assert "10" in error["message"]
    assert len(member_households(target)) == 10
    db.session.expire_all()
    assert db.session.get(Household, jiang.id).member_id == demo["石水奇"].id


def test_the_cap_is_configurable(login, demo, jiang, app, monkeypatch):
    monkeypatch.setitem(app.config, "HOUSEHOLDS_PER_MEMBER", 11)
    target = other_member(demo)
    res = login("赵红梅").patch(f"/api/households/{jiang.id}",
                               json={"version": jiang.version, "member_id": target.id})
    assert res.status_code == 200
    assert len(member_households(target)) == 11
    # and the twelfth is refused with the configured number
    another = next(h for h in member_households(demo["石水奇"]))
    version = db.session.get(Household, another).version
    res = login("赵红梅").patch(f"/api/households/{another}", json={"version": version, "member_id": target.id})
    assert res.status_code == 422
    assert res.get_json()["error"]["code"] == "member_cap"
    assert TEXT["member_cap"].format(cap=11) in res.get_json()["error"]["message"]


def test_open_cases_follow_a_household_to_its_new_member(login, demo, jiang):
    """A case waiting with 石水奇 would be stranded when 姜彩凤 goes to someone else."""
    import uuid as _uuid

    shi, secretary = login("石水奇"), login("赵红梅")
    case_id = str(_uuid.uuid4())
    shi.post("/api/cases", json={"id": case_id, "household_id": jiang.id, "category": "other", "title": "院墙"})
    newcomer = next(u for u in demo.users.values() if u.role == "member" and u.org_unit.name == "第二网格"
                    and u.org_unit.parent.name == "西流南村")
    theirs = secretary.get(f"/api/households?member_id={newcomer.id}").get_json()["items"][0]
    assert secretary.patch(f"/api/households/{theirs['id']}",
                           json={"version": theirs["version"], "member_id": None}).status_code == 200
    res = secretary.patch(f"/api/households/{jiang.id}", json={"version": jiang.version, "member_id": newcomer.id})
    assert res.status_code == 200, res.get_json()
    new = login(newcomer.name)
    assert case_id in [c["id"] for c in new.get("/api/cases?awaiting=me").get_json()["items"]]
    detail = new.get(f"/api/cases/{case_id}").get_json()
    assert detail["holder"]["id"] == newcomer.id and "escalate" in detail["actions"]
    assert detail["events"][-1]["type"] == "rehomed"
    assert shi.get(f"/api/cases/{case_id}").status_code == 404
