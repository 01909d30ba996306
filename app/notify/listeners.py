"""The inbox hears the rest of the product: whoever a case or task reaches is told, in the
transaction of the step that reached them."""
from app import signals
from app.messages import LEVEL_NAMES
from app.notify.service import notify


def _case_arrived(case, *, holder, reason, **_):
    notify(user_ids=[holder.id], kind="case_arrived", ref_type="case", ref_id=case.id,
           title=case.title, household=case.household.head_name, reason=reason)


def _case_dispatched(case, *, department, staff_ids, **_):
    notify(user_ids=staff_ids, kind="case_dispatched", ref_type="case", ref_id=case.id,
           title=case.title, department=department.name)


def _case_reported_back(case, *, to, resolution, **_):
    notify(user_ids=[to.id], kind="case_resolved", ref_type="case", ref_id=case.id,
           title=case.title, resolution=resolution)


def _case_closed(case, **_):
    notify(user_ids=[case.opened_by_id], kind="case_closed", ref_type="case", ref_id=case.id, title=case.title)


def _case_overdue(case, *, recipients, level, **_):
    notify(user_ids=recipients, kind="case_overdue", ref_type="case", ref_id=case.id,
           title=case.title, level=LEVEL_NAMES[level])


def _case_rehomed(case, *, holder, household, **_):
    notify(user_ids=[holder.id], kind="case_rehomed", ref_type="case", ref_id=case.id,
           title=case.title, household=household.head_name)


def _case_recalled(case, *, staff_ids, reason, **_):
    notify(user_ids=staff_ids, kind="case_recalled", ref_type="case", ref_id=case.id, title=case.title, reason=reason)


def _case_merged(case, *, into, actor, **_):
    if case.opened_by_id != actor.id:
        notify(user_ids=[case.opened_by_id], kind="case_merged", ref_type="case", ref_id=into.id,
               title=case.title, into=into.title)


def _households_unvisited(member, *, count, days, household_id, **_):
    notify(user_ids=[member.id], kind="unvisited", ref_type="household", ref_id=household_id, count=count, days=days)


def _task_assigned(task, *, assignee, actor, **_):
    notify(user_ids=[assignee.id], kind="task_assigned", ref_type="task", ref_id=task.id, title=task.title,
           assigner=actor.name, due=task.due_at.strftime("%m-%d %H:%M") if task.due_at else "—")


def _task_stepped(task, *, action, actor, **_):
    if action == "complete":
        notify(user_ids=[task.assigner_id], kind="task_done", ref_type="task", ref_id=task.id,
               title=task.title, assignee=actor.name)


CONNECTIONS = (
    (signals.case_arrived, _case_arrived), (signals.case_dispatched, _case_dispatched),
    (signals.case_reported_back, _case_reported_back), (signals.case_closed, _case_closed),
    (signals.case_overdue, _case_overdue), (signals.case_rehomed, _case_rehomed),
    (signals.task_assigned, _task_assigned), (signals.task_stepped, _task_stepped),
    (signals.case_recalled, _case_recalled), (signals.case_merged, _case_merged),
    (signals.households_unvisited, _households_unvisited),
)


def install():
    for signal, receiver in CONNECTIONS:
        signal.connect(receiver)
