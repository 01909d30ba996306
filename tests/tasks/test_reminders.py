"""Reminders to visit without formalism: one reminder per member per period, only in working
hours (08:00–20:00 China time), only to members with households nobody has visited for
UNVISITED_REMINDER_DAYS; the secretary sees the list. Oracles are counted from the rows."""
from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import exists, select

from app.extensions import db
from app.households.models import Household
from app.notify.models import Notification
from app.scheduler import run_due_jobs
from app.tasks.models import VisitReminder
from app.tasks.reminders import remind_unvisited
from app.visits.models import Visit
from tests.conftest import visit_body

CHINA = timezone(timedelta(hours=8))


def china(hour, days=1):
    """`hour` o'clock China time, `days` from today."""
    day = (datetime.now(CHINA) + timedelta(days=days)).date()
    return datetime.combine(day, time(hour), CHINA).astimezone(timezone.utc)


def unvisited_of(member, now, days=30):
    recent = exists().where(Visit.household_id == Household.id, Visit.visited_at >= now - timedelta(days=days))
    return db.session.scalars(select(Household.id).where(Household.member_id == member.id, ~recent)).all()


def reminders_to(member):
    return db.session.scalars(select(Notification).where(Notification.user_id == member.id,
                                                         Notification.kind == "unvisited")).all()


def test_never_at_night(clock, demo):
    clock.now = china(3)
    assert remind_unvisited() == 0
    assert reminders_to(demo["石水奇"]) == []
    clock.now = china(20)  # 20:00 is already evening
    assert remind_unvisited() == 0


def test_one_reminder_per_member_per_period_in_working_hours(clock, demo):
    shi = demo["石水奇"]
    clock.now = china(10)
    reminded = remind_unvisited()
    members_with_unvisited = [u for u in demo.users.values() if u.role == "member" and u.active
                              and unvisited_of(u, clock.now)]
    assert reminded == len(members_with_unvisited) > 0
    [note] = reminders_to(shi)
    count = len(unvisited_of(shi, clock.now))
    assert note.title == "走访提醒" and note.body == f"您包联的 {count} 户已超过 30 天没有走访，方便时去看看"
    assert (note.ref_type, int(note.ref_id)) == ("household", min(unvisited_of(shi, clock.now)))

    clock.now = china(15)  # later the same day: nothing more
    assert remind_unvisited() == 0
    clock.now = china(10, days=20)  # still within the period
    assert remind_unvisited() == 0
    assert len(reminders_to(shi)) == 1
    clock.now = china(10, days=32)  # a new period: one more
    assert remind_unvisited() == reminded
    assert len(reminders_to(shi)) == 2


def test_a_member_who_has_visited_everyone_is_not_reminded(clock, demo, login):
    shi = demo["石水奇"]
    client = login("石水奇")
    for household_id in unvisited_of(shi, datetime.now(timezone.utc)):
        assert client.post("/api/visits", json=visit_body(household_id)).status_code == 201
    clock.now = china(9)
    assert remind_unvisited() > 0
    assert reminders_to(shi) == []
    assert reminders_to(demo.one("member", "第二网格")) != []


def test_inactive_members_are_left_alone_and_the_period_is_configurable(clock, demo, app, monkeypatch):
    shi = demo["石水奇"]
    other = demo.one("member", "第二网格")
    other.active = False
    db.session.commit()
    monkeypatch.setitem(app.config, "UNVISITED_REMINDER_DAYS", 7)
    clock.now = china(11)
    remind_unvisited()
    assert reminders_to(other) == []
    count = len(unvisited_of(shi, clock.now, 7))
    assert reminders_to(shi)[0].body == f"您包联的 {count} 户已超过 7 天没有走访，方便时去看看"
    clock.now = china(11, days=8)
    remind_unvisited()
    assert len(reminders_to(shi)) == 2


def test_the_command_and_the_scheduler(clock, demo, runner, app):
    clock.now = china(2)
    result = runner.invoke(args=["remind-unvisited"])
    assert result.exit_code == 0 and "现在不在工作时间（北京时间 8:00–20:00）" in result.output
    clock.now = china(16)
    result = runner.invoke(args=["remind-unvisited"])
    sent = db.session.scalars(select(VisitReminder)).all()
    assert result.exit_code == 0 and result.output.strip() == f"走访提醒：{len(sent)} 人" and sent
    assert run_due_jobs(app)["reminders"] == 0  # everyone is reminded for this period


def test_the_secretary_sees_when_a_member_was_reminded(clock, demo, login):
    clock.now = china(10)
    remind_unvisited()
    listed = {m["name"]: m for m in login("赵红梅").get("/api/reports/unvisited").get_json()["members"]}
    assert datetime.fromisoformat(listed["石水奇"]["reminded_at"]) == clock.now
    assert listed["石水奇"]["count"] == len(unvisited_of(demo["石水奇"], clock.now))


@pytest.mark.parametrize("hour,sent", [(7, False), (8, True), (19, True)])
def test_working_hours_edges(clock, hour, sent):
    clock.now = china(hour)
    assert (remind_unvisited() > 0) is sent


def test_archived_households_are_nobodys_to_visit(clock, demo, login):
    """A household that moved away (迁出) is archived: it neither brings its member a reminder nor
    appears on the secretary's list, and a member whose every unvisited household left is not told."""
    shi = demo["石水奇"]
    secretary, member = login("赵红梅"), login("石水奇")
    clock.now = china(10)
    gone = []
    for household_id in unvisited_of(shi, clock.now):
        res = secretary.delete(f"/api/households/{household_id}", json={"reason": "moved_out"})
        if res.status_code == 409:  # an open case keeps it on the register: visited instead
            assert member.post("/api/visits", json=visit_body(household_id)).status_code == 201
        else:
            assert res.status_code in (200, 204), res.get_json()
            gone.append(household_id)
    assert gone
    assert remind_unvisited() > 0  # the others' members are reminded
    assert reminders_to(shi) == []
    listed = secretary.get("/api/reports/unvisited").get_json()
    assert "石水奇" not in [m["name"] for m in listed["members"]]
    homes = {h["id"] for m in listed["members"] for h in m["households"]}
    assert not homes & set(gone)


def test_the_reminder_names_a_household_still_on_the_register(clock, demo, login):
    shi = demo["石水奇"]
    clock.now = china(10)
    secretary = login("赵红梅")
    homes = sorted(unvisited_of(shi, clock.now))
    first = next(h for h in homes
                 if secretary.delete(f"/api/households/{h}", json={"reason": "moved_out"}).status_code in (200, 204))
    rest = [h for h in homes if h != first]
    assert rest
    remind_unvisited()
    [note] = reminders_to(shi)
    assert int(note.ref_id) == min(rest)
    assert note.body == f"您包联的 {len(rest)} 户已超过 30 天没有走访，方便时去看看"
