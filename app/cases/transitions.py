"""What each action does to a case: where it goes, who holds it and what the timeline says.
escalation.py has already said the action is allowed; who is told hears it by signal."""
from app import signals
from app.cases.deadlines import deadline
from app.cases.models import CaseEvent
from app.common.time import utcnow
from app.errors import Invalid
from app.extensions import db
from app.messages import CASE_TEXT, LEVEL_NAMES
from app.org.models import OrgUnit, User
from app.policy import chain
from app.policy.names import Level, Status


def record(case, type_, actor, at, data, event_id=None):
    """Append one event to the timeline."""
    event = CaseEvent(case_id=case.id, type=type_, actor_id=actor.id if actor else None, at=at, data=data)
    if event_id is not None:
        event.id = event_id
    db.session.add(event)
    return event


def hold(case, level, holder):
    case.level, case.holder_id, case.holder, case.holder_unit_id = level, holder.id, holder, None


def arrive(case, level, holder, *, reason=""):
    """The case lands with a new holder, who gets a deadline and is told."""
    hold(case, level, holder)
    case.due_at = deadline(level, case.urgency, utcnow())  # the server's clock: a phone's can be anything
    signals.case_arrived.send(case, holder=holder, reason=reason or LEVEL_NAMES[level])


def escalate(actor, case, at, event_id, reason=""):
    from_level = case.level
    level, holder = chain.find_holder(case.household, chain.escalation_target(case))
    case.status = Status.ESCALATED
    arrive(case, level, holder, reason=reason)
    record(case, "escalated", actor, at, {"from": from_level, "to": level, "holder_id": holder.id,
                                          "holder_name": holder.name, "reason": reason}, event_id)


def dispatch(actor, case, at, event_id, department_id, reason=""):
    department = db.session.get(OrgUnit, department_id)
    if not chain.is_department(department):
        raise Invalid("department_id", CASE_TEXT["not_department"])
    case.level, case.status = Level.DEPARTMENT, Status.DISPATCHED
    case.holder_id, case.holder, case.holder_unit_id = None, None, department.id
    case.department_id, case.dispatcher_id = department.id, actor.id
    case.due_at = deadline(Level.DEPARTMENT, case.urgency, utcnow())
    signals.case_dispatched.send(case, department=department, staff_ids=chain.department_staff_ids(department.id))
    record(case, "dispatched", actor, at, {"department_id": department.id, "department_name": department.name,
                                           "reason": reason}, event_id)


def accept(actor, case, at, event_id, reason=""):
    case.status = Status.IN_PROGRESS
    case.holder_id, case.holder, case.holder_unit_id = actor.id, actor, None
    record(case, "accepted", actor, at, {"note": reason}, event_id)


def resolve(actor, case, at, event_id, resolution):
    case.status, case.resolution, case.resolved_at, case.due_at = Status.RESOLVED, resolution, utcnow(), None
    if case.level == Level.DEPARTMENT:  # the department reports back to whoever dispatched it
        dispatcher = db.session.get(User, case.dispatcher_id)
        hold(case, Level.TOWNSHIP, dispatcher)
        signals.case_reported_back.send(case, to=dispatcher, resolution=resolution)
    record(case, "resolved", actor, at, {"resolution": resolution}, event_id)


def close(actor, case, at, event_id, reason=""):
    case.status, case.closed_at, case.due_at = Status.CLOSED, utcnow(), None
    case.holder_id, case.holder, case.holder_unit_id = None, None, None
    signals.case_closed.send(case)
    record(case, "closed", actor, at, {"note": reason}, event_id)


def reopen(actor, case, at, event_id, reason=""):
    case.status, case.resolved_at, case.closed_at = Status.OPEN, None, None
    hold(case, chain.level_of(actor), actor)
    case.due_at = deadline(case.level, case.urgency, utcnow())
    record(case, "reopened", actor, at, {"reason": reason}, event_id)


def comment(actor, case, at, event_id, body):
    record(case, "commented", actor, at, {"body": body}, event_id)


def on_overdue(case, now):
    """Overdue: one level up with an event saying so; where nothing (or no one) is above, a reminder."""
    old_level, old_holder = case.level, case.holder_id
    above = chain.holder_above(case.household, case.level)
    if above is not None:
        level, holder = above
        case.status = Status.ESCALATED if case.status == Status.OPEN else case.status
        arrive(case, level, holder, reason=CASE_TEXT["overdue_reason"].format(level=LEVEL_NAMES[old_level]))
        record(case, "overdue_escalated", None, now, {"from": old_level, "to": level, "holder_id": holder.id,
                                                      "holder_name": holder.name})
    else:
        case.due_at = deadline(case.level, case.urgency, now)
        recipients = [old_holder, case.dispatcher_id]
        if case.holder_unit_id:
            recipients += chain.department_staff_ids(case.holder_unit_id)
        signals.case_overdue.send(case, recipients=recipients, level=old_level)
        record(case, "overdue", None, now, {"level": old_level})


def rehome(case, household, actor):
    """Give an open case below the branch to whoever now stands at its level for `household`."""
    level, holder = chain.rehome_target(household, case.level)
    if holder.id == case.holder_id:
        return
    previous = case.holder
    hold(case, level, holder)
    signals.case_rehomed.send(case, holder=holder, household=household)
    record(case, "rehomed", actor, utcnow(), {"from_id": previous.id if previous else None,
                                              "from_name": previous.name if previous else None,
                                              "to_id": holder.id, "to_name": holder.name, "level": level})


HANDLERS = {
    "escalate": escalate, "dispatch": dispatch, "accept": accept, "resolve": resolve,
    "close": close, "reopen": reopen, "comment": comment,
}
EVENT_TYPES = {
    "escalate": "escalated", "dispatch": "dispatched", "accept": "accepted", "resolve": "resolved",
    "close": "closed", "reopen": "reopened", "comment": "commented",
}
