"""Assigning, accepting and completing tasks; each step lands on the case's timeline."""
from sqlalchemy import select

from app import signals
from app.cases.models import CaseEvent
from app.cases.service import case_for_action
from app.common.device_time import step_time
from app.common.idempotent import insert_once
from app.common.pagination import paginate_by_ids
from app.common.time import utcnow
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.messages import CASE_TEXT, TASK_ACTION_NAMES, TASK_STATUS_NAMES
from app.org.models import User
from app.policy import capabilities, scope
from app.tasks.models import Task

CONTENT = ("case_id", "assignee_id", "title", "due_at")


def create_task(*, actor, data):
    existing = db.session.get(Task, data["id"])
    if existing is not None and actor.id in (existing.assigner_id, existing.assignee_id):
        return _same_or_conflict(actor, existing, data), False  # someone else's id: checked as if unknown
    capabilities.require(actor, "tasks.assign", "", message=CASE_TEXT["task_assign_roles"])
    assignee = scope.visible(actor, User, data["assignee_id"])
    if assignee is None or not assignee.active:
        raise Invalid("assignee_id", CASE_TEXT["assignee_unknown"])
    now = utcnow()
    if data.get("due_at") is not None and data["due_at"] < now:
        raise Invalid("due_at", CASE_TEXT["due_in_past"])
    case = None
    if data.get("case_id") is not None:
        case = case_for_action(actor=actor, case_id=data["case_id"], action="assign_task")
    task = Task(**data, assigner_id=actor.id, status="assigned", created_at=now)
    task, created = insert_once(task, lambda stored: _same_or_conflict(actor, stored, data))
    if not created:
        return task, False
    signals.task_assigned.send(task, case=case, assignee=assignee, actor=actor, at=now)
    db.session.flush()
    return task, True


def _same_or_conflict(actor, stored, data):
    mine = actor.id in (stored.assigner_id, stored.assignee_id)
    if mine and all(getattr(stored, k) == data.get(k) for k in CONTENT):
        return stored
    extra = {"current": stored} if mine else {}
    raise Conflict(CASE_TEXT["task_conflict"], code="duplicate_id", **extra)


def get_task(*, actor, task_id):
    """Visible to its assignee, its assigner, and whoever sees its case."""
    task = scope.visible(actor, Task, task_id)
    if task is None:
        raise NotFound()
    return task


def list_tasks(*, actor, mine="assigned", status=None, case_id=None, cursor=None, limit=None):
    column = Task.assignee_id if mine == "assigned" else Task.assigner_id
    stmt = select(Task).where(column == actor.id)
    if status:
        stmt = stmt.where(Task.status == status)
    if case_id:
        stmt = stmt.where(Task.case_id == case_id)
    return paginate_by_ids(db.session, stmt, entity=Task, keys=[Task.created_at, Task.id], cursor=cursor,
                           limit=limit, descending=True)


# action -> (statuses it may start from, the status it leads to, event type)
TASK_STEPS = {
    "accept": (("assigned",), "accepted", "task_accepted"),
    "complete": (("assigned", "accepted"), "done", "task_done"),
}


def step_task(*, actor, task_id, action, data):
    """The assignee moves a task on; repeating a step already taken changes nothing."""
    task = get_task(actor=actor, task_id=task_id)
    if actor.id != task.assignee_id:
        raise Forbidden(CASE_TEXT["task_not_assignee"].format(action=TASK_ACTION_NAMES[action]), code="not_allowed")
    starts, target, event_type = TASK_STEPS[action]
    if data.get("id") is not None and db.session.get(CaseEvent, data["id"]) is not None:
        done = db.session.get(CaseEvent, data["id"])
        if done.type == event_type and done.actor_id == actor.id and done.data.get("task_id") == str(task.id):
            return task, False
        raise Conflict(CASE_TEXT["event_conflict"], code="duplicate_id")
    if task.status == target:
        return task, False
    if task.status not in starts:
        raise Conflict(CASE_TEXT["task_wrong_state"].format(status=TASK_STATUS_NAMES[task.status],
                                                           action=TASK_ACTION_NAMES[action]), code="wrong_state")
    at = step_time(data.get("at"), after=task.accepted_at or task.created_at)
    task.status = target
    if action == "accept":
        task.accepted_at = at
    else:
        task.done_at, task.note = at, data.get("note", "")
    signals.task_stepped.send(task, action=action, event_type=event_type, actor=actor, at=at,
                              event_id=data.get("id"), note=data.get("note", ""))
    db.session.flush()
    return task, True

