"""Cases, their timelines and return visits, tasks and the inbox, as rows read off the stories."""
from datetime import timedelta

from flask import current_app

from app.messages import NOTIFY
from app.org.demo import DEPARTMENTS, person
from app.policy.names import OPEN_STATUSES, Level, Status
from app.scale.ids import record_id
from app.scale.org import Tree
from app.scale.shape import STAFF_PER_DEPARTMENT, grid_of_member, member_of, village_of
from app.scale.stories import TITLES, has_case, story_of

KIND_CASE, KIND_EVENT = 2, 3
EVENTS_PER_CASE = 16  # room in the id space; no story has more steps
CASE_COLUMNS = ("id", "household_id", "village_id", "category", "title", "description", "urgency", "status", "level",
                "holder_id", "holder_unit_id", "department_id", "dispatcher_id", "opened_by_id", "opened_at",
                "created_at", "updated_at", "due_at", "resolution", "resolved_at", "closed_at", "satisfaction",
                "version")
EVENT_COLUMNS = ("id", "case_id", "type", "actor_id", "at", "recorded_at", "data", "due_at", "department_id")
REVISIT_COLUMNS = ("id", "case_id", "actor_id", "mode", "satisfaction", "notes", "at", "recorded_at",
                   "department_id")
TASK_COLUMNS = ("id", "case_id", "assignee_id", "assigner_id", "title", "due_at", "status", "note", "created_at",
                "accepted_at", "done_at")
NOTIFICATION_COLUMNS = ("id", "user_id", "kind", "title", "body", "ref_type", "ref_id", "created_at", "read_at")


def stories(plan, now):
    n = 0
    for h in range(plan.shape.households):
        if has_case(h):
            yield story_of(plan, h, n, now, person)
            n += 1


def case_id(plan, story):
    return record_id(plan.run, KIND_CASE, story.n)


def event_id(plan, story, i):
    return record_id(plan.run, KIND_EVENT, story.n * EVENTS_PER_CASE + i)


def case_rows(plan, now):
    hours = current_app.config["CASE_DEADLINE_HOURS"]
    for s in stories(plan, now):
        due = None
        if s.status in OPEN_STATUSES:  # a tenth overdue; the rest due within their level's time
            span = hours[s.level] / (2 if s.urgency == "urgent" else 1)
            due = now - timedelta(hours=6) if s.h // 100 % 10 == 0 else now + timedelta(hours=span * (1 + s.h % 9) / 10)
        village = plan.village(village_of(grid_of_member(member_of(s.h))))
        yield (case_id(plan, s), plan.household(s.h), village, s.category, TITLES[s.category], "", s.urgency, s.status,
               s.level, s.holder, s.holder_unit, s.department, s.dispatcher, s.steps[0].actor, s.opened_at,
               s.opened_at, s.steps[-1].at, due, _resolution(s), s.resolved_at, s.closed_at, s.satisfaction, 1)


def _resolution(story):
    return next((step.data["resolution"] for step in story.steps if step.type == "resolved"), None)


def event_rows(plan, now):
    for s in stories(plan, now):
        cid = case_id(plan, s)
        for i, step in enumerate(s.steps):
            due = step.at + timedelta(hours=12) if step.answers else None
            yield (event_id(plan, s, i), cid, step.type, step.actor, step.at, step.at, step.data, due,
                   step.department_id)


def revisit_rows(plan, now):
    for s in stories(plan, now):
        if s.revisit is not None:
            i = s.steps.index(s.revisit)
            r = s.revisit
            yield (event_id(plan, s, i), case_id(plan, s), r.actor, r.data["mode"], r.data["satisfaction"],
                   r.data["notes"], r.at, r.at, r.department_id)


def task_rows(plan, now):
    for s in stories(plan, now):
        t = s.task
        if t is not None:
            yield (t["id"], case_id(plan, s), t["assignee"], t["assigner"], t["title"], None, t["status"],
                   "已落实" if t["done_at"] else "", t["created_at"], t["accepted_at"], t["done_at"])


def notifications(plan, now):
    """(user_id, kind, ref_type, ref_id, created_at, read, fmt) for whoever each story reached."""
    for s in stories(plan, now):
        cid, title, home = case_id(plan, s), TITLES[s.category], person(s.h + 7)
        last = s.steps[-1].at
        if s.status in (Status.ESCALATED, Status.IN_PROGRESS) and s.level != Level.DEPARTMENT:
            yield s.holder, "case_arrived", "case", cid, last, False, {"title": title, "household": home,
                                                                       "reason": "需上级协调"}
        if s.department is not None:
            for staff in _staff_of(plan, s):
                yield staff, "case_dispatched", "case", cid, last, s.status != Status.DISPATCHED, {
                    "title": title, "department": _department_name(plan, s)}
        if s.task is not None:
            t = s.task
            yield t["assignee"], "task_assigned", "task", t["id"], t["created_at"], t["status"] != "assigned", {
                "title": t["title"], "assigner": person(t["assigner"]), "due": "—"}
            if t["done_at"]:
                yield t["assigner"], "task_done", "task", t["id"], t["done_at"], True, {
                    "title": t["title"], "assignee": person(t["assignee"])}
        if s.status == Status.RESOLVED:
            yield s.holder, "case_arrived", "case", cid, s.opened_at, True, {"title": title, "household": home,
                                                                             "reason": "需上级协调"}
        if s.status == Status.CLOSED:
            if s.dispatcher is not None:
                yield s.dispatcher, "case_resolved", "case", cid, last, True, {"title": title, "resolution": ""}
            yield s.steps[0].actor, "case_closed", "case", cid, last, s.h % 40 == 8, {"title": title}


def _staff_of(plan, story):
    index = story.department - plan.department_base
    return [plan.staff_base + index * STAFF_PER_DEPARTMENT + k for k in range(STAFF_PER_DEPARTMENT)]


def _department_name(plan, story):
    index = story.department - plan.department_base
    return Tree(plan).county_name(index // len(DEPARTMENTS)) + DEPARTMENTS[index % len(DEPARTMENTS)]


def notification_rows(plan, now):
    for n, (user, kind, ref_type, ref_id, at, read, fmt) in enumerate(notifications(plan, now)):
        title, body = (text.format(**fmt) for text in NOTIFY[kind])
        yield (plan.first_notification + n, user, kind, title[:120], body, ref_type, str(ref_id), at,
               at if read else None)
