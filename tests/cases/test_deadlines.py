"""Overdue cases climb the chain on a controllable clock."""
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select

from app.cases.models import Case, CaseEvent
from app.cases.overdue import escalate_overdue
from app.extensions import db
from app.notify.models import Notification
from app.scheduler import run_due_jobs


def _open(client, household_id, urgency="normal"):
    case_id = str(uuid.uuid4())
    res = client.post("/api/cases", json={"id": case_id, "household_id": household_id, "category": "other",
                                          "title": "院墙倒塌", "urgency": urgency})
    assert res.status_code == 201
    return case_id


def _case(case_id):
    db.session.expire_all()
    return db.session.get(Case, uuid.UUID(case_id))


def test_nothing_moves_before_the_deadline(clock, login, jiang):
    case_id = _open(login("石水奇"), jiang.id)
    clock.advance(hours=23)
    escalate_overdue()
    assert _case(case_id).level == "member"


def test_overdue_case_moves_up_one_level_and_says_so(clock, login, jiang, chain):
    case_id = _open(login("石水奇"), jiang.id)
    clock.advance(hours=25)
    assert escalate_overdue() >= 1
    db.session.commit()
    case = _case(case_id)
    assert (case.level, case.holder_id, case.status) == ("informant", chain["informant"].id, "escalated")
    event = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                               .order_by(CaseEvent.recorded_at.desc())).first()
    assert (event.type, event.actor_id, event.data["from"], event.data["to"]) == (
        "overdue_escalated", None, "member", "informant")
    told = db.session.scalars(select(Notification.kind).where(
        Notification.user_id == chain["informant"].id, Notification.ref_id == case_id)).all()
    assert told == ["case_arrived"]

    clock.advance(hours=23)  # the informant has a fresh 24 h
    escalate_overdue()
    assert _case(case_id).level == "informant"
    clock.advance(hours=2)
    escalate_overdue()
    assert _case(case_id).level == "grid"


def test_urgent_cases_have_half_the_time(clock, login, jiang):
    case_id = _open(login("石水奇"), jiang.id, urgency="urgent")
    clock.advance(hours=11)
    escalate_overdue()
    assert _case(case_id).level == "member"
    clock.advance(hours=2)
    escalate_overdue()
    assert _case(case_id).level == "informant"


def test_at_the_top_an_overdue_case_is_a_reminder(clock, make_case, chain):
    case = make_case(level="department", status="dispatched")
    clock.advance(days=8)
    escalate_overdue()
    case = _case(str(case.id))
    assert case.level == "department" and case.due_at > clock.now
    types = db.session.scalars(select(CaseEvent.type).where(CaseEvent.case_id == case.id)).all()
    assert "overdue" in types
    told = db.session.scalars(select(Notification.user_id).where(Notification.ref_id == str(case.id))).all()
    assert chain["township"].id in told and chain["department"].id in told


def test_closed_and_resolved_cases_are_never_overdue(clock, make_case):
    cases = [make_case(level="branch", status="resolved"), make_case(level="branch", status="closed")]
    clock.advance(days=30)
    escalate_overdue()
    for case in cases:
        types = db.session.scalars(select(CaseEvent.type).where(CaseEvent.case_id == case.id)).all()
        assert types == ["opened"]


def test_cli_and_scheduler_pass(clock, make_case, runner, app):
    case = make_case(level="member", status="open")
    clock.advance(days=2)
    result = runner.invoke(args=["escalate-overdue"])
    assert result.exit_code == 0 and "超时处理" in result.output
    assert _case(str(case.id)).level == "informant"
    assert run_due_jobs(app)["overdue"] == 0  # everything overdue already moved


def test_a_vacancy_above_does_not_stop_the_others(clock, make_case, chain):
    """With no township officer, a branch case cannot climb: it is a reminder, and every other
    overdue case still moves."""
    chain["township"].active = False
    db.session.commit()
    top = make_case(level="branch", status="escalated")
    low = make_case(level="member", status="open")
    clock.advance(days=5)
    escalate_overdue()
    assert _case(str(low.id)).level == "informant"
    stuck = _case(str(top.id))
    assert stuck.level == "branch" and stuck.due_at > clock.now
    types = db.session.scalars(select(CaseEvent.type).where(CaseEvent.case_id == stuck.id)).all()
    assert "overdue" in types


def test_the_phones_clock_does_not_set_deadlines(clock, make_case, chain, as_user):
    case = make_case(level="member", status="open")
    res = as_user(chain["member"]).post(f"/api/cases/{case.id}/escalate", json={"at": "2099-01-01T00:00:00+00:00"})
    assert res.status_code == 422 and "at" in res.get_json()["error"]["fields"]
    res = as_user(chain["member"]).post(f"/api/cases/{case.id}/escalate", json={"at": "2020-01-01T00:00:00+00:00"})
    assert res.status_code == 422 and "at" in res.get_json()["error"]["fields"]  # before the case was opened
    said = (clock.now + timedelta(minutes=5)).isoformat()  # a phone a little ahead, within the skew
    res = as_user(chain["member"]).post(f"/api/cases/{case.id}/escalate", json={"at": said})
    assert res.status_code == 200
    escalated = next(e for e in res.get_json()["events"] if e["type"] == "escalated")
    assert datetime.fromisoformat(escalated["at"]) == datetime.fromisoformat(said)  # what the phone said, kept
    escalate_overdue()  # the deadline runs from the server's clock: not yet due
    assert _case(str(case.id)).level == "informant"
