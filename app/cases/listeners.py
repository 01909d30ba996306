"""Cases hear the rest of the product: a household that moves takes its open cases along,
and a task's steps land on its case's timeline."""
from sqlalchemy import select

from app import signals
from app.cases.models import Case
from app.cases.transitions import record, rehome
from app.common.time import utcnow
from app.extensions import db
from app.policy.names import ACTIVE_STATUSES, BELOW_BRANCH, Status


def _household_moved(household, *, actor, **_):
    """Open cases held below the branch would otherwise wait with someone who can no longer
    see the household."""
    cases = db.session.scalars(select(Case).where(
        Case.household_id == household.id, Case.status.in_(ACTIVE_STATUSES), Case.level.in_(BELOW_BRANCH))).all()
    for case in cases:
        rehome(case, household, actor)


def _task_assigned(task, *, case, assignee, actor, **_):
    if case is None:
        return
    case.status = Status.IN_PROGRESS
    case.updated_at = utcnow()
    record(case, "task_assigned", actor, task.created_at, {"task_id": str(task.id), "title": task.title,
                                                          "assignee_id": assignee.id,
                                                          "assignee_name": assignee.name})


def _task_stepped(task, *, event_type, actor, at, event_id, note, **_):
    if task.case_id is None:
        return
    case = db.session.get(Case, task.case_id)
    case.updated_at = utcnow()
    record(case, event_type, actor, at, {"task_id": str(task.id), "title": task.title, "note": note}, event_id)


CONNECTIONS = ((signals.household_moved, _household_moved), (signals.task_assigned, _task_assigned),
               (signals.task_stepped, _task_stepped))


def install():
    for signal, receiver in CONNECTIONS:
        signal.connect(receiver)
