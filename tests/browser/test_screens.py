"""Every screen we can reach: axe-core finds 0 violations, no CSP violation, a screenshot at
360 x 740; and 长辈模式 measured from computed styles (text, line height, targets, contrast)."""
import pytest
from playwright.sync_api import expect

from .conftest import csp_violations, format_violations, login, run_axe, screenshot

MEASURE = """(selectors) => {
  const out = [];
  for (const sel of selectors) {
    for (const el of document.querySelectorAll(sel)) {
      if (el.closest('[hidden]') || el.closest('.toast')) continue;
      const r = el.getBoundingClientRect();
      if (!r.width && !r.height) continue;
      out.push({sel, text: (el.textContent || el.getAttribute('name') || '').trim().slice(0, 16),
                w: Math.round(r.width * 10) / 10, h: Math.round(r.height * 10) / 10});
    }
  }
  return out;
}"""

# The main touch targets of the app: tabs, buttons, the household links, form controls.
TARGETS = [".tab", ".button", ".back-button", ".household-card .card-link", ".choice",
           "main input:not([type=checkbox])", "main select", "main textarea"]

TEXT = """() => {
  const body = getComputedStyle(document.body);
  const texts = [...document.querySelectorAll('main p, main dd, main dt, main label, main li, main span, main a')]
    .filter(el => el.offsetParent !== null && el.textContent.trim());
  return {
    body: parseFloat(body.fontSize),
    bodyLine: parseFloat(body.lineHeight) / parseFloat(body.fontSize),
    smallest: Math.min(...texts.map(el => parseFloat(getComputedStyle(el).fontSize))),
    tightest: Math.min(...texts.map(el => {
      const cs = getComputedStyle(el);
      return cs.lineHeight === 'normal' ? 1.2 : parseFloat(cs.lineHeight) / parseFloat(cs.fontSize);
    })),
  };
}"""

# Contrast of every visible text against the first opaque background behind it (WCAG formula).
CONTRAST = """() => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const bg = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.99)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const worst = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.offsetParent === null && getComputedStyle(el).position !== 'fixed') continue;
    if (el.closest('svg') || el.closest('.toast') || el.closest('.skip-link')) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const fg = parse(getComputedStyle(el).color).slice(0, 3);
    const [a, b] = [lum(fg), lum(bg(el))].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < 4.5) worst.push({text: el.textContent.trim().slice(0, 16), ratio: Math.round(ratio * 100) / 100});
  }
  return worst;
}"""


def check_screen(page, name):
    shown = page.locator("body").inner_text()
    assert "null" not in shown and "undefined" not in shown and "NaN" not in shown, name
    violations = run_axe(page)
    assert violations == [], f"{name}: {format_violations(violations)}"
    assert csp_violations(page) == [], name
    screenshot(page, name)


def test_member_screens(page):
    page.goto("/")
    page.get_by_label("手机号").wait_for()
    check_screen(page, "01-login")

    login(page, "13900000101")
    expect(page.locator("li.household-card")).to_have_count(10)
    check_screen(page, "02-households")

    page.get_by_role("link", name="姜彩凤", exact=True).click()
    expect(page.get_by_role("button", name="记录走访")).to_be_visible()
    page.wait_for_load_state("networkidle")
    check_screen(page, "03-household")

    page.get_by_role("button", name="记录走访").click()
    expect(page.get_by_label("情况记录")).to_be_visible()
    page.get_by_label("需要上报").check()
    check_screen(page, "04-visit-form")
    page.get_by_role("button", name="返回").click()

    page.get_by_role("button", name="修改信息").click()
    expect(page.get_by_label("户主姓名")).to_have_value("姜彩凤")
    check_screen(page, "05-household-edit")
    page.get_by_role("button", name="返回").click()

    case_link = page.locator(".timeline a.card-link").first
    expect(case_link).to_be_visible()
    case_link.click()
    expect(page.get_by_role("heading", name="办理经过")).to_be_visible()
    check_screen(page, "06-case-member")

    page.get_by_role("link", name="任务").click()
    expect(page.locator("#main .screen")).to_be_visible()
    page.wait_for_load_state("networkidle")
    check_screen(page, "07-tasks")

    page.get_by_role("link", name="消息").click()
    expect(page.locator("#main .screen")).to_be_visible()
    page.wait_for_load_state("networkidle")
    check_screen(page, "08-inbox")

    page.get_by_role("link", name="我的").click()
    expect(page.get_by_role("switch", name="长辈模式")).to_be_visible()
    check_screen(page, "09-me")


def test_secretary_screens(page):
    login(page, "13900000020")  # 赵红梅, branch secretary of 西流南村
    for tab in ("包联户", "任务", "消息", "待办", "统计", "我的"):
        expect(page.get_by_role("link", name=tab, exact=True)).to_be_visible()

    page.get_by_role("link", name="待办").click()
    expect(page.locator("#main .screen")).to_be_visible()
    page.wait_for_load_state("networkidle")
    check_screen(page, "10-queue")

    page.get_by_role("link", name="统计").click()
    expect(page.get_by_role("heading", name="近 30 天走访覆盖")).to_be_visible()
    expect(page.get_by_role("link", name="导出问题清单（Excel）")).to_have_attribute("href", "/api/exports/cases.xlsx")
    check_screen(page, "11-reports")
    res = page.request.get("/api/exports/cases.xlsx")
    assert res.ok and res.body()[:2] == b"PK"  # an .xlsx is a zip

    page.get_by_role("link", name="待办").click()
    first = page.locator("#main a.card-link").first
    if first.count():
        first.click()
        expect(page.get_by_role("heading", name="办理经过")).to_be_visible()
        check_screen(page, "12-case-secretary")


def measure(page, minimum):
    small = [t for t in page.evaluate(MEASURE, TARGETS) if t["w"] < minimum - 0.5 or t["h"] < minimum - 0.5]
    assert small == [], f"touch targets under {minimum}px: {small}"


def test_elder_mode_sizes(page):
    login(page, "13900000101")
    measure(page, 44)  # normal mode: at least 44 x 44
    page.get_by_role("link", name="我的").click()
    switch = page.get_by_role("switch", name="长辈模式")
    switch.check()
    assert page.evaluate("() => localStorage.getItem('baolian.elder')") == "1"
    page.reload()  # remembered on the device
    expect(page.locator("html.elder")).to_have_count(1)
    expect(page.get_by_role("switch", name="长辈模式")).to_be_checked()

    screens = [("我的", None), ("包联户", None)]
    for tab, _ in screens:
        page.get_by_role("link", name=tab, exact=True).click()
        page.wait_for_load_state("networkidle")
        _elder_checks(page)
    screenshot(page, "13-elder-households")

    page.get_by_role("link", name="姜彩凤", exact=True).click()
    expect(page.get_by_role("button", name="记录走访")).to_be_visible()
    _elder_checks(page)
    screenshot(page, "14-elder-household")
    page.get_by_role("button", name="记录走访").click()
    expect(page.get_by_label("情况记录")).to_be_visible()
    _elder_checks(page)
    screenshot(page, "15-elder-visit-form")
    violations = run_axe(page)
    assert violations == [], format_violations(violations)

    page.get_by_role("link", name="我的").click()
    page.get_by_role("switch", name="长辈模式").uncheck()
    expect(page.locator("html.elder")).to_have_count(0)
    measure(page, 44)


def _elder_checks(page):
    measure(page, 60)
    text = page.evaluate(TEXT)
    assert text["body"] >= 18, text
    assert text["smallest"] >= 18, text
    assert text["bodyLine"] >= 1.3 and text["tightest"] >= 1.3, text
    assert page.evaluate(CONTRAST) == []


@pytest.mark.parametrize("mode", ["normal", "elder"])
def test_contrast_everywhere(page, mode):
    login(page, "13900000101")
    if mode == "elder":
        page.get_by_role("link", name="我的").click()
        page.get_by_role("switch", name="长辈模式").check()
    for tab in ("包联户", "任务", "消息", "我的"):
        page.get_by_role("link", name=tab, exact=True).click()
        page.wait_for_load_state("networkidle")
        assert page.evaluate(CONTRAST) == [], tab
