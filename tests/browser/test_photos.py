"""Photos as evidence, the must-show flow: a member takes three photos (big, straight from the
camera, with GPS in their EXIF) with a visit while offline, closes the app and opens it again
still offline, then comes back online. The server then holds each photo once, under 500 KB,
without location; the branch secretary sees them and a member of the other grid gets 404."""
import io
import random
import re
import uuid

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect
from sqlalchemy import select

from app.attachments.models import Attachment
from app.extensions import db
from app.households.models import Household
from app.visits.models import Visit

from .conftest import Api, csp_violations, login, screenshot

NOTES = "院墙开裂，屋顶漏雨，拍照留存（离线记录）"
GPS_IFD = 0x8825
MAKE = 0x010F


@pytest.fixture(scope="module")
def folder(app, tmp_path_factory):
    """The live server's photo folder, for the rest of the session: later screens that show
    these visits find their thumbnails (the database outlives this module)."""
    path = tmp_path_factory.mktemp("browser-attachments")
    app.config.update(ATTACHMENT_STORE="disk", ATTACHMENT_DIR=str(path))
    return path


def camera_jpeg(seed):
    """A 3000 x 2250 photo as a phone camera writes it: grainy, over 1 MB, with its maker and
    the place it was taken in the EXIF."""
    rnd = random.Random(seed)
    image = Image.linear_gradient("L").resize((3000, 2250)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(30):
        x, y = rnd.randrange(3000), rnd.randrange(2250)
        draw.rectangle([x, y, x + 500, y + 300], fill=(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    image = Image.blend(image, Image.effect_noise((3000, 2250), 40 + seed).convert("RGB"), 0.3)
    exif = Image.Exif()
    exif[MAKE] = "Xiaomi"
    exif[GPS_IFD] = {1: "N", 2: (36.0, 20.0, 12.5 + seed), 3: "E", 4: (113.0, 13.0, 1.0)}
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=92, exif=exif)
    data = buf.getvalue()
    assert len(data) > 1_000_000 and Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)
    return data


WAITING_PHOTOS = """async (userId) => {
  const db = await new Promise((ok, ko) => {
    const r = indexedDB.open('baolian-u' + userId);
    r.onsuccess = () => ok(r.result);
    r.onerror = () => ko(r.error);
  });
  const all = (store) => new Promise((ok) => {
    const r = db.transaction(store).objectStore(store).getAll();
    r.onsuccess = () => ok(r.result);
  });
  const photos = await all('photos');
  const outbox = await all('outbox');
  db.close();
  return { photos: photos.filter((p) => p.blob).map((p) => ({ size: p.blob.size, type: p.blob.type })),
           uploads: outbox.filter((e) => e.type === 'attachment.upload').length,
           visits: outbox.filter((e) => e.type === 'visit.create').map((e) => e.data.attachments.length) };
}"""


def test_three_photos_taken_offline_reach_the_server_once_small_and_without_location(app, context, page, folder):
    with app.app_context():
        before = set(db.session.scalars(select(Attachment.id)).all())

    login(page, "13900000101")  # 石水奇
    shi_id = page.evaluate("async () => (await (await fetch('/api/me')).json()).id")
    page.get_by_role("link", name="姜彩凤", exact=True).click()
    expect(page.get_by_role("button", name="记录走访")).to_be_visible()
    page.wait_for_load_state("networkidle")

    context.set_offline(True)
    page.get_by_role("button", name="记录走访").click()
    page.get_by_label("走访方式").select_option("door")
    page.get_by_label("情况记录").fill(NOTES)
    page.get_by_label("困难程度").select_option("mild")
    page.get_by_label("拍照").set_input_files([
        {"name": f"IMG_2026050{i}.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg(i)} for i in range(3)])
    expect(page.get_by_text("已添加 3 张照片")).to_be_visible(timeout=30000)
    expect(page.locator(".photo-field li.photo img")).to_have_count(3)
    page.locator(".photo-field").scroll_into_view_if_needed()
    screenshot(page, "60-photos-offline-form")
    page.get_by_role("button", name="保存").click()

    status = page.get_by_role("status")
    expect(status).to_contain_text(re.compile(r"待同步\s*1\s*条"))  # one record: the visit with its photos
    visit_item = page.locator(".timeline-item").filter(has_text=NOTES)
    expect(visit_item.locator("li.photo img")).to_have_count(3)
    expect(visit_item).to_contain_text("待上传")
    waiting = page.evaluate(WAITING_PHOTOS, shi_id)
    assert waiting["uploads"] == 3 and waiting["visits"] == [3]
    assert len(waiting["photos"]) == 3
    assert all(p["type"] == "image/jpeg" and p["size"] < 500_000 for p in waiting["photos"]), waiting

    # Close the app and open it again, still offline: the photos wait in IndexedDB.
    page.close()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/")
    expect(page.get_by_role("status")).to_contain_text("离线")
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"待同步\s*1\s*条"))
    page.get_by_role("link", name="姜彩凤", exact=True).click()
    visit_item = page.locator(".timeline-item").filter(has_text=NOTES)
    expect(visit_item.locator("li.photo img")).to_have_count(3)
    assert len(page.evaluate(WAITING_PHOTOS, shi_id)["photos"]) == 3
    screenshot(page, "61-photos-offline-reopened")

    context.set_offline(False)
    expect(page.get_by_role("status")).to_contain_text("已同步", timeout=30000)
    expect(visit_item).to_contain_text("已同步")
    expect(visit_item).not_to_contain_text("待上传")
    expect(visit_item.locator("li.photo img")).to_have_count(3)
    waiting = page.evaluate(WAITING_PHOTOS, shi_id)
    assert waiting == {"photos": [], "uploads": 0, "visits": []}  # the bytes left the phone once uploaded
    screenshot(page, "62-photos-synced")
    assert csp_violations(page) == [] and errors == []

    with app.app_context():
        jiang = db.session.scalars(select(Household).where(Household.head_name == "姜彩凤")).one()
        [visit] = db.session.scalars(select(Visit).where(Visit.household_id == jiang.id, Visit.notes == NOTES)).all()
        new = db.session.scalars(select(Attachment).where(Attachment.id.not_in(before))).all()
        assert len(new) == 3  # each photo once, whatever was resent
        assert sorted(a.id for a in visit.attachments) == sorted(a.id for a in new)
        for a in new:
            stored = (folder / a.key).read_bytes()
            assert len(stored) == a.size < 500_000
            photo = Image.open(io.BytesIO(stored))
            assert photo.format == "JPEG" and max(photo.size) <= 1600
            assert dict(photo.getexif().get_ifd(GPS_IFD)) == {} and MAKE not in photo.getexif()
            assert b"Xiaomi" not in stored
        ids = [str(a.id) for a in new]

    secretary = Api(app, "13900000020")  # 赵红梅, the branch secretary
    for ident in ids:
        res = secretary.http.get(f"/api/attachments/{ident}")
        assert res.status_code == 200 and res.mimetype == "image/jpeg"
        assert secretary.http.get(f"/api/attachments/{ident}?thumb=1").status_code == 200
    other_grid = Api(app, "13900000107")  # a member of 第二网格
    missing = other_grid.http.get(f"/api/attachments/{uuid.uuid4()}")
    for ident in ids:
        res = other_grid.http.get(f"/api/attachments/{ident}")
        assert res.status_code == missing.status_code == 404
        assert res.get_json() == missing.get_json()
    page.close()


def test_a_member_who_ticks_keep_location_sends_the_position_and_nothing_else(app, page, folder):
    """保留拍摄位置: the phone writes the camera's GPS (alone) back into its compressed copy and
    says keep_location; the server keeps it. The camera's make still stays on the phone."""
    original = camera_jpeg(5)
    notes = "垃圾堆放点，保留位置以便清理（在线记录）"

    login(page, "13900000101")
    page.get_by_role("link", name="姜彩凤", exact=True).click()
    page.get_by_role("button", name="记录走访").click()
    page.get_by_label("情况记录").fill(notes)
    page.get_by_label("拍照").set_input_files([{"name": "IMG_1.jpg", "mimeType": "image/jpeg", "buffer": original}])
    expect(page.get_by_text("已添加 1 张照片")).to_be_visible(timeout=30000)
    page.get_by_label("保留拍摄位置").check()
    page.get_by_role("button", name="保存").click()
    item = page.locator(".timeline-item").filter(has_text=notes)
    expect(item.locator(".chip")).to_have_text("已同步", timeout=30000)  # the visit's own mark: the server has it
    expect(item.locator("li.photo img")).to_have_count(1)

    with app.app_context():
        [visit] = db.session.scalars(select(Visit).where(Visit.notes == notes)).all()
        [photo] = visit.attachments
        assert photo.keep_location is True
        stored = Image.open(io.BytesIO((folder / photo.key).read_bytes()))
    camera = dict(Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD))
    kept = dict(stored.getexif().get_ifd(GPS_IFD))
    assert {k: kept[k] for k in (1, 3)} == {1: "N", 3: "E"}
    assert [float(x) for x in kept[2] + kept[4]] == [float(x) for x in camera[2] + camera[4]]
    assert MAKE not in stored.getexif() and max(stored.size) <= 1600
