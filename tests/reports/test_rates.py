"""三率 from a history built step by step on the server's clock, with every figure worked out by
hand below (not by the code under test).

Deadlines (CASE_DEADLINE_HOURS): informant 24 h, branch 72 h, township 120 h, department 168 h,
each running from when the case reached that level. T0 is 09:00 China time of a day d0.

报表测试村 (secretary S; 东网格 with member 甲 and informant I; 西网格 with member 乙; no grid
leader), township officer Z (黄牛蹄乡), 刘淑珍 of 民政局 (L), 陈志刚 of 人社局 (C):

  case A (东): S opens at T0 (due T0+72)  · S 办结 +10 on time · 甲 回访 满意 +20 · S 销号 +21
  case B (西): S opens at T0 (due T0+72)  · S 办结 +80 LATE · 乙 回访 不满意 +81 (reopened with S,
               due +153) · S 办结 +90 on time · 乙 回访 基本满意 +91 · S 销号 +92
  case D (东): S opens at T0 · S 上报 +1 on time (township due +121) · Z 派单 民政局 +5 on time (due
               +173) · L 退单 +6 on time (back to Z, due +126) · Z 派单 人社局 +7 on time (due +175) ·
               overdue pass at +200: nothing above a department, a reminder = a MISS for 人社局 (due
               +368) · C 接单 +210 on time · C 办结 +220 on time · 甲 回访 满意 +230 · Z 销号 +231
  case E (东): S opens at +1, merges it into D at +2 (no deadline answered, not a resolution)
  case F (东): S opens at T0 · S 退回 +3 on time (no grid leader: to informant I, due +27) ·
               I 上报 +30 LATE (back to S, due +102) · overdue pass at +200: up to Z = a MISS

Who the figures belong to: steps at the department level and the judgement of a department's
resolution go to that department; everything else to the grid the household lies in.

                 响应率 on_time/due            解决率 closed/judged       满意率 satisfied/revisited
  东网格  A 1/1, D 3/3, F 1/3 → 5/7           A 1/1                      A 1/1
  西网格  B 1/2                → 1/2           B closed 1 / (不满意 + 销号) 2  B 1/2
  民政局  reject 1/1           → 1/1           —                          —
  人社局  miss, accept, resolve → 2/3          D 1/1                      D 1/1
  total                        → 9/13          3/4                        3/4

Only day d0 (T0-9h .. T0+15h): A 办结, D 上报 派单 派单, F 退回 (东 5/5) and L 退单 (民政局 1/1):
response 6/6, nothing judged or revisited yet. Day d0+1 (T0+15h .. T0+39h): I 上报 late (东 0/1),
A 回访 and 销号: response 0/1, resolution 1/1, satisfaction 1/1.
"""
import uuid
from datetime import datetime, time, timedelta, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.cases import service as cases
from app.cases.overdue import escalate_overdue
from app.extensions import db
from app.org.models import OrgUnit
from app.reports import rates
from tests.reports.conftest import sheet_rows

CHINA = timezone(timedelta(hours=8))


def _dept(name):
    return db.session.scalars(select(OrgUnit).where(OrgUnit.name == name)).one()


@pytest.fixture
def history(village, demo, clock):
    d0 = (datetime.now(CHINA) + timedelta(days=2)).date()
    t0 = datetime.combine(d0, time(9), CHINA).astimezone(timezone.utc)
    S, Z, L, C = village.secretary, demo["张安明"], demo["刘淑珍"], demo["陈志刚"]
    jia, yi, h = village.jia, village.yi, village.homes
    informant = db.session.get(type(jia), jia.informant_id)
    log = []

    def at(hours):
        clock.now = t0 + timedelta(hours=hours)

    def open_(home, hours):
        at(hours)
        case, _ = cases.open_case(actor=S, data={
            "id": uuid.uuid4(), "household_id": home.id, "visit_id": None, "category": "urgent_needs",
            "title": f"三率测试 {len(log)}", "description": "", "urgency": "normal", "opened_at": None})
        log.append(case)
        return case

    def step(hours, actor, case, action, **data):
        at(hours)
        if action == "revisit":
            data.setdefault("id", uuid.uuid4())
        cases.act(actor=actor, case_id=case.id, action=action, data=data)

    a, b, d, f = open_(h[0], 0), open_(h[4], 0), open_(h[1], 0), open_(h[2], 0)
    step(1, S, d, "escalate", reason="村里解决不了")
    e = open_(h[3], 1)
    step(2, S, e, "merge", into_case_id=d.id)
    step(3, S, f, "return", reason="请核实家庭收入")
    step(5, Z, d, "dispatch", department_id=_dept("民政局").id)
    step(6, L, d, "reject", reason="就业帮扶不属民政职责")
    step(7, Z, d, "dispatch", department_id=_dept("人社局").id)
    step(10, S, a, "resolve", resolution="已解决")
    step(20, jia, a, "revisit", satisfaction="satisfied")
    step(21, S, a, "close")
    step(30, informant, f, "escalate", reason="已核实")
    step(80, S, b, "resolve", resolution="已联系")
    step(81, yi, b, "revisit", satisfaction="unsatisfied", notes="还没修好")
    step(90, S, b, "resolve", resolution="已修好")
    step(91, yi, b, "revisit", satisfaction="basic")
    step(92, S, b, "close")
    at(200)
    escalate_overdue()
    step(210, C, d, "accept")
    step(220, C, d, "resolve", resolution="安排公益性岗位")
    step(230, jia, d, "revisit", satisfaction="satisfied", mode="phone")
    step(231, Z, d, "close")
    db.session.flush()
    return {"d0": d0, "S": S, "Z": Z, "cases": {"A": a, "B": b, "D": d, "E": e, "F": f}}


def figures(part):
    return ((part["response"]["on_time"], part["response"]["due"], part["response"]["rate"]),
            (part["resolution"]["closed"], part["resolution"]["judged"], part["resolution"]["rate"]),
            (part["satisfaction"]["satisfied"], part["satisfaction"]["revisited"], part["satisfaction"]["rate"]))


def by_name(rows):
    return {r["name"]: figures(r) for r in rows}


def test_the_three_rates_of_a_worked_history(history):
    d0 = history["d0"]
    report = rates.rates(actor=history["S"], start=d0, end=d0 + timedelta(days=12))
    assert report["unit"]["name"] == "报表测试村"
    assert figures(report["total"]) == ((9, 13, 0.6923), (3, 4, 0.75), (3, 4, 0.75))
    assert by_name(report["units"]) == {
        "东网格": ((5, 7, 0.7143), (1, 1, 1.0), (1, 1, 1.0)),
        "西网格": ((1, 2, 0.5), (1, 2, 0.5), (1, 2, 0.5)),
    }
    assert by_name(report["departments"]) == {
        "民政局": ((1, 1, 1.0), (0, 0, None), (0, 0, None)),
        "人社局": ((2, 3, 0.6667), (1, 1, 1.0), (1, 1, 1.0)),
    }
    assert [d["kind"] for d in report["departments"]] == ["department", "department"]


def test_the_township_sees_the_village_as_one_row(history):
    d0 = history["d0"]
    report = rates.rates(actor=history["Z"], start=d0, end=d0 + timedelta(days=12))
    rows = by_name(report["units"])
    assert rows["报表测试村"] == ((6, 9, 0.6667), (2, 3, 0.6667), (2, 3, 0.6667))
    assert rows["黄牛蹄村"] == ((0, 0, None), (0, 0, None), (0, 0, None))
    assert figures(report["total"]) == ((9, 13, 0.6923), (3, 4, 0.75), (3, 4, 0.75))


def test_a_period_counts_only_what_was_recorded_in_it(history):
    d0 = history["d0"]
    first = rates.rates(actor=history["S"], start=d0, end=d0)
    assert figures(first["total"]) == ((6, 6, 1.0), (0, 0, None), (0, 0, None))
    assert by_name(first["units"])["东网格"] == ((5, 5, 1.0), (0, 0, None), (0, 0, None))
    assert by_name(first["departments"]) == {"民政局": ((1, 1, 1.0), (0, 0, None), (0, 0, None))}
    second = rates.rates(actor=history["S"], start=d0 + timedelta(days=1), end=d0 + timedelta(days=1))
    assert figures(second["total"]) == ((0, 1, 0.0), (1, 1, 1.0), (1, 1, 1.0))
    before = rates.rates(actor=history["S"], start=d0 - timedelta(days=5), end=d0 - timedelta(days=1))
    assert figures(before["total"]) == ((0, 0, None), (0, 0, None), (0, 0, None))


def test_the_export_has_the_same_figures(history):
    d0 = history["d0"]
    data, name, ascii_name = rates.rates_workbook(actor=history["S"], start=d0, end=d0 + timedelta(days=12))
    assert name == f"三率-报表测试村-{d0:%Y%m%d}至{d0 + timedelta(days=12):%Y%m%d}.xlsx"
    assert ascii_name == f"rates-{d0:%Y%m%d}-{d0 + timedelta(days=12):%Y%m%d}.xlsx"
    headers, rows = sheet_rows(SimpleNamespace(data=data))
    assert headers == ("名称", "类别", "按时响应", "应响应", "响应率", "销号", "办结后核对", "解决率", "满意", "回访",
                       "满意率")
    assert [tuple(r.values()) for r in rows] == [
        ("报表测试村", "合计", 9, 13, "69.2%", 3, 4, "75.0%", 3, 4, "75.0%"),
        ("东网格", "组织", 5, 7, "71.4%", 1, 1, "100.0%", 1, 1, "100.0%"),
        ("西网格", "组织", 1, 2, "50.0%", 1, 2, "50.0%", 1, 2, "50.0%"),
        ("民政局", "部门", 1, 1, "100.0%", 0, 0, None, 0, 0, None),
        ("人社局", "部门", 2, 3, "66.7%", 1, 1, "100.0%", 1, 1, "100.0%"),
    ]


@pytest.mark.parametrize("who", ["Z", "admin"])
def test_the_summaries_say_what_a_recount_of_the_timeline_says(history, demo, monkeypatch, who):
    """Above the village the rates come from per-day summaries: for every single day and the
    whole period they equal the figures counted from the timeline itself."""
    from app.reports import wide

    actor = demo.one("admin") if who == "admin" else history["Z"]
    d0 = history["d0"]
    periods = [(d0 + timedelta(days=i), d0 + timedelta(days=i)) for i in range(-1, 13)] + [(d0, d0 + timedelta(12))]
    summed = [rates.rates(actor=actor, start=a, end=b) for a, b in periods]
    monkeypatch.setattr(wide, "applies", lambda actor: False)
    assert [rates.rates(actor=actor, start=a, end=b) for a, b in periods] == summed
