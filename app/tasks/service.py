"""Assigning, accepting and completing tasks; each step lands on the case's timeline."""
from sqlalchemy import select

from app.cases import escalation
from app.cases.models import Case, CaseEvent
from app.cases.service import get_case
from app.cases.transitions import record
from app.common.idempotent import insert_once
from app.common.pagination import paginate
from app.common.time import utcnow
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.messages import CASE_TEXT, TASK_ACTION_NAMES, TASK_STATUS_NAMES
from app.notify.service import notify
from app.org import scope
from app.org.models import User
from app.tasks.models import Task

ASSIGNER_ROLES = ("secretary", "township")
CONTENT = ("case_id", "assignee_id", "title", "due_at")


def create_task(*, actor, data):
    existing = db.session.get(Task, data["id"])
    if existing is not None:
        return _same_or_conflict(actor, existing, data), False
    if actor.role not in ASSIGNER_ROLES:
        raise Forbidden(CASE_TEXT["task_assign_roles"], code="not_allowed")
    assignee = scope.visible(actor, User, data["assignee_id"])
    if assignee is None or not assignee.active:
        raise Invalid("assignee_id", CASE_TEXT["assignee_unknown"])
    now = utcnow()
    if data.get("due_at") is not None and data["due_at"] < now:
        raise Invalid("due_at", CASE_TEXT["due_in_past"])
    case = None
    if data.get("case_id") is not None:
        case = get_case(actor=actor, case_id=data["case_id"])
        escalation.check(actor, case, "assign_task")
    task = Task(**data, assigner_id=actor.id, status="assigned", created_at=now)
    task, created = insert_once(task, lambda stored: _same_or_conflict(actor, stored, data))
    if not created:
        return task, False
    if case is not None:
        case.status = "in_progress"
        case.updated_at = now
        record(case, "task_assigned", actor, now, {"task_id": str(task.id), "title": task.title,
                                                   "assignee_id": assignee.id, "assignee_name": assignee.name})
    notify(user_ids=[assignee.id], kind="task_assigned", ref_type="task", ref_id=task.id, title=task.title,
           assigner=actor.name, due=task.due_at.strftime("%m-%d %H:%M") if task.due_at else "—")
    db.session.flush()
    return task, True


def _same_or_conflict(actor, stored, data):
    mine = actor.id in (stored.assigner_id, stored.assignee_id)
    if mine and all(getattr(stored, k) == data.get(k) for k in CONTENT):
        return stored
    from app.tasks.schemas import TaskOut

    extra = {"current": TaskOut().dump(stored)} if mine else {}
    raise Conflict(CASE_TEXT["task_conflict"], code="duplicate_id", **extra)


def get_task(*, actor, task_id):
    """Visible to its assignee, its assigner, and whoever sees its case."""
    task = db.session.get(Task, task_id)
    if task is None:
        raise NotFound()
    if actor.id in (task.assignee_id, task.assigner_id) or actor.role == "admin":
        return task
    if task.case_id is not None and scope.visible(actor, Case, task.case_id) is not None:
        return task
    raise NotFound()


def list_tasks(*, actor, mine="assigned", status=None, case_id=None, cursor=None, limit=None):
    column = Task.assignee_id if mine == "assigned" else Task.assigner_id
    stmt = select(Task).where(column == actor.id)
    if status:
        stmt = stmt.where(Task.status == status)
    if case_id:
        stmt = stmt.where(Task.case_id == case_id)
    return paginate(db.session, stmt, keys=[Task.created_at, Task.id], cursor=cursor, limit=limit,
                    descending=True)


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
    at = data.get("at") or utcnow()
    task.status = target
    if action == "accept":
        task.accepted_at = at
    else:
        task.done_at, task.note = at, data.get("note", "")
        notify(user_ids=[task.assigner_id], kind="task_done", ref_type="task", ref_id=task.id,
               title=task.title, assignee=actor.name)
    if task.case_id is not None:
        case = db.session.get(Case, task.case_id)
        case.updated_at = utcnow()
        record(case, event_type, actor, at, {"task_id": str(task.id), "title": task.title,
                                             "note": data.get("note", "")}, data.get("id"))
    db.session.flush()
    return task, True

