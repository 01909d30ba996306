"""GET /api/attachments/<id>: a photo is shown to those who may see its household or case, and to
nobody else, who gets exactly the answer a photo that does not exist gets."""
import uuid

import pytest

from app.attachments import service
from app.attachments.models import OWNER_CASE_STEP
from app.extensions import db
from app.org.models import User

from . import photos
from .conftest import upload, visit_with

MISSING = "/api/attachments/" + str(uuid.uuid4())


def _on_jiangs_visit(login, jiang):
    shi = login("石水奇")
    raw = photos.jpeg()
    ident = upload(shi, raw).get_json()["id"]
    assert visit_with(shi, jiang.id, [ident]).status_code == 201
    return ident


def _reader(demo, who):
    """Demo people by where they stand relative to 姜彩凤's household (第一网格, 西流南村)."""
    phones = {
        "member": "13900000101",          # 石水奇, her member (the uploader)
        "informant": "13900000041",       # his informant
        "grid_leader": "13900000031",     # 第一网格
        "secretary": "13900000020",       # 赵红梅, 西流南村
        "township": "13900000010",        # 辛安泉镇
        "admin": "13900000000",
        "other_member_same_grid": "13900000102",
        "member_other_grid": "13900000107",   # 第二网格 of the same village
        "grid_leader_other_grid": "13900000032",
        "secretary_other_village": "13900000060",
        "department": "13900000050",      # 民政局: nothing was dispatched to it
    }
    return next(u for u in demo.users.values() if u.phone == phones[who])


SEES = {"member", "informant", "grid_leader", "secretary", "township", "admin"}
BLIND = {"other_member_same_grid", "member_other_grid", "grid_leader_other_grid", "secretary_other_village",
         "department"}


@pytest.mark.parametrize("who", sorted(SEES | BLIND))
def test_a_visit_photo_follows_the_household(login, demo, jiang, who):
    ident = _on_jiangs_visit(login, jiang)
    client = login(_reader(demo, who).name)
    res = client.get(f"/api/attachments/{ident}")
    if who in SEES:
        assert res.status_code == 200 and res.mimetype == "image/jpeg"
        assert photos.opened(res.data).size == (1200, 900)
    else:
        missing = client.get(MISSING)
        assert res.status_code == missing.status_code == 404
        assert res.get_json() == missing.get_json()
        thumb = client.get(f"/api/attachments/{ident}?thumb=1")
        assert thumb.status_code == 404 and thumb.get_json() == missing.get_json()


def test_an_orphan_is_its_uploaders_alone(login):
    shi = login("石水奇")
    ident = upload(shi, photos.jpeg()).get_json()["id"]
    assert shi.get(f"/api/attachments/{ident}").status_code == 200
    secretary = login("赵红梅")  # sees 石水奇's households, but not a photo that is on none of them
    res = secretary.get(f"/api/attachments/{ident}")
    assert res.status_code == 404 and res.get_json() == secretary.get(MISSING).get_json()


def test_a_case_step_photo_follows_the_case_to_the_department(login, demo, make_case, chain):
    case = make_case(level="department", status="dispatched")
    staff = chain["department"]
    client = login(staff.name)
    ident = upload(client, photos.jpeg()).get_json()["id"]
    actor = db.session.get(User, staff.id)
    service.attach(actor=actor, ids=[uuid.UUID(ident)], owner_type=OWNER_CASE_STEP, owner_id=uuid.uuid4(),
                   case_id=case.id)
    db.session.commit()
    for sees in ("刘淑珍", "赵红梅", "石水奇"):  # the department it was sent to; the village's people
        assert login(sees).get(f"/api/attachments/{ident}").status_code == 200, sees
    other = login("陈志刚")  # 人社局: another department
    res = other.get(f"/api/attachments/{ident}")
    assert res.status_code == 404 and res.get_json() == other.get(MISSING).get_json()
    assert login("孙保平").get(f"/api/attachments/{ident}").status_code == 404  # another village


def test_the_thumbnail_is_a_small_jpeg(login, jiang):
    ident = _on_jiangs_visit(login, jiang)
    res = login("赵红梅").get(f"/api/attachments/{ident}?thumb=1")
    assert res.status_code == 200 and res.mimetype == "image/jpeg"
    thumb = photos.opened(res.data)
    assert thumb.format == "JPEG" and max(thumb.size) == 320 and len(res.data) < 40_000
    assert photos.gps_of(res.data) == {}


def test_a_bad_thumb_flag_names_the_field(login, jiang):
    ident = _on_jiangs_visit(login, jiang)
    res = login("赵红梅").get(f"/api/attachments/{ident}?thumb=yes")
    assert res.status_code == 422 and "thumb" in res.get_json()["error"]["fields"]


def test_the_browser_must_ask_again_each_time(login, jiang):
    """Cached bytes are revalidated with the server (so a handed-on phone shows nothing out of
    scope), and an unchanged photo answers 304."""
    ident = _on_jiangs_visit(login, jiang)
    secretary = login("赵红梅")
    res = secretary.get(f"/api/attachments/{ident}")
    assert "no-cache" in res.headers["Cache-Control"] and "private" in res.headers["Cache-Control"]
    again = secretary.get(f"/api/attachments/{ident}", headers={"If-None-Match": res.headers["ETag"]})
    assert again.status_code == 304
    stranger = login("郑满仓")
    assert stranger.get(f"/api/attachments/{ident}", headers={"If-None-Match": res.headers["ETag"]}).status_code == 404


def test_reading_needs_a_session(anon, login, jiang):
    ident = _on_jiangs_visit(login, jiang)
    assert anon.get(f"/api/attachments/{ident}").status_code == 401


def test_a_file_gone_from_the_store_is_404_not_500(login, jiang, photo_dir):
    ident = _on_jiangs_visit(login, jiang)
    for path in photo_dir.rglob("*"):
        if path.is_file():
            path.unlink()
    assert login("赵红梅").get(f"/api/attachments/{ident}").status_code == 404
