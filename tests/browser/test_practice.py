"""The practice of 接诉即办 in the app at 360 x 740: the branch secretary resolved a household's
problem (at her desk, through the live server's HTTP API); the member who covers the household
asks them at their door with no signal (回访), and records 不满意 through the outbox; back online,
the answer reaches the server once and the case reopens with the secretary, at the branch. On her
phone the case offers the steps the server lists (退回, 改派 ...), and she sends it back to the grid
leader for another look (退回), then reads the three rates (三率) for a period she picks in 统计.
Final state checked in the app and through the API."""
import re
import uuid

from playwright.sync_api import expect

from .conftest import csp_violations, login, screenshot
from .test_dispatch_flow import HttpApi, a_household_of, act, open_from_queue, settled

MEMBER, SECRETARY, GRID_LEADER = "13900000103", "13900000020", "13900000031"


def test_an_unsatisfied_revisit_made_offline_reopens_the_case(app, live_server, phones):
    title = f"自来水管冻裂 {uuid.uuid4().hex[:6]}"
    desk = HttpApi(live_server, SECRETARY)
    case = desk.post("/api/cases", {"id": str(uuid.uuid4()), "household_id": a_household_of(app, MEMBER),
                                    "category": "urgent_needs", "title": title, "description": "厨房水管冻裂漏水"},
                     status=201)
    case_id = case["id"]
    desk.post(f"/api/cases/{case_id}/resolve", {"resolution": "已请水电工维修"})

    # The member opens the case while online (the phone keeps a copy), then loses the signal.
    member_ctx, member = phones()
    login(member, MEMBER)
    member.goto(f"/#/cases/{case_id}")
    expect(member.get_by_role("heading", name=title)).to_be_visible()
    settled(member)
    expect(member.locator(".facts")).to_contain_text("已办结")
    revisit = member.get_by_role("button", name="回访", exact=True)
    expect(revisit).to_be_visible()
    for absent in ("销号", "退回", "改派"):  # not the member's steps: the server did not list them
        expect(member.get_by_role("button", name=absent, exact=True)).to_have_count(0)

    member_ctx.set_offline(True)
    revisit.click()
    form = member.locator(".action-form")
    expect(form).to_be_visible()
    answers = form.get_by_role("group", name="群众是否满意")
    for word in ("满意", "基本满意", "不满意"):
        expect(answers.get_by_label(word, exact=True)).to_be_visible()
    form.get_by_role("button", name="确认").click()  # nothing chosen yet: the form says so
    expect(form.get_by_role("alert")).to_contain_text("请填写群众是否满意")
    answers.get_by_label("不满意", exact=True).check()
    form.get_by_label("回访方式").select_option(label="入户")
    form.get_by_label("回访情况").fill("修了以后还在漏水，户主不满意")
    screenshot(member, "80-revisit-form-offline")
    form.get_by_role("button", name="确认").click()
    expect(member.locator(".action-form")).to_have_count(0)

    status = member.get_by_role("status")
    expect(status).to_contain_text(re.compile(r"待同步\s*1\s*条"))
    pending = member.locator(".timeline-item").filter(has_text="户主不满意")
    expect(pending).to_contain_text("回访")
    expect(pending).to_contain_text("不满意")
    expect(pending).to_contain_text("待同步")
    expect(member.get_by_role("button", name="回访", exact=True)).to_have_count(0)  # not offered twice
    screenshot(member, "81-revisit-pending")

    member_ctx.set_offline(False)
    expect(status).to_contain_text("已同步", timeout=20000)
    expect(status).not_to_contain_text("待同步")
    expect(member.locator(".facts")).to_contain_text("待处理", timeout=10000)  # reopened
    expect(member.locator(".facts")).to_contain_text("村党支部")
    expect(member.locator(".facts")).to_contain_text("不满意")

    server = desk.get(f"/api/cases/{case_id}")
    assert (server["status"], server["level"], server["holder"]["name"], server["satisfaction"]) == (
        "open", "branch", "赵红梅", "unsatisfied")
    revisits = [e for e in server["events"] if e["type"] == "revisited"]
    assert len(revisits) == 1 and revisits[0]["data"]["satisfaction"] == "unsatisfied"
    assert revisits[0]["data"]["mode"] == "door" and revisits[0]["data"]["notes"] == "修了以后还在漏水，户主不满意"

    # The secretary finds it back in her 待办, with the steps the server offers her.
    _, secretary = phones()
    login(secretary, SECRETARY)
    open_from_queue(secretary, title)
    for offered in ("退回", "改派", "办结"):
        expect(secretary.get_by_role("button", name=offered, exact=True)).to_be_visible()
    expect(secretary.get_by_role("button", name="撤回", exact=True)).to_have_count(0)
    expect(secretary.locator(".timeline")).to_contain_text("户主不满意")
    act(secretary, "退回", {"退回理由": "请网格长上门再核实漏水情况"})
    expect(secretary.locator(".facts")).to_contain_text("网格")
    expect(secretary.locator(".timeline")).to_contain_text("请网格长上门再核实漏水情况")
    screenshot(secretary, "82-case-returned")

    # 统计: the three rates for a period she picks, and who has households unvisited (never ranked).
    secretary.get_by_role("navigation").get_by_role("link", name="统计", exact=True).click()
    rates = secretary.locator("section").filter(has=secretary.get_by_role("heading", name="三率", exact=True))
    expect(rates).to_be_visible()
    for word in ("响应率", "解决率", "满意率", "第一网格", "第二网格"):
        expect(rates).to_contain_text(word)
    rates.get_by_label("开始日期").fill("2026-01-01")
    rates.get_by_label("结束日期").fill("2026-01-31")
    rates.get_by_role("button", name="查询").click()
    expect(rates.get_by_role("link", name="导出三率（Excel）")).to_have_attribute(
        "href", "/api/exports/rates.xlsx?from=2026-01-01&to=2026-01-31")
    rates.get_by_label("开始日期").fill("2026-02-01")
    rates.get_by_role("button", name="查询").click()
    expect(rates.get_by_role("alert")).to_contain_text("结束日期不能早于开始日期")
    expect(secretary.get_by_role("heading", name="超过 30 天未走访")).to_be_visible()
    screenshot(secretary, "83-reports-rates")

    final = desk.get(f"/api/cases/{case_id}")
    grid_leader = HttpApi(live_server, GRID_LEADER).get("/api/me")
    assert (final["level"], final["holder"]["id"]) == ("grid", grid_leader["id"])
    assert final["events"][-1]["type"] == "returned"
    assert csp_violations(member) == [] and csp_violations(secretary) == []
