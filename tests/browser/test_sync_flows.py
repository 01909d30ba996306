"""Flows across phones and people: a reassigned household leaves the old member's phone; a stale
household edit becomes a visible conflict the user settles; a reported case travels up the chain
and is closed out, every step taken in the app."""
import re
import time
import uuid

from playwright.sync_api import expect
from sqlalchemy import select

from app.cases.models import Case
from app.extensions import db
from app.households.models import Household
from app.org.models import User
from app.tasks.models import Task

from .conftest import Api, csp_violations, login, screenshot


def eventually(app, fn, timeout=20.0):
    """Poll the database until fn() is truthy: the phone syncs in the background."""
    end = time.monotonic() + timeout
    while True:
        with app.app_context():
            db.session.expire_all()
            value = fn()
        if value or time.monotonic() > end:
            return value
        time.sleep(0.2)


def households_of(app, phone):
    with app.app_context():
        user = db.session.scalars(select(User).where(User.phone == phone)).one()
        rows = db.session.scalars(select(Household).where(Household.member_id == user.id).order_by(Household.id)).all()
        return [(h.id, h.head_name, h.version) for h in rows]


def sync_now(page):
    page.get_by_role("link", name="我的").click()
    page.get_by_role("button", name="立即同步").click()
    expect(page.get_by_role("status")).to_contain_text("已同步")
    expect(page.get_by_role("status")).not_to_contain_text("正在同步")


def test_reassigned_household_leaves_the_old_phone(app, page):
    mine = households_of(app, "13900000103")
    hid, name, version = mine[-1]
    login(page, "13900000103")
    expect(page.locator("li.household-card")).to_have_count(len(mine))
    expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()

    secretary = Api(app, "13900000020")
    other = next(u for u in secretary.get("/api/users?role=member&limit=200")["items"] if u["phone"] == "13900000104")
    secretary.patch(f"/api/households/{hid}", {"version": version, "member_id": other["id"]})

    sync_now(page)
    page.get_by_role("link", name="包联户").click()
    expect(page.locator("li.household-card")).to_have_count(len(mine) - 1)
    expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)
    # ... and it does not come back from the phone's own copy after a restart.
    page.reload()
    expect(page.locator("li.household-card")).to_have_count(len(mine) - 1)


def test_stale_household_edit_is_a_visible_conflict(app, context, page):
    hid, name, version = households_of(app, "13900000101")[5]
    login(page, "13900000101")
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("button", name="修改信息")).to_be_visible()
    page.wait_for_load_state("networkidle")

    context.set_offline(True)
    page.get_by_role("button", name="修改信息").click()
    page.get_by_label("联系电话").fill("13811112222")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"待同步\s*1\s*条"))

    # Meanwhile the secretary corrects the same household at her desk.
    Api(app, "13900000020").patch(f"/api/households/{hid}", {"version": version, "phone": "13933334444"})

    context.set_offline(False)
    conflict = page.get_by_role("group", name="信息冲突")
    expect(conflict).to_be_visible(timeout=20000)
    expect(conflict).to_contain_text("13811112222")  # mine
    expect(conflict).to_contain_text("13933334444")  # theirs: both shown, nothing overwritten
    with app.app_context():
        assert db.session.get(Household, hid).phone == "13933334444"
    screenshot(page, "30-conflict")

    conflict.get_by_role("button", name="用我的").click()
    expect(page.get_by_role("group", name="信息冲突")).to_have_count(0)
    assert eventually(app, lambda: db.session.get(Household, hid).phone == "13811112222")
    expect(page.get_by_role("status")).to_contain_text("已同步", timeout=20000)
    assert csp_violations(page) == []


def open_case(page, title):
    page.get_by_role("link", name="待办").click()
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()


def act(page, action, fill=None):
    page.get_by_role("button", name=action, exact=True).click()
    for label, value in (fill or {}).items():
        control = page.locator(".action-form").get_by_label(label)
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(label=value)
        else:
            control.fill(value)
    page.locator(".action-form").get_by_role("button", name="确认").click()
    expect(page.locator(".action-form")).to_have_count(0)
    expect(page.get_by_role("status")).to_contain_text("已同步")


def test_case_travels_up_the_chain_and_is_closed_out(app, phones):
    hid, name, _ = households_of(app, "13900000101")[6]
    title = f"{name}家需要帮扶 {uuid.uuid4().hex[:6]}"

    _, member = phones()
    login(member, "13900000101")  # 石水奇 records the visit and reports it
    member.get_by_role("link", name=name, exact=True).click()
    member.get_by_role("button", name="记录走访").click()
    member.get_by_label("情况记录").fill("家中主要劳力生病，收入骤减")
    member.get_by_label("困难程度").select_option("serious")
    member.get_by_role("group", name="诉求类别").get_by_label("急难愁盼").check()
    member.get_by_label("需要上报").check()
    member.get_by_label("问题标题").fill(title)
    member.get_by_role("button", name="保存").click()
    expect(member.locator(".timeline .card").filter(has_text=title)).to_contain_text("已同步", timeout=20000)
    assert eventually(app, lambda: db.session.scalars(select(Case).where(
        Case.title == title, Case.level == "informant")).first())

    _, informant = phones()
    login(informant, "13900000041")  # his informant passes it up
    open_case(informant, title)
    act(informant, "上报", {"上报理由": "情况属实，需网格协调"})
    expect(informant.locator(".facts")).to_contain_text("网格")

    _, grid = phones()
    login(grid, "13900000031")  # the grid leader passes it to the branch
    open_case(grid, title)
    act(grid, "上报", {"上报理由": "请村党支部研究"})

    _, secretary = phones()
    login(secretary, "13900000020")  # the branch secretary decides, assigns, resolves, closes out
    open_case(secretary, title)
    screenshot(secretary, "31-case-at-branch")
    act(secretary, "布置任务", {"任务内容": "安排分发党报党刊，增加收入", "承办人": "石水奇（党员）"})
    act(secretary, "办结", {"办理结果": "村党支部安排其家人分发党报党刊，收入增加"})
    # 销号 needs a 回访 first; where none was possible the secretary says why (issue #13).
    act(secretary, "销号", {"未回访原因": "户主住院，家属电话告知问题已解决"})
    expect(secretary.locator(".facts")).to_contain_text("已销号")
    timeline = secretary.locator(".timeline")
    for step in ("上报", "布置任务", "办结", "销号"):
        expect(timeline).to_contain_text(step)
    screenshot(secretary, "32-case-closed")

    member.get_by_role("link", name="任务").click()
    card = member.locator(".task-card").filter(has_text="安排分发党报党刊")
    expect(card).to_be_visible(timeout=20000)
    card.get_by_role("button", name="接受").click()
    expect(card).to_contain_text("已接受")
    card.get_by_role("button", name="完成").click()
    expect(card).to_contain_text("已完成")
    assert eventually(app, lambda: db.session.scalars(select(Task).join(Case, Task.case_id == Case.id).where(
        Case.title == title, Case.status == "closed", Task.status == "done")).first())
    expect(member.get_by_role("status")).to_contain_text("已同步")
