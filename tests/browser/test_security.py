"""Security in the app: user text is text (never markup), the CSP allows no inline code, and
logging out deletes that user's data from the phone."""
import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.households.models import Household
from app.org.models import User

from .conftest import Api, csp_violations, login

EVIL = '<img src=x onerror="window.__xss=1">王<b>二</b>'


def test_user_text_is_escaped(app, page):
    with app.app_context():
        member = db.session.scalars(select(User).where(User.phone == "13900000105")).one()
        home = db.session.scalars(select(Household).where(Household.member_id == member.id)
                                  .order_by(Household.id)).first()
        hid, version = home.id, home.version
    Api(app, "13900000020").patch(f"/api/households/{hid}", {"version": version, "head_name": EVIL[:40]})
    login(page, "13900000105")
    link = page.get_by_role("link", name=EVIL[:40], exact=True)
    expect(link).to_be_visible()  # shown literally, as its text
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(EVIL[:40])
    assert page.locator("main img[src=x], main b").count() == 0
    assert page.evaluate("() => window.__xss") is None
    assert csp_violations(page) == []


def test_csp_header_forbids_inline_code(page):
    res = page.request.get("/")
    csp = res.headers["content-security-policy"]
    script = re.search(r"script-src ([^;]+)", csp).group(1)
    style = re.search(r"style-src ([^;]+)", csp).group(1)
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert "'unsafe-inline'" not in style


def test_logout_deletes_this_users_data(context, page):
    login(page, "13900000101")
    expect(page.locator("li.household-card")).to_have_count(10)
    user_id = page.evaluate("() => localStorage.getItem('baolian.currentUser')")
    assert f"baolian-u{user_id}" in page.evaluate("async () => (await indexedDB.databases()).map(d => d.name)")

    # A record still waiting: logging out asks first.
    context.set_offline(True)
    page.get_by_role("link", name="姜彩凤", exact=True).click()
    page.get_by_role("button", name="记录走访").click()
    page.get_by_label("情况记录").fill("退出前未同步的记录")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("link", name="我的").click()
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("alert").filter(has_text="没有同步")).to_contain_text("1 条")
    page.get_by_role("button", name="取消").click()
    expect(page.get_by_role("button", name="仍然退出")).to_have_count(0)

    page.get_by_role("button", name="退出登录").click()
    page.get_by_role("button", name="仍然退出").click()
    expect(page.get_by_role("button", name="登录", exact=True)).to_be_visible()
    names = page.evaluate("async () => (await indexedDB.databases()).map(d => d.name)")
    assert f"baolian-u{user_id}" not in names
    assert page.evaluate("() => localStorage.getItem('baolian.currentUser')") is None
    page.reload()  # nothing of the user's comes back
    expect(page.get_by_label("手机号")).to_be_visible()
    expect(page.get_by_role("navigation")).to_be_hidden()
