"""Photos on case steps, and long timelines, in the app at 360 x 740.

The branch secretary opens a case with signal, loses it, and sends the case back to the grid
(退回) with a photo taken on the phone: the step and its photo wait in the outbox, the timeline
shows the photo at once; back online the server holds the photo once, on that step, and the
timeline shows the server's thumbnail. A case with a long history shows its newest steps and
loads the older ones with 更早的记录; offline, what was loaded stays."""
import io
import re
import uuid
from datetime import datetime, timezone

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from app.attachments.models import Attachment
from app.extensions import db

from .conftest import csp_violations, login, screenshot
from .test_dispatch_flow import HttpApi, a_household_of, settled

TIMELINE_PAGE = 50  # the contract: a case's detail carries its newest 50 steps

SECRETARY, MEMBER, GRID_LEADER = "13900000020", "13900000103", "13900000031"
REASON = "照片里看不清裂缝，请网格长上门再核实"


@pytest.fixture(scope="module")
def folder(app, tmp_path_factory):
    """The live server's photo folder while these tests run (the thumbnails are read from it)."""
    path = tmp_path_factory.mktemp("browser-case-photos")
    app.config.update(ATTACHMENT_STORE="disk", ATTACHMENT_DIR=str(path))
    return path


def photo_jpeg():
    image = Image.linear_gradient("L").resize((2000, 1500)).convert("RGB")
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _open_case(app, live_server, title):
    desk = HttpApi(live_server, SECRETARY)
    case = desk.post("/api/cases", {"id": str(uuid.uuid4()), "household_id": a_household_of(app, MEMBER),
                                    "category": "environment", "title": title, "description": "院墙开裂"},
                     status=201)
    return desk, case["id"]


def test_a_case_sent_back_offline_with_a_photo_reaches_the_server_once(app, live_server, phones, folder):
    title = f"院墙开裂 {uuid.uuid4().hex[:6]}"
    desk, case_id = _open_case(app, live_server, title)
    with app.app_context():
        before = set(db.session.scalars(select(Attachment.id)).all())

    ctx, page = phones()
    login(page, SECRETARY)
    page.goto(f"/#/cases/{case_id}")
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    settled(page)

    ctx.set_offline(True)
    page.get_by_role("button", name="退回", exact=True).click()
    form = page.locator(".action-form")
    expect(form).to_be_visible()
    form.get_by_label("退回理由").fill(REASON)
    form.get_by_label("拍照").set_input_files([{"name": "IMG_1.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg()}])
    expect(form.get_by_text("已添加 1 张照片")).to_be_visible(timeout=30000)
    screenshot(page, "84-return-with-photo-offline")
    form.get_by_role("button", name="确认").click()
    expect(page.locator(".action-form")).to_have_count(0)

    status = page.get_by_role("status")
    expect(status).to_contain_text(re.compile(r"待同步\s*1\s*条"))  # one record: the step with its photo
    step = page.locator(".timeline-item").filter(has_text=REASON)
    expect(step).to_contain_text("退回")
    expect(step.locator("li.photo img")).to_have_count(1)
    expect(step).to_contain_text("待上传")

    ctx.set_offline(False)
    expect(status).to_contain_text("已同步", timeout=30000)
    expect(status).not_to_contain_text("待同步")
    step = page.locator(".timeline-item").filter(has_text=REASON)
    expect(step).not_to_contain_text("待上传", timeout=10000)
    expect(step.locator("li.photo img")).to_have_count(1)  # the phone's own thumbnail stays
    screenshot(page, "85-return-with-photo-synced")

    # On the grid leader's phone (the case came back to him) the step shows the server's thumbnail.
    _, other = phones()
    login(other, GRID_LEADER)
    other.goto(f"/#/cases/{case_id}")
    expect(other.get_by_role("heading", name=title)).to_be_visible()
    thumb = other.locator(".timeline-item").filter(has_text=REASON).locator("li.photo a img")
    expect(thumb).to_have_count(1)
    expect(thumb).to_have_attribute("src", re.compile(r"^/api/attachments/[0-9a-f-]{36}\?thumb=1$"))
    other.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())

    server = desk.get(f"/api/cases/{case_id}")
    returned = [e for e in server["events"] if e["type"] == "returned"]
    assert len(returned) == 1 and returned[0]["data"]["reason"] == REASON
    [shown] = returned[0]["attachments"]
    assert shown["owner_type"] == "case_step" and shown["owner_id"] == returned[0]["id"]
    with app.app_context():
        new = db.session.scalars(select(Attachment).where(Attachment.id.not_in(before))).all()
        assert [(str(a.id), str(a.owner_id), str(a.case_id)) for a in new] == [
            (shown["id"], returned[0]["id"], case_id)]  # once, on that step of that case
        assert new[0].size < 500_000
    assert csp_violations(page) == [] and csp_violations(other) == []


def test_a_revisit_recorded_offline_with_a_photo(app, live_server, phones, folder):
    title = f"路灯不亮 {uuid.uuid4().hex[:6]}"
    desk, case_id = _open_case(app, live_server, title)
    desk.post(f"/api/cases/{case_id}/resolve", {"resolution": "已换新灯泡"})

    ctx, member = phones()
    login(member, MEMBER)
    member.goto(f"/#/cases/{case_id}")
    expect(member.get_by_role("heading", name=title)).to_be_visible()
    settled(member)
    ctx.set_offline(True)
    member.get_by_role("button", name="回访", exact=True).click()
    form = member.locator(".action-form")
    form.get_by_role("group", name="群众是否满意").get_by_label("满意", exact=True).check()
    form.get_by_label("回访情况").fill("晚上路灯亮了，户主满意")
    form.get_by_label("拍照").set_input_files([{"name": "IMG_2.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg()}])
    expect(form.get_by_text("已添加 1 张照片")).to_be_visible(timeout=30000)
    form.get_by_role("button", name="确认").click()
    step = member.locator(".timeline-item").filter(has_text="户主满意")
    expect(step.locator("li.photo img")).to_have_count(1)
    expect(step).to_contain_text("待同步")

    ctx.set_offline(False)
    expect(member.get_by_role("status")).to_contain_text("已同步", timeout=30000)
    expect(step).not_to_contain_text("待上传", timeout=10000)
    server = desk.get(f"/api/cases/{case_id}")
    [revisit] = [e for e in server["events"] if e["type"] == "revisited"]
    [photo] = revisit["attachments"]
    assert (photo["owner_type"], photo["owner_id"], server["satisfaction"]) == ("revisit", revisit["id"], "satisfied")
    assert csp_violations(member) == []


def test_a_long_timeline_shows_its_newest_steps_and_loads_older_ones(app, live_server, phones):
    title = f"跟进多次的问题 {uuid.uuid4().hex[:6]}"
    desk, case_id = _open_case(app, live_server, title)
    now = datetime.now(timezone.utc).isoformat()
    extra = 5
    desk.post("/api/sync", {"mutations": [
        {"id": str(uuid.uuid4()), "type": "case.action", "at": now,
         "data": {"case_id": case_id, "action": "comment", "body": f"跟进记录 {n + 1}"}}
        for n in range(TIMELINE_PAGE + extra)]})

    ctx, page = phones()
    login(page, SECRETARY)
    page.goto(f"/#/cases/{case_id}")
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    settled(page)
    items = page.locator(".timeline-item")
    expect(items).to_have_count(TIMELINE_PAGE)
    expect(items.first).to_contain_text(f"跟进记录 {TIMELINE_PAGE + extra}")  # newest first
    older = page.get_by_role("button", name="更早的记录", exact=True)
    older.click()
    expect(items).to_have_count(TIMELINE_PAGE + extra + 1)  # every comment and the opening
    expect(items.last).to_contain_text("登记问题")  # the opening, the oldest step
    expect(items.nth(TIMELINE_PAGE + extra - 1)).to_contain_text("跟进记录 1")
    expect(older).to_have_count(0)
    screenshot(page, "86-timeline-older-loaded")

    # offline, the case opens with what was loaded
    ctx.set_offline(True)
    page.goto("/#/tasks")
    page.goto(f"/#/cases/{case_id}")
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.locator(".timeline-item")).to_have_count(TIMELINE_PAGE + extra + 1)
    assert csp_violations(page) == []
