"""A phone's clock can say anything: a step may not be dated before the step it follows nor
after the server's now (plus a little skew); reports count on the server's own clock."""
import uuid
from datetime import datetime, timedelta, timezone

from app.extensions import db
from app.tasks.models import Task


def _iso(dt):
    return dt.isoformat()


def test_a_case_cannot_be_closed_before_it_was_opened(make_case, chain, as_user):
    case = make_case(level="branch", status="escalated")
    secretary = as_user(chain["secretary"])
    res = secretary.post(f"/api/cases/{case.id}/resolve", json={"resolution": "已办", "at": "2000-01-01T00:00:00+08:00"})
    assert res.status_code == 422 and "at" in res.get_json()["error"]["fields"]
    assert secretary.post(f"/api/cases/{case.id}/resolve", json={"resolution": "已办"}).status_code == 200
    revisit = {"id": str(uuid.uuid4()), "satisfaction": "satisfied", "mode": "phone"}
    member = as_user(chain["member"])
    res = member.post(f"/api/cases/{case.id}/revisit", json={**revisit, "at": "2000-01-01T00:00:00+08:00"})
    assert res.status_code == 422 and "at" in res.get_json()["error"]["fields"]  # asked before it was resolved?
    assert as_user(chain["member"]).post(f"/api/cases/{case.id}/revisit", json=revisit).status_code == 200
    res = secretary.post(f"/api/cases/{case.id}/close", json={"at": "2000-01-01T00:00:00+08:00"})
    assert res.status_code == 422
    assert secretary.post(f"/api/cases/{case.id}/close", json={}).get_json()["status"] == "closed"


def test_reports_never_see_a_negative_time_to_close(make_case, chain, as_user):
    case = make_case(level="branch", status="escalated")
    secretary = as_user(chain["secretary"])
    ahead = datetime.now(timezone.utc) + timedelta(minutes=5)  # within the allowed skew
    assert secretary.post(f"/api/cases/{case.id}/resolve",
                          json={"resolution": "已办", "at": _iso(ahead)}).status_code == 200
    body = secretary.post(f"/api/cases/{case.id}/close",
                          json={"at": _iso(ahead), "no_revisit_reason": "户主外出务工，电话未接通"}).get_json()
    assert body["closed_at"] >= body["created_at"]  # the server's clock, both ends
    assert datetime.fromisoformat(body["events"][-1]["at"]) == ahead  # the phone's word, on the timeline
    median = secretary.get("/api/reports/cases").get_json()["median_hours_to_close"]
    assert median is None or median >= 0


def test_task_steps_are_bounded_by_the_task_and_the_server(chain, as_user):
    task_id = str(uuid.uuid4())
    assert as_user(chain["secretary"]).post("/api/tasks", json={
        "id": task_id, "assignee_id": chain["member"].id, "title": "走访核实"}).status_code == 201
    member = as_user(chain["member"])
    for when in ("2099-01-01T00:00:00+08:00", "2000-01-01T00:00:00+08:00"):
        res = member.post(f"/api/tasks/{task_id}/accept", json={"at": when})
        assert res.status_code == 422 and "at" in res.get_json()["error"]["fields"], when
    assert member.post(f"/api/tasks/{task_id}/accept", json={}).status_code == 200
    accepted = db.session.get(Task, uuid.UUID(task_id)).accepted_at
    res = member.post(f"/api/tasks/{task_id}/complete", json={"at": _iso(accepted - timedelta(hours=1))})
    assert res.status_code == 422  # done before it was accepted
