"""派单 to a department and back, in the app at 360 x 740: a case the branch secretary escalated
to the township (through the HTTP API of the live server) is dispatched by the township officer
to 民政局, taken (接单) and resolved (办结) by 民政局's staff, and closed out (销号) by the
township officer; the final state is checked in the app and through the API."""
import uuid

import requests
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.households.models import Household
from app.org.demo import DEMO_PASSWORD
from app.org.models import User

from .conftest import csp_violations, login, screenshot

SECRETARY, TOWNSHIP, MINZHENG = "13900000020", "13900000010", "13900000050"


class HttpApi:
    """Someone at a desk, through the live server's HTTP API (session cookie + CSRF header)."""

    def __init__(self, base_url, phone):
        self.base = base_url
        self.http = requests.Session()
        token = self.http.get(f"{base_url}/api/auth/csrf", timeout=10).json()["csrf_token"]
        res = self.http.post(f"{base_url}/api/auth/login", json={"phone": phone, "password": DEMO_PASSWORD},
                             headers={"X-CSRF-Token": token}, timeout=10)
        assert res.status_code == 200, res.text
        self.csrf = res.json()["csrf_token"]

    def get(self, path):
        res = self.http.get(self.base + path, timeout=10)
        assert res.status_code == 200, res.text
        return res.json()

    def post(self, path, body, status=200):
        res = self.http.post(self.base + path, json=body, headers={"X-CSRF-Token": self.csrf}, timeout=10)
        assert res.status_code == status, res.text
        return res.json()


def a_household_of(app, phone):
    with app.app_context():
        user = db.session.scalars(select(User).where(User.phone == phone)).one()
        return db.session.scalars(select(Household.id).where(Household.member_id == user.id)
                                  .order_by(Household.id.desc())).first()


def settled(page):
    """Wait for the sync round in progress to end: its fresh data redraws the case page, and a
    redraw while an action form is still loading (派单 fetches the departments) loses the form."""
    status = page.get_by_role("status")
    expect(status).to_contain_text("已同步")
    expect(status).not_to_contain_text("正在同步")


def open_from_queue(page, title):
    page.get_by_role("navigation").get_by_role("link", name="待办", exact=True).click()
    page.locator("main").get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    settled(page)


def act(page, action, fill=None):
    page.get_by_role("button", name=action, exact=True).click()
    form = page.locator(".action-form")
    expect(form).to_be_visible()
    for label, value in (fill or {}).items():
        control = form.get_by_label(label)
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(label=value)
        else:
            control.fill(value)
    form.get_by_role("button", name="确认").click()
    expect(page.locator(".action-form")).to_have_count(0)
    settled(page)


def test_township_dispatches_to_minzheng_and_closes_it_out(app, live_server, phones):
    title = f"低保户房屋受损需民政救助 {uuid.uuid4().hex[:6]}"
    resolution = "民政局已核实并发放临时救助金 2000 元"

    # The branch secretary reports the case and passes it up to the township at her desk.
    secretary = HttpApi(live_server, SECRETARY)
    case = secretary.post("/api/cases", {
        "id": str(uuid.uuid4()), "household_id": a_household_of(app, "13900000106"),
        "category": "urgent_needs", "title": title, "description": "暴雨后房屋西墙开裂"}, status=201)
    case = secretary.post(f"/api/cases/{case['id']}/escalate", {"reason": "村里无力解决，请乡镇协调"})
    assert (case["status"], case["level"]) == ("escalated", "township")
    case_id = case["id"]

    # 王建军 (township) finds it in 待办 and dispatches it to 民政局.
    _, town = phones()
    login(town, TOWNSHIP)
    open_from_queue(town, title)
    expect(town.locator(".facts")).to_contain_text("已上报")
    act(town, "派单", {"派往部门": "民政局"})
    expect(town.locator(".facts")).to_contain_text("已派单")
    expect(town.locator(".facts")).to_contain_text("部门")
    expect(town.get_by_role("button", name="销号", exact=True)).to_have_count(0)

    # 刘淑珍 (民政局) sees it in her 待办, takes it and resolves it.
    _, staff = phones()
    login(staff, MINZHENG)
    open_from_queue(staff, title)
    expect(staff.locator(".facts")).to_contain_text("已派单")
    act(staff, "接单")
    expect(staff.locator(".facts")).to_contain_text("办理中")
    act(staff, "办结", {"办理结果": resolution})
    expect(staff.locator(".facts")).to_contain_text("已办结")
    screenshot(staff, "40-case-resolved-by-department")

    # The household is asked (回访, by the secretary on the phone to them), then the township officer,
    # back at the case, closes it out.
    secretary.post(f"/api/cases/{case_id}/revisit", {"id": str(uuid.uuid4()), "satisfaction": "satisfied",
                                                     "mode": "phone", "notes": "救助金已到账"})
    town.get_by_role("navigation").get_by_role("link", name="消息", exact=True).click()  # away, then back through 待办
    open_from_queue(town, title)
    expect(town.locator(".facts")).to_contain_text("已办结")
    act(town, "销号")
    expect(town.locator(".facts")).to_contain_text("已销号")
    timeline = town.locator(".timeline")
    for step in ("上报", "派单", "接单", "办结", "销号"):
        expect(timeline).to_contain_text(step)
    expect(timeline).to_contain_text(resolution)
    expect(timeline).to_contain_text("民政局")
    screenshot(town, "41-case-closed-after-dispatch")

    # ... and the server agrees.
    final = HttpApi(live_server, TOWNSHIP).get(f"/api/cases/{case_id}")
    assert final["status"] == "closed" and final["level"] == "township"
    assert final["resolution"] == resolution
    assert final["department"]["name"] == "民政局"
    events = [e["type"] for e in final["events"]]
    assert events[-5:] == ["dispatched", "accepted", "resolved", "revisited", "closed"], events
    assert "close" not in final["actions"] and "reopen" in final["actions"]
    assert csp_violations(town) == [] and csp_violations(staff) == []
