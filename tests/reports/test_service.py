"""app/reports without HTTP: exact figures in a village of the tests' own, the demo against oracles."""
import uuid
from datetime import timedelta

import pytest

from app.cases import service as cases
from app.common.time import utcnow
from app.errors import Forbidden
from app.extensions import db
from app.reports import exports, service
from app.visits.models import Visit
from tests.reports.conftest import cases_oracle, coverage_oracle


def visit(home, author, ago):
    db.session.add(Visit(id=uuid.uuid4(), household_id=home.id, author_id=author.id, visited_at=utcnow() - ago,
                         mode="door", notes="", needs=[], hardship="none"))
    db.session.flush()


def counts(row):
    return row["households"], row["visited"], row["never_visited"], row["coverage"]


def test_coverage_of_a_fresh_village_is_exact(village):
    h = village.homes
    visit(h[0], village.jia, timedelta(days=2))
    visit(h[0], village.jia, timedelta(days=1))  # a second visit to the same household counts once
    visit(h[1], village.jia, timedelta(days=40))  # visited, but not in the last 30 days
    visit(h[4], village.yi, timedelta(days=10))

    report = service.coverage(actor=village.secretary)
    assert report["unit"]["name"] == "报表测试村" and report["days"] == 30
    assert report["total"] == {"households": 7, "visited": 2, "never_visited": 4, "coverage": 0.2857,
                               "unassigned": 1}
    assert [(u["name"], *counts(u)) for u in report["units"]] == [
        ("东网格", 4, 1, 2, 0.25), ("西网格", 3, 1, 2, 0.3333)]
    assert [(m["name"], m["org_unit"]["name"], *counts(m)) for m in report["members"]] == [
        ("甲党员", "东网格", 4, 1, 2, 0.25), ("乙党员", "西网格", 2, 1, 1, 0.5),
        ("丙党员", "西网格", 0, 0, 0, None)]
    never = report["never_visited"]
    assert (never["count"], never["more"]) == (4, False)
    assert [i["id"] for i in never["items"]] == [h[2].id, h[3].id, h[5].id, h[6].id]
    assert never["items"][0]["member"] == {"id": village.jia.id, "name": "甲党员"}
    assert never["items"][-1]["member"] is None

    wider = service.coverage(actor=village.secretary, days=60)
    assert counts(wider["total"]) == (7, 3, 4, 0.4286)


def test_township_sees_villages_and_admin_sees_townships(village, demo):
    township = service.coverage(actor=demo["张安明"])
    assert [(u["name"], u["households"]) for u in township["units"]] == [("黄牛蹄村", 5), ("报表测试村", 7)]
    assert township["members"] == []
    admin = {u["name"]: u for u in service.coverage(actor=demo.one("admin"))["units"]}
    assert admin["辛安泉镇"]["households"] == 120 and admin["黄牛蹄乡"]["households"] == 12
    assert counts(admin["潞华街道"]) == (0, 0, 0, None)
    assert all(u["kind"] == "township" for u in admin.values())


def test_coverage_of_the_demo_village_matches_the_rows(demo):
    secretary = demo["赵红梅"]
    report = service.coverage(actor=secretary)
    oracle = coverage_oracle(secretary, report["since"])
    assert oracle["households"] == 120
    assert {k: report["total"][k] for k in oracle} == oracle
    assert [(u["name"], u["households"]) for u in report["units"]] == [("第一网格", 60), ("第二网格", 60)]
    assert len(report["members"]) == 12 and {m["households"] for m in report["members"]} == {10}
    assert report["never_visited"]["count"] == len(report["never_visited"]["items"]) == oracle["never_visited"]


@pytest.mark.parametrize("name", ["石水奇", "吴月娥", "周德胜", "刘淑珍"])
def test_reports_refuse_below_the_branch(demo, name):
    actor = demo[name]
    for call in (service.coverage, service.cases, exports.households_workbook):
        with pytest.raises(Forbidden) as refused:
            call(actor=actor)
        assert refused.value.message.startswith("只有村党支部书记、乡镇干部、管理员可以")
    if actor.role == "department":
        exports.cases_workbook(actor=actor)  # department staff may list what was dispatched to them
    else:
        with pytest.raises(Forbidden):
            exports.cases_workbook(actor=actor)


def open_case(actor, home, *, category="urgent_needs", urgency="normal"):
    case, _ = cases.open_case(actor=actor, data={
        "id": uuid.uuid4(), "household_id": home.id, "visit_id": None, "category": category, "title": "测试问题",
        "description": "", "urgency": urgency, "opened_at": None})
    return case


def close_after(actor, case, hours, clock):
    """Close a case `hours` after the server received it (the server's clock is what counts)."""
    clock.advance(hours=hours)
    cases.act(actor=actor, case_id=case.id, action="resolve", data={"resolution": "已解决"})
    cases.act(actor=actor, case_id=case.id, action="close", data={"no_revisit_reason": "户主外出"})


def test_cases_report_of_a_fresh_village_is_exact(village, clock):
    sec, h = village.secretary, village.homes
    assert service.cases(actor=sec)["median_hours_to_close"] is None
    for hours, home in ((10, h[1]), (40, h[2]), (20, h[6])):
        close_after(sec, open_case(sec, home), hours, clock)
    open_case(sec, h[0], category="fire")
    open_case(sec, h[4], urgency="urgent")
    resolved = open_case(sec, h[5], category="environment")
    cases.act(actor=sec, case_id=resolved.id, action="resolve", data={"resolution": "已清理"})

    report = service.cases(actor=sec)
    assert [report[k] for k in ("total", "open", "resolved", "closed", "overdue")] == [6, 2, 1, 3, 0]
    assert report["by_status"] == {"open": 2, "escalated": 0, "dispatched": 0, "in_progress": 0, "resolved": 1,
                                   "closed": 3}
    assert report["by_category"] == {"urgent_needs": 4, "epidemic": 0, "fire": 1, "civility": 0,
                                     "environment": 1, "industry": 0, "other": 0}
    assert report["by_level"]["branch"] == 6 and report["by_urgency"] == {"normal": 5, "urgent": 1}
    assert report["median_hours_to_close"] == 20.0
    assert [(u["name"], u["total"], u["open"], u["resolved"], u["closed"]) for u in report["units"]] == [
        ("东网格", 3, 1, 0, 2), ("西网格", 3, 1, 1, 1)]

    close_after(sec, open_case(sec, h[3]), 100, clock)
    assert service.cases(actor=sec)["median_hours_to_close"] == 30.0  # an even count: the mean of the middle two

    later = service.cases(actor=sec, now=utcnow() + timedelta(days=30))
    assert later["overdue"] == 2 and [u["overdue"] for u in later["units"]] == [1, 1]


def test_cases_report_stays_in_scope(demo, village):
    open_case(village.secretary, village.homes[0])
    db.session.flush()
    for name in ("赵红梅", "孙保平", "张安明"):
        actor = demo[name]
        report, oracle = service.cases(actor=actor), cases_oracle(actor)
        assert (report["total"], report["median_hours_to_close"]) == (oracle.total, oracle.median)
    assert service.cases(actor=demo["孙保平"])["total"] == 0
    assert service.cases(actor=demo["张安明"])["total"] == 1


def test_workbook_cells_are_plain_text():
    from io import BytesIO

    from openpyxl import load_workbook

    data = exports.workbook("表", ("标题", "时间"), [["=cmd|' /C calc'!A0\x07", utcnow().replace(tzinfo=None)]])
    ws = load_workbook(BytesIO(data)).worksheets[0]
    title, when = ws["A2"], ws["B2"]
    assert (title.value, title.data_type) == ("=cmd|' /C calc'!A0", "s")
    assert when.is_date and ws.freeze_panes == "A2" and ws["A1"].font.b
