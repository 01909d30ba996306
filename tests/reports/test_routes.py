"""/api/reports and /api/exports through HTTP: figures, refusals, scope, workbooks, query counts."""
import uuid
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from app.cases.models import Case, CaseEvent
from app.common.time import utcnow
from app.extensions import db
from app.households.models import Household
from app.visits.models import Visit
from tests.conftest import visit_body
from tests.reports.conftest import cases_oracle, sheet_rows, statements

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROUTES = ("/api/reports/coverage", "/api/reports/cases", "/api/exports/cases.xlsx", "/api/exports/households.xlsx")


def unvisited_homes_of(member):
    visited = select(Visit.household_id)
    return db.session.scalars(select(Household).where(Household.member_id == member.id,
                                                      Household.id.not_in(visited)).order_by(Household.id)).all()


def in_china(value):
    """What a spreadsheet shows for an aware time: China Standard Time, without an offset."""
    if value.tzinfo is None:  # an aggregate read back raw from SQLite
        value = value.replace(tzinfo=UTC)
    return value.astimezone(timezone(timedelta(hours=8))).replace(tzinfo=None)


def pick(row, names):
    return tuple(row[name] for name in names.split())


def by_name(rows):
    return {r["name"]: r for r in rows}


def test_coverage_follows_the_visits_members_record(login, demo):
    secretary, shi = login("赵红梅"), login("石水奇")
    before, before60 = (secretary.get(f"/api/reports/coverage?days={d}").get_json() for d in (30, 60))
    assert before["total"]["households"] == 120 and before["unit"]["name"] == "西流南村"
    assert [(u["name"], u["households"]) for u in before["units"]] == [("第一网格", 60), ("第二网格", 60)]
    assert len(before["members"]) == 12 and {m["households"] for m in before["members"]} == {10}

    homes = unvisited_homes_of(demo["石水奇"])[:3]
    old = (datetime.now(UTC) - timedelta(days=40)).isoformat()
    for home, body in ((homes[0], {}), (homes[0], {}), (homes[1], {}), (homes[2], {"visited_at": old})):
        assert shi.post("/api/visits", json=visit_body(home.id, **body)).status_code == 201

    after, after60 = (secretary.get(f"/api/reports/coverage?days={d}").get_json() for d in (30, 60))
    assert after["total"]["visited"] == before["total"]["visited"] + 2
    assert after["total"]["never_visited"] == before["total"]["never_visited"] - 3
    assert after60["total"]["visited"] == before60["total"]["visited"] + 3
    assert after["total"]["coverage"] == round(after["total"]["visited"] / 120, 4)
    grid = by_name(after["units"])["第一网格"]
    assert grid["visited"] == by_name(before["units"])["第一网格"]["visited"] + 2
    assert by_name(after["units"])["第二网格"] == by_name(before["units"])["第二网格"]
    member = by_name(after["members"])["石水奇"]
    assert member["visited"] == by_name(before["members"])["石水奇"]["visited"] + 2
    assert member["never_visited"] == by_name(before["members"])["石水奇"]["never_visited"] - 3
    never_ids = {i["id"] for i in after["never_visited"]["items"]}
    assert after["never_visited"]["count"] == len(never_ids) and not never_ids & {h.id for h in homes}


@pytest.mark.parametrize("days, detail", [("0", "须在 1 到 365 之间"), ("366", "须在 1 到 365 之间"),
                                          ("abc", "须为整数")])
def test_coverage_days_are_checked_in_chinese(login, days, detail):
    res = login("赵红梅").get(f"/api/reports/coverage?days={days}")
    assert res.status_code == 422
    assert res.get_json()["error"]["message"] == f"统计天数：{detail}"


@pytest.mark.parametrize("name", ["石水奇", "吴月娥", "周德胜", "刘淑珍"])
@pytest.mark.parametrize("route", ROUTES)
def test_below_the_branch_is_refused(login, demo, name, route):
    res = login(name).get(route)
    if demo[name].role == "department" and route.endswith("cases.xlsx"):
        assert res.status_code == 200  # department staff list the cases dispatched to them
        return
    assert res.status_code == 403
    error = res.get_json()["error"]
    assert error["code"] == "not_allowed" and error["message"].startswith("只有村党支部书记、乡镇干部")


def test_everyone_above_may_read_every_report(login):
    for client in (login("赵红梅"), login("王建军"), login(role="admin")):
        assert [client.get(r).status_code for r in ROUTES] == [200, 200, 200, 200]


def open_case(client, household_id, **extra):
    case_id = str(uuid.uuid4())
    body = {"id": case_id, "household_id": household_id, "category": "urgent_needs", "title": "测试问题", **extra}
    res = client.post("/api/cases", json=body)
    assert res.status_code == 201, res.get_json()
    return case_id


def test_cases_report_counts_cases_made_through_the_api(login, demo, jiang):
    secretary, shi = login("赵红梅"), login("石水奇")
    before = secretary.get("/api/reports/cases").get_json()
    urgent = open_case(shi, jiang.id, urgency="urgent", title="姜彩凤家丈夫突发疾病，家庭困难")
    escalated = shi.post(f"/api/cases/{urgent}/escalate", json={"reason": "立即报告支部"}).get_json()
    assert escalated["level"] == "branch"
    secretary.post(f"/api/cases/{urgent}/resolve", json={"resolution": "安排姜彩凤分发党报党刊"})
    shi.post(f"/api/cases/{urgent}/revisit", json={"id": str(uuid.uuid4()), "satisfaction": "satisfied"})
    assert secretary.post(f"/api/cases/{urgent}/close", json={}).get_json()["status"] == "closed"
    open_case(shi, jiang.id, category="fire", title="柴草堆放")

    after = secretary.get("/api/reports/cases").get_json()
    assert after["total"] == before["total"] + 2
    assert after["by_status"]["closed"] == before["by_status"]["closed"] + 1
    assert after["by_status"]["open"] == before["by_status"]["open"] + 1
    assert after["by_category"]["fire"] == before["by_category"]["fire"] + 1
    assert after["by_urgency"]["urgent"] == before["by_urgency"]["urgent"] + 1
    assert after["by_level"]["member"] == before["by_level"]["member"] + 1
    first = by_name(after["units"])["第一网格"]
    assert (first["total"], first["closed"]) == (by_name(before["units"])["第一网格"]["total"] + 2,
                                                 by_name(before["units"])["第一网格"]["closed"] + 1)
    oracle = cases_oracle(demo["赵红梅"])
    assert (after["total"], after["median_hours_to_close"]) == (oracle.total, oracle.median)
    assert after["median_hours_to_close"] is not None


def test_a_neighbouring_village_sees_none_of_xiliunan(login, jiang):
    shi, neighbour = login("石水奇"), login("孙保平")
    before = [neighbour.get(r) for r in ROUTES]
    shi.post("/api/visits", json=visit_body(jiang.id))
    open_case(shi, jiang.id)
    coverage, report, cases_xlsx, homes_xlsx = (neighbour.get(r) for r in ROUTES)
    assert coverage.get_json()["total"] == before[0].get_json()["total"]
    assert coverage.get_json()["total"]["households"] == 5
    assert [u["name"] for u in coverage.get_json()["units"]] == ["第一网格"]
    assert all("黄牛蹄村" in i["address"] for i in coverage.get_json()["never_visited"]["items"])
    assert report.get_json()["total"] == before[1].get_json()["total"] == 0
    assert sheet_rows(cases_xlsx)[1] == []
    rows = sheet_rows(homes_xlsx)[1]
    assert len(rows) == 5 and {r["村"] for r in rows} == {"黄牛蹄村"}


def test_cases_export_is_the_reconciliation_list(login, demo, jiang):
    secretary, shi = login("赵红梅"), login("石水奇")
    case_id = open_case(shi, jiang.id, urgency="urgent", title="=HYPERLINK(\"http://x\")")
    shi.post(f"/api/cases/{case_id}/escalate", json={"reason": "立即报告支部"})
    secretary.post(f"/api/cases/{case_id}/resolve", json={"resolution": "安排分发党报党刊"})
    shi.post(f"/api/cases/{case_id}/revisit", json={"id": str(uuid.uuid4()), "satisfaction": "basic", "mode": "phone"})
    secretary.post(f"/api/cases/{case_id}/close", json={})

    res = secretary.get("/api/exports/cases.xlsx")
    assert res.status_code == 200 and res.mimetype == XLSX
    disposition = res.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=\"cases-") and ".xlsx" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]).startswith("问题清单-西流南村-")
    headers, rows = sheet_rows(res)
    assert headers == ("编号", "户主", "村", "网格", "类别", "标题", "紧急程度", "状态", "层级",
                       "当前经办人", "上报时间", "截止时间", "是否超时", "办结时间", "销号时间",
                       "办理结果", "最后一步", "最后一步时间", "回访结果", "并入问题")
    assert len(rows) == cases_oracle(demo["赵红梅"]).total
    row = next(r for r in rows if r["编号"] == case_id)
    assert pick(row, "户主 村 网格 类别 紧急程度") == ("姜彩凤", "西流南村", "第一网格", "急难愁盼", "紧急")
    assert pick(row, "标题 状态 层级 是否超时") == ("=HYPERLINK(\"http://x\")", "已销号", "村党支部", "否")
    assert pick(row, "当前经办人 截止时间 办理结果 最后一步") == (None, None, "安排分发党报党刊", "销号")
    assert pick(row, "回访结果 并入问题") == ("基本满意", None)
    assert all(isinstance(row[k], datetime) for k in ("上报时间", "办结时间", "销号时间", "最后一步时间"))
    closed_at = db.session.get(Case, uuid.UUID(case_id)).closed_at
    assert abs(row["销号时间"] - in_china(closed_at)) < timedelta(seconds=1)
    pending = [r for r in rows if r["状态"] not in ("已销号", "已办结")]
    assert pending and all(r["当前经办人"] and r["最后一步"] for r in pending)


def test_a_title_like_a_formula_stays_text(login, jiang):
    from io import BytesIO

    from openpyxl import load_workbook

    shi, secretary = login("石水奇"), login("赵红梅")
    open_case(shi, jiang.id, title="=1+1")
    ws = load_workbook(BytesIO(secretary.get("/api/exports/cases.xlsx").data)).worksheets[0]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "=1+1")
    assert cell.data_type == "s"


def test_households_export(login, jiang):
    shi, secretary = login("石水奇"), login("赵红梅")
    shi.post("/api/visits", json=visit_body(jiang.id))
    open_case(shi, jiang.id)
    res = secretary.get("/api/exports/households.xlsx")
    assert res.status_code == 200 and res.mimetype == XLSX
    assert "filename*=UTF-8''" in res.headers["Content-Disposition"]
    headers, rows = sheet_rows(res)
    # the register's columns (一户一档), which the import reads back; the last two for the reader only
    assert headers == ("户编号", "村", "网格", "户主", "住址", "人口", "电话", "标签", "困难户", "包联党员",
                       "党员手机号", "最近走访时间", "未结问题数")
    assert len(rows) == 120 and {r["村"] for r in rows} == {"西流南村"}
    row = next(r for r in rows if r["户主"] == "姜彩凤")
    assert pick(row, "户编号 人口 标签 困难户 网格 包联党员 党员手机号") == (
        jiang.household_no, 3, "重病", "是", "第一网格", "石水奇", "13900000101")
    last = db.session.scalar(select(db.func.max(Visit.visited_at)).where(Visit.household_id == jiang.id))
    assert abs(row["最近走访时间"] - in_china(last)) < timedelta(seconds=1)
    open_now = db.session.scalar(select(db.func.count()).select_from(Case).where(
        Case.household_id == jiang.id, Case.status.in_(("open", "escalated", "dispatched", "in_progress"))))
    assert row["未结问题数"] == open_now >= 1


def test_routes_are_in_the_openapi_document(anon):
    spec = anon.get("/api/openapi.json").get_json()
    for route in ROUTES:
        assert "get" in spec["paths"][route]
    content = spec["paths"]["/api/exports/cases.xlsx"]["get"]["responses"]["200"]["content"]
    assert list(content) == [XLSX]
    params = spec["paths"]["/api/reports/coverage"]["get"]["parameters"]
    assert [p["name"] for p in params] == ["days"]


def add_rows(demo, n):
    """n more households in 西流南村, each with a visit and a case with two events."""
    grid, member = demo["石水奇"].org_unit, demo["石水奇"]
    now = utcnow()
    for i in range(n):
        home = Household(org_unit_id=grid.id, member_id=member.id, head_name=f"加户{i}", address=f"加 {i} 号",
                         people=2, tags=["低保"])
        db.session.add(home)
        db.session.flush()
        db.session.add(Visit(id=uuid.uuid4(), household_id=home.id, author_id=member.id, visited_at=now,
                             mode="door", needs=[], hardship="none"))
        case = Case(id=uuid.uuid4(), household_id=home.id, category="other", title="加", status="escalated",
                    level="branch", holder_id=demo["赵红梅"].id, opened_by_id=member.id, opened_at=now,
                    created_at=now, updated_at=now, due_at=now + timedelta(days=1))
        db.session.add(case)
        db.session.flush()
        for kind in ("opened", "escalated"):
            db.session.add(CaseEvent(case_id=case.id, type=kind, actor_id=member.id, at=now, data={}))
    db.session.flush()


@pytest.mark.parametrize("who", ["赵红梅", "王建军", "admin"])
def test_statements_do_not_grow_with_rows(login, demo, who):
    client = login(role="admin") if who == "admin" else login(who)
    for route in ROUTES:
        client.get(route)  # warm up: the first request of a session may load more
    measured = []
    for extra in (0, 25):
        add_rows(demo, extra)
        counts = []
        for route in ROUTES:
            with statements() as seen:
                assert client.get(route).status_code == 200
            counts.append(len(seen))
        measured.append(counts)
    assert measured[0] == measured[1], dict(zip(ROUTES, zip(*measured)))


PRACTICE_ROUTES = ("/api/reports/rates", "/api/reports/unvisited", "/api/exports/rates.xlsx")


@pytest.mark.parametrize("route", PRACTICE_ROUTES)
def test_the_practice_reports_are_for_the_branch_and_above(login, route):
    for name in ("赵红梅", "王建军"):
        assert login(name).get(route).status_code == 200, name
    assert login(role="admin").get(route).status_code == 200
    for name in ("石水奇", "吴月娥", "周德胜", "刘淑珍"):
        assert login(name).get(route).status_code == 403, name


def test_rates_answer_this_month_by_default_and_a_chosen_period(login):
    secretary = login("赵红梅")
    report = secretary.get("/api/reports/rates").get_json()
    today = datetime.now(timezone(timedelta(hours=8))).date()
    assert (report["from"], report["to"]) == (today.replace(day=1).isoformat(), today.isoformat())
    assert [u["name"] for u in report["units"]] == ["第一网格", "第二网格"]
    assert set(report["total"]) == {"response", "resolution", "satisfaction"}
    chosen = secretary.get("/api/reports/rates?from=2026-01-01&to=2026-01-31").get_json()
    assert (chosen["from"], chosen["to"]) == ("2026-01-01", "2026-01-31")
    assert chosen["since"] == "2026-01-01T00:00:00+08:00" and chosen["until"] == "2026-02-01T00:00:00+08:00"
    res = secretary.get("/api/exports/rates.xlsx?from=2026-01-01&to=2026-01-31")
    assert res.status_code == 200 and res.mimetype == XLSX
    assert unquote(res.headers["Content-Disposition"].split("filename*=UTF-8''")[1]) == \
        "三率-西流南村-20260101至20260131.xlsx"
    headers, rows = sheet_rows(res)
    assert headers[:5] == ("名称", "类别", "按时响应", "应响应", "响应率")
    assert [r["名称"] for r in rows[:3]] == ["西流南村", "第一网格", "第二网格"]


@pytest.mark.parametrize("query,field", [("from=2026-13-01", "from"), ("to=yesterday", "to"),
                                         ("from=1999-12-31", "from"), ("from=2026-02-01&to=2026-01-31", "to")])
def test_a_bad_period_is_named_in_chinese(login, query, field):
    for route in ("/api/reports/rates", "/api/exports/rates.xlsx"):
        res = login("赵红梅").get(f"{route}?{query}")
        assert res.status_code == 422, (route, query)
        error = res.get_json()["error"]
        assert field in error["fields"] and error["message"].startswith({"from": "开始日期", "to": "结束日期"}[field])


def test_the_secretary_sees_who_has_households_unvisited(login, demo, clock):
    secretary, shi = login("赵红梅"), login("石水奇")
    before = secretary.get("/api/reports/unvisited").get_json()
    assert before["days"] == 30
    members = by_name(before["members"])
    mine = unvisited_homes_of(demo["石水奇"])
    assert members["石水奇"]["count"] >= len(mine) and members["石水奇"]["org_unit"]["name"] == "第一网格"
    assert all(m["org_unit"]["name"] in ("第一网格", "第二网格") for m in before["members"])
    order = [(m["org_unit"]["id"], m["id"]) for m in before["members"]]
    assert order == sorted(order)  # the org tree's order, never a ranking by count
    home = mine[0]
    assert shi.post("/api/visits", json=visit_body(home.id)).status_code == 201
    after = by_name(secretary.get("/api/reports/unvisited").get_json()["members"])
    assert after["石水奇"]["count"] == members["石水奇"]["count"] - 1
    assert home.id not in [h["id"] for h in after["石水奇"]["households"]]
    assert secretary.get("/api/reports/unvisited?days=0").status_code == 422
