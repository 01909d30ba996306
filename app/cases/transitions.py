"""What each action does to a case: where it goes, who holds it, what the timeline says,
and who is told. escalation.py has already said the action is allowed."""
from sqlalchemy import select

from app.cases import escalation
from app.cases.deadlines import deadline
from app.cases.models import Case, CaseEvent
from app.common.time import utcnow
from app.errors import Conflict, Invalid
from app.extensions import db
from app.messages import CASE_TEXT, LEVEL_NAMES
from app.notify.service import notify
from app.org.models import OrgUnit, User


def record(case, type_, actor, at, data, event_id=None):
    """Append one event to the timeline."""
    event = CaseEvent(case_id=case.id, type=type_, actor_id=actor.id if actor else None, at=at, data=data)
    if event_id is not None:
        event.id = event_id
    db.session.add(event)
    return event


def arrive(case, level, holder, at, *, reason=""):
    """The case lands with a new holder, who gets a deadline and a notification."""
    case.level, case.holder_id, case.holder_unit_id = level, holder.id, None
    case.holder = holder
    case.due_at = deadline(level, case.urgency, utcnow())  # the server's clock: a phone's can be anything
    notify(user_ids=[holder.id], kind="case_arrived", ref_type="case", ref_id=case.id,
           title=case.title, household=case.household.head_name, reason=reason or LEVEL_NAMES[level])


def escalate(actor, case, at, event_id, reason=""):
    from_level = case.level
    level, holder = escalation.find_holder(case, escalation.escalation_target(case))
    case.status = "escalated"
    arrive(case, level, holder, at, reason=reason)
    record(case, "escalated", actor, at, {"from": from_level, "to": level, "holder_id": holder.id,
                                          "holder_name": holder.name, "reason": reason}, event_id)


def dispatch(actor, case, at, event_id, department_id, reason=""):
    department = db.session.get(OrgUnit, department_id)
    if department is None or department.kind != "department":
        raise Invalid("department_id", CASE_TEXT["not_department"])
    case.level, case.status = "department", "dispatched"
    case.holder_id, case.holder, case.holder_unit_id = None, None, department.id
    case.department_id, case.dispatcher_id = department.id, actor.id
    case.due_at = deadline("department", case.urgency, utcnow())
    staff = db.session.scalars(select(User.id).where(User.org_unit_id == department.id, User.active)).all()
    notify(user_ids=staff, kind="case_dispatched", ref_type="case", ref_id=case.id,
           title=case.title, department=department.name)
    record(case, "dispatched", actor, at, {"department_id": department.id, "department_name": department.name,
                                           "reason": reason}, event_id)


def accept(actor, case, at, event_id, reason=""):
    case.status = "in_progress"
    case.holder_id, case.holder, case.holder_unit_id = actor.id, actor, None
    record(case, "accepted", actor, at, {"note": reason}, event_id)


def resolve(actor, case, at, event_id, resolution):
    case.status, case.resolution, case.resolved_at, case.due_at = "resolved", resolution, at, None
    if case.level == "department":  # the department reports back to whoever dispatched it
        dispatcher = db.session.get(User, case.dispatcher_id)
        case.level, case.holder_id, case.holder, case.holder_unit_id = "township", dispatcher.id, dispatcher, None
        notify(user_ids=[dispatcher.id], kind="case_resolved", ref_type="case", ref_id=case.id,
               title=case.title, resolution=resolution)
    record(case, "resolved", actor, at, {"resolution": resolution}, event_id)


def close(actor, case, at, event_id, reason=""):
    case.status, case.closed_at, case.due_at = "closed", at, None
    case.holder_id, case.holder, case.holder_unit_id = None, None, None
    notify(user_ids=[case.opened_by_id], kind="case_closed", ref_type="case", ref_id=case.id, title=case.title)
    record(case, "closed", actor, at, {"note": reason}, event_id)


def reopen(actor, case, at, event_id, reason=""):
    case.status, case.resolved_at, case.closed_at = "open", None, None
    case.level = escalation.ROLE_LEVEL[actor.role]
    case.holder_id, case.holder, case.holder_unit_id = actor.id, actor, None
    case.due_at = deadline(case.level, case.urgency, utcnow())
    record(case, "reopened", actor, at, {"reason": reason}, event_id)


def comment(actor, case, at, event_id, body):
    record(case, "commented", actor, at, {"body": body}, event_id)


def on_overdue(case, now):
    """Overdue: one level up with an event saying so; where nothing (or no one) is above, a reminder."""
    old_level, old_holder = case.level, case.holder_id
    above = _holder_above(case)
    if above is not None:
        level, holder = above
        case.status = "escalated" if case.status == "open" else case.status
        arrive(case, level, holder, now, reason=LEVEL_NAMES[old_level] + "处理超时")
        record(case, "overdue_escalated", None, now, {"from": old_level, "to": level, "holder_id": holder.id,
                                                      "holder_name": holder.name})
    else:
        case.due_at = deadline(case.level, case.urgency, now)
        recipients = [old_holder, case.dispatcher_id]
        if case.holder_unit_id:
            recipients += db.session.scalars(select(User.id).where(User.org_unit_id == case.holder_unit_id)).all()
        notify(user_ids=recipients, kind="case_overdue", ref_type="case", ref_id=case.id,
               title=case.title, level=LEVEL_NAMES[old_level])
        record(case, "overdue", None, now, {"level": old_level})


def rehome_open_cases(household, actor):
    """The household moved to another member or grid: its open cases held at member, informant
    or grid level go to whoever stands there now, or they would wait with someone who can no
    longer see them."""
    cases = db.session.scalars(select(Case).where(
        Case.household_id == household.id, Case.status.in_(ACTIVE_FOR_REHOME),
        Case.level.in_(("member", "informant", "grid")))).all()
    for case in cases:
        if case.level == "member" and household.member is not None:
            level, holder = "member", household.member
        else:
            level, holder = escalation.find_holder(case, "grid" if case.level == "member" else case.level)
        if holder.id == case.holder_id:
            continue
        previous = case.holder
        case.level, case.holder_id, case.holder = level, holder.id, holder
        notify(user_ids=[holder.id], kind="case_rehomed", ref_type="case", ref_id=case.id,
               title=case.title, household=household.head_name)
        record(case, "rehomed", actor, utcnow(), {"from_id": previous.id if previous else None,
                                                  "from_name": previous.name if previous else None,
                                                  "to_id": holder.id, "to_name": holder.name, "level": level})


ACTIVE_FOR_REHOME = ("open", "escalated", "in_progress")


def _holder_above(case):
    if case.level not in escalation.NEXT_LEVEL:
        return None
    try:
        return escalation.find_holder(case, escalation.NEXT_LEVEL[case.level])
    except Conflict:  # a vacancy up the chain: remind whoever holds it now
        return None


HANDLERS = {
    "escalate": escalate, "dispatch": dispatch, "accept": accept, "resolve": resolve,
    "close": close, "reopen": reopen, "comment": comment,
}
EVENT_TYPES = {
    "escalate": "escalated", "dispatch": "dispatched", "accept": "accepted", "resolve": "resolved",
    "close": "closed", "reopen": "reopened", "comment": "commented",
}
