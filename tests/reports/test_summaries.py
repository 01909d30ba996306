"""Above the village the reports read the summary tables: after every kind of change they must
say what a recount of the rows says, worked out here by hand for the tests' own village and
by recount for the whole township and district around it."""
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.cases import service as cases
from app.cases.models import is_overdue
from app.extensions import db
from app.households.models import Household
from app.org.models import OrgUnit
from app.org.service import create_org_unit
from app.reports import service
from app.reports.summaries import SUMMARIES, flush_pending, rebuild_summaries
from app.visits.models import Visit
from tests.reports.conftest import cases_oracle, coverage_oracle, statements
from tests.reports.test_service import close_after, open_case

UTC = timezone.utc
# 12:00 China time; the 30-day window starts at 12:00 on 21 October, whose day ends at 16:00 UTC.
NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
SINCE = NOW - timedelta(days=30)
COUNTERS = {"households", "unassigned", "visited", "n", "on_time", "due", "closed", "judged", "satisfied",
            "revisited"}


def visit(home, at):
    db.session.add(Visit(id=uuid.uuid4(), household_id=home.id, author_id=home.member_id or 1, visited_at=at,
                         mode="door", notes="", needs=[], hardship="none"))
    db.session.flush()


def row(report, name):
    return next(u for u in report["units"] if u["name"] == name)


def figures(r):
    return r["households"], r["visited"], r["never_visited"]


def recount(actor):
    """Coverage of `actor`'s whole scope from the rows, and its unassigned households."""
    oracle = coverage_oracle(actor, SINCE)
    homes = db.session.scalars(select(Household).where(Household.archived_at.is_(None))).all()
    if actor.role != "admin":
        under = set(db.session.scalars(select(OrgUnit.id).where(OrgUnit.path.startswith(actor.org_unit.path))))
        homes = [h for h in homes if h.org_unit_id in under]
    return (oracle["households"], oracle["visited"], oracle["never_visited"]), sum(h.member_id is None for h in homes)


@pytest.fixture
def history(village, demo):
    """报表测试村's seven households (h0-h3 甲's, h4-h5 乙's, h6 nobody's) after a history."""
    h = village.homes
    visit(h[0], SINCE + timedelta(hours=1))  # on the window's first day, after it starts: visited
    visit(h[1], SINCE - timedelta(hours=1))  # the same day, before the window: not visited, but ever
    visit(h[2], SINCE + timedelta(hours=1))
    visit(h[2], NOW - timedelta(days=1))  # two visits in the window count once
    visit(h[3], NOW - timedelta(days=40))
    visit(h[4], NOW - timedelta(days=2))
    h[4].archived_at = NOW  # 迁出: out of every figure
    h[5].member_id = None  # its member handed it over: unassigned, still never visited
    db.session.flush()
    visit(h[6], NOW - timedelta(days=3))
    return village


def summary_rows():
    """Every summary row but those whose counters are all back at zero (a recount writes none)."""
    flush_pending(db.session)
    out = {}
    for model in SUMMARIES:
        table = model.__table__
        got = db.session.execute(select(table)).all()
        counters = [c.name for c in table.columns if c.name in COUNTERS]
        out[table.name] = sorted((tuple(r) for r in got if not counters or any(getattr(r, c) for c in counters)),
                                 key=repr)
    return out


def test_township_coverage_of_a_worked_history(history, demo):
    town = demo["张安明"]
    report = service.coverage(actor=town, now=NOW)
    # live: h0 h1 h2 h3 h5 h6; visited since 21 Oct 12:00: h0 h2 h6; never: h5
    assert figures(row(report, "报表测试村")) == (6, 3, 1)
    total, unassigned = recount(town)
    assert figures(report["total"]) == total and report["total"]["unassigned"] == unassigned
    never = [i["id"] for i in report["never_visited"]["items"]]
    assert history.homes[5].id in never and history.homes[4].id not in never
    assert report["never_visited"]["count"] == total[2] == len(never)

    history.homes[4].archived_at = None  # restored, with its visit of two days ago
    db.session.flush()
    assert figures(row(service.coverage(actor=town, now=NOW), "报表测试村")) == (7, 4, 1)


def test_the_window_edge_is_exact(history, demo):
    """A window starting after h0's visit on that same day no longer counts it."""
    town = demo["张安明"]
    later = service.coverage(actor=town, now=NOW + timedelta(hours=2))
    assert figures(row(later, "报表测试村")) == (6, 2, 1)
    wider = service.coverage(actor=town, days=45, now=NOW)  # h3 (40 days ago) and h1 come in
    assert figures(row(wider, "报表测试村")) == (6, 5, 1)


def test_admin_coverage_adds_up_to_the_recount(history, demo):
    admin = demo.one("admin")
    report = service.coverage(actor=admin, now=NOW)
    total, unassigned = recount(admin)
    assert figures(report["total"]) == total and report["total"]["unassigned"] == unassigned
    town = service.coverage(actor=demo["张安明"], now=NOW)
    assert figures(row(report, "黄牛蹄乡")) == figures(town["total"])


def test_township_case_figures_follow_every_step(village, demo, clock):
    sec, h, town = village.secretary, village.homes, demo["张安明"]
    a, b = open_case(sec, h[0]), open_case(sec, h[1], category="fire")
    c = open_case(sec, h[2], urgency="urgent")
    close_after(sec, c, 30, clock)
    nine = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 09:00 China time
    a.due_at, b.due_at = nine, nine - timedelta(days=1)  # due earlier today, and yesterday
    db.session.flush()
    now = nine + timedelta(hours=1)

    report = service.cases(actor=town, now=now)
    mine = row(report, "报表测试村")
    assert [mine[k] for k in ("total", "open", "overdue", "resolved", "closed")] == [3, 2, 2, 0, 1]
    oracle = cases_oracle(town)
    assert report["total"] == oracle.total and report["median_hours_to_close"] == oracle.median
    assert report["by_status"] == {**dict.fromkeys(report["by_status"], 0), **Counter(x.status for x in oracle.cases)}
    assert report["overdue"] == sum(is_overdue(x, now) for x in oracle.cases)

    cases.act(actor=sec, case_id=c.id, action="reopen", data={"reason": "没有解决"})
    report = service.cases(actor=town, now=now)
    mine = row(report, "报表测试村")
    assert [mine[k] for k in ("total", "open", "closed")] == [3, 3, 0]
    assert report["median_hours_to_close"] == cases_oracle(town).median


def test_the_median_is_exact_and_the_mean_of_the_middle_two(village, demo, clock):
    sec, h, town = village.secretary, village.homes, demo["张安明"]
    for hours, home in ((10, h[1]), (40, h[2]), (20.5, h[6])):
        close_after(sec, open_case(sec, home), hours, clock)
    assert service.cases(actor=town)["median_hours_to_close"] == cases_oracle(town).median
    close_after(sec, open_case(sec, h[3]), 100, clock)
    assert service.cases(actor=town)["median_hours_to_close"] == cases_oracle(town).median
    admin = demo.one("admin")
    assert service.cases(actor=admin)["median_hours_to_close"] == cases_oracle(admin).median


def test_rebuilding_the_summaries_changes_no_answer(history, demo, clock):
    sec = history.secretary
    close_after(sec, open_case(sec, history.homes[0]), 5, clock)
    open_case(sec, history.homes[1])
    actors = (demo["张安明"], demo.one("admin"))
    before = [(service.coverage(actor=a, now=NOW), service.cases(actor=a, now=NOW)) for a in actors]
    rebuild_summaries()
    rebuild_summaries()  # idempotent
    assert [(service.coverage(actor=a, now=NOW), service.cases(actor=a, now=NOW)) for a in actors] == before


def test_a_township_report_costs_the_same_for_more_villages(demo):
    town = demo["张安明"]
    counts = []
    for n in range(2):
        with statements() as seen:
            service.coverage(actor=town)
            service.cases(actor=town)
        counts.append(len(seen))
        unit = db.session.get(OrgUnit, town.org_unit_id)
        for i in range(3):
            create_org_unit(kind="grid", name="网格", parent=create_org_unit(kind="village", name=f"新村{n}{i}",
                                                                           parent=unit))
        db.session.flush()
    assert counts[0] == counts[1]


def test_every_summary_row_is_what_a_recount_writes(history, demo, clock):
    """Kept step by step, or recounted from scratch: the same rows (counters at zero aside)."""
    sec = history.secretary
    close_after(sec, open_case(sec, history.homes[0]), 5, clock)
    reopened = open_case(sec, history.homes[2])
    close_after(sec, reopened, 7, clock)
    cases.act(actor=sec, case_id=reopened.id, action="reopen", data={"reason": "没有解决"})
    open_case(sec, history.homes[3], urgency="urgent")
    history.homes[6].member_id = history.yi.id
    db.session.flush()

    kept = summary_rows()
    assert kept["report_last_visits"] and kept["report_open_deadlines"] and kept["report_closed_cases"]
    rebuild_summaries()
    assert summary_rows() == kept


def test_a_savepoint_rolled_back_takes_its_counts_back(village, demo):
    """A visit in a savepoint released counts; one in a savepoint rolled back does not, even when
    the report was read (and the counts before it written) inside that savepoint."""
    town, h = demo["张安明"], village.homes
    before = figures(row(service.coverage(actor=town, now=NOW), "报表测试村"))
    assert before == (7, 0, 7)  # seven live households, none visited yet
    with db.session.begin_nested():
        visit(h[0], NOW - timedelta(days=1))
    visit(h[1], NOW - timedelta(days=2))  # pending in the transaction when the next savepoint opens
    savepoint = db.session.begin_nested()
    visit(h[2], NOW - timedelta(days=3))
    assert figures(row(service.coverage(actor=town, now=NOW), "报表测试村")) == (7, 3, 4)
    savepoint.rollback()
    assert figures(row(service.coverage(actor=town, now=NOW), "报表测试村")) == (7, 2, 5)
    with db.session.begin_nested():
        savepoint = db.session.begin_nested()
        visit(h[3], NOW - timedelta(days=4))
        savepoint.rollback()
        visit(h[4], NOW - timedelta(days=5))
    assert figures(row(service.coverage(actor=town, now=NOW), "报表测试村")) == (7, 3, 4)
    kept = summary_rows()
    rebuild_summaries()
    assert summary_rows() == kept
