"""What each action does to a case: where it goes, who holds it and what the timeline says.
escalation.py has already said the action is allowed; who is told hears it by signal. Every
handler answers the event it put on the timeline."""
import uuid

from sqlalchemy import select

from app import signals
from app.cases.deadlines import deadline
from app.cases.models import SATISFIED, UNSATISFIED, Case, CaseEvent, CaseRevisit
from app.common.time import utcnow
from app.errors import Invalid
from app.extensions import db
from app.messages import CASE_TEXT, LEVEL_NAMES
from app.org.models import OrgUnit, User
from app.policy import chain, scope
from app.policy.case_steps import REASSIGN_TO
from app.policy.names import ROLE_LEVEL, Level, Role, Status


def record(case, type_, actor, at, data, event_id=None, *, department_id=None):
    """Append one event to the timeline."""
    event = CaseEvent(case_id=case.id, type=type_, actor_id=actor.id if actor else None, at=at, data=data,
                      department_id=department_id)
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
    return record(case, "escalated", actor, at, {"from": from_level, "to": level, "holder_id": holder.id,
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
    return record(case, "dispatched", actor, at, {"department_id": department.id, "department_name": department.name,
                                                  "reason": reason}, event_id)


def accept(actor, case, at, event_id, reason=""):
    case.status = Status.IN_PROGRESS
    case.holder_id, case.holder, case.holder_unit_id = actor.id, actor, None
    return record(case, "accepted", actor, at, {"note": reason}, event_id)


def resolve(actor, case, at, event_id, resolution):
    level = case.level
    case.status, case.resolution, case.resolved_at, case.due_at = Status.RESOLVED, resolution, utcnow(), None
    case.satisfaction = None  # a new resolution: the household has not been asked about it yet
    if level == Level.DEPARTMENT:  # the department reports back to whoever dispatched it
        dispatcher = db.session.get(User, case.dispatcher_id)
        hold(case, Level.TOWNSHIP, dispatcher)
        signals.case_reported_back.send(case, to=dispatcher, resolution=resolution)
    return record(case, "resolved", actor, at, {"resolution": resolution, "level": level}, event_id)


def close(actor, case, at, event_id, reason="", no_revisit_reason=None):
    """销号: only once the household has said it is (basically) satisfied at the 回访, or with
    the reason no return visit was possible."""
    if case.satisfaction not in SATISFIED and not no_revisit_reason:
        raise Invalid("no_revisit_reason", CASE_TEXT["revisit_first"])
    judged = last_resolution(case)
    case.status, case.closed_at, case.due_at = Status.CLOSED, utcnow(), None
    case.holder_id, case.holder, case.holder_unit_id = None, None, None
    signals.case_closed.send(case)
    return record(case, "closed", actor, at, {"note": reason, "satisfaction": case.satisfaction,
                                              "no_revisit_reason": no_revisit_reason}, event_id,
                  department_id=judged.department_id if judged else None)


def reopen(actor, case, at, event_id, reason=""):
    judged = last_resolution(case)
    case.status, case.resolved_at, case.closed_at, case.satisfaction = Status.OPEN, None, None, None
    hold(case, chain.level_of(actor), actor)
    case.due_at = deadline(case.level, case.urgency, utcnow())
    return record(case, "reopened", actor, at, {"reason": reason}, event_id,
                  department_id=judged.department_id if judged else None)


def comment(actor, case, at, event_id, body):
    return record(case, "commented", actor, at, {"body": body}, event_id)


def return_(actor, case, at, event_id, reason):
    """退回: one level down (past empty seats), to be completed and climb again with 上报."""
    from_level = case.level
    level, holder = chain.holder_below(case.household, case.level)
    case.status = Status.OPEN
    arrive(case, level, holder, reason=CASE_TEXT["returned_reason"].format(reason=reason))
    return record(case, "returned", actor, at, {"from": from_level, "to": level, "holder_id": holder.id,
                                                "holder_name": holder.name, "reason": reason}, event_id)


def reject(actor, case, at, event_id, reason):
    """退单: the department says it is not its job; back to the township officer who dispatched
    it (or whoever holds the township now), who re-dispatches or handles it."""
    department = db.session.get(OrgUnit, case.department_id or case.holder_unit_id)
    dispatcher = db.session.get(User, case.dispatcher_id) if case.dispatcher_id else None
    if dispatcher is None or not dispatcher.active:
        _, dispatcher = chain.find_holder(case.household, Level.TOWNSHIP)
    case.status = Status.ESCALATED
    arrive(case, Level.TOWNSHIP, dispatcher,
           reason=CASE_TEXT["rejected_reason"].format(department=department.name, reason=reason))
    return record(case, "rejected", actor, at, {"department_id": department.id, "department_name": department.name,
                                                "holder_id": dispatcher.id, "holder_name": dispatcher.name,
                                                "reason": reason}, event_id)


def recall(actor, case, at, event_id, reason):
    """撤回: the township takes back a dispatch no one has taken yet; the department is told."""
    department = db.session.get(OrgUnit, case.holder_unit_id or case.department_id)
    case.status = Status.ESCALATED
    hold(case, Level.TOWNSHIP, actor)
    case.due_at = deadline(Level.TOWNSHIP, case.urgency, utcnow())
    signals.case_recalled.send(case, department=department, staff_ids=chain.department_staff_ids(department.id),
                               reason=reason)
    return record(case, "recalled", actor, at, {"department_id": department.id, "department_name": department.name,
                                                "reason": reason}, event_id)


def reassign_candidates(actor, case):
    """Whom `actor` may give `case` to (改派): people who can see its household, in the roles the
    actor may hand to; a department's staff only while the case is at the department level."""
    roles = REASSIGN_TO.get(actor.role, ())
    people = [u for u in chain.people_of(case.household) if u.role in roles]
    if Role.DEPARTMENT in roles and case.level == Level.DEPARTMENT:
        people += db.session.scalars(select(User).where(User.role == Role.DEPARTMENT, User.active)
                                     .order_by(User.org_unit_id, User.id).limit(200)).all()
    return [u for u in people if u.id != case.holder_id]


def _may_take(actor, case, person):
    if person is None or not person.active or person.role not in REASSIGN_TO.get(actor.role, ()):
        return False
    if person.role == Role.DEPARTMENT:
        return case.level == Level.DEPARTMENT
    return any(u.id == person.id for u in chain.people_of(case.household))


def reassign(actor, case, at, event_id, holder_id, reason):
    """改派: another person takes the case; it moves to the level that person works at. Within
    one level the deadline keeps running (the household has been waiting all along)."""
    person = db.session.get(User, holder_id)
    if person is not None and person.id == case.holder_id:
        raise Invalid("holder_id", CASE_TEXT["reassign_same"])
    if not _may_take(actor, case, person):
        raise Invalid("holder_id", CASE_TEXT["reassign_whom"])
    before = case.holder.name if case.holder is not None else (case.holder_unit.name if case.holder_unit else None)
    before_id = case.holder_id
    level = ROLE_LEVEL[person.role]
    if level == Level.DEPARTMENT:
        case.department_id = person.org_unit_id
    elif case.status == Status.DISPATCHED:
        case.status = Status.ESCALATED  # out of the department's hands: the chain acts on it again
    why = CASE_TEXT["reassigned_reason"].format(reason=reason)
    if level != case.level:
        arrive(case, level, person, reason=why)
    else:
        hold(case, level, person)
        signals.case_arrived.send(case, holder=person, reason=why)
    return record(case, "reassigned", actor, at, {"from_id": before_id, "from_name": before, "to_id": person.id,
                                                  "to_name": person.name, "level": level, "reason": reason}, event_id)


def last_resolution(case):
    """The latest 办结 on the timeline: who resolved it, at which level, for which department."""
    return db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.type == "resolved")
        .order_by(CaseEvent.recorded_at.desc(), CaseEvent.at.desc())
    ).first()


def revisit(actor, case, at, event_id, satisfaction, mode="door", notes=""):
    """回访: the household's answer about the resolution. 不满意 reopens the case with whoever
    resolved it, at that level."""
    event_id = event_id or uuid.uuid4()
    judged = last_resolution(case)
    department_id = judged.department_id if judged else None
    db.session.add(CaseRevisit(id=event_id, case_id=case.id, actor_id=actor.id, mode=mode, satisfaction=satisfaction,
                               notes=notes, at=at, recorded_at=utcnow(), department_id=department_id))
    case.satisfaction = satisfaction
    data = {"satisfaction": satisfaction, "mode": mode, "notes": notes}
    if satisfaction == UNSATISFIED:
        level, holder_name = _back_to_resolver(case, judged, CASE_TEXT["unsatisfied_reason"].format(notes=notes))
        data.update(reopened=True, to=level, holder_name=holder_name)
    return record(case, "revisited", actor, at, data, event_id, department_id=department_id)


def _back_to_resolver(case, judged, reason):
    """Reopen at the level that resolved it: its resolver if still there, else that level's
    holder now (a department as a whole when its resolver has gone). Answers (level, holder name)."""
    level = (judged.data.get("level") if judged else None) or case.level
    resolver = judged.actor if judged is not None else None
    case.status, case.resolved_at = Status.OPEN, None
    department_id = (judged.department_id if judged else None) or case.department_id
    if level == Level.DEPARTMENT and department_id is not None:
        if resolver is not None and resolver.active and resolver.org_unit_id == department_id:
            case.status = Status.IN_PROGRESS
            arrive(case, Level.DEPARTMENT, resolver, reason=reason)
            return level, resolver.name
        department = db.session.get(OrgUnit, department_id)
        case.status, case.level, case.department_id = Status.DISPATCHED, Level.DEPARTMENT, department_id
        case.holder_id, case.holder, case.holder_unit_id = None, None, department_id
        case.due_at = deadline(Level.DEPARTMENT, case.urgency, utcnow())
        signals.case_dispatched.send(case, department=department, staff_ids=chain.department_staff_ids(department_id))
        return level, department.name
    if level == Level.DEPARTMENT:
        level = Level.TOWNSHIP
    if resolver is None or not resolver.active or chain.level_of(resolver) != level:
        level, resolver = chain.find_holder(case.household, level)
    arrive(case, level, resolver, reason=reason)
    return level, resolver.name


def merge(actor, case, at, event_id, into_case_id, reason=""):
    """合并: a duplicate closes with a link to the case it joins; both timelines say so."""
    target = scope.visible(actor, Case, into_case_id)
    if target is None:
        raise Invalid("into_case_id", CASE_TEXT["merge_unknown"])
    if target.id == case.id:
        raise Invalid("into_case_id", CASE_TEXT["merge_self"])
    if target.status == Status.CLOSED:
        raise Invalid("into_case_id", CASE_TEXT["merge_closed"])
    now = utcnow()
    case.status, case.closed_at, case.due_at, case.merged_into_id = Status.CLOSED, now, None, target.id
    case.holder_id, case.holder, case.holder_unit_id = None, None, None
    target.updated_at = now
    record(target, "merged_in", actor, at, {"case_id": str(case.id), "title": case.title, "reason": reason})
    signals.case_merged.send(case, into=target, actor=actor)
    return record(case, "merged", actor, at, {"into_case_id": str(target.id), "into_title": target.title,
                                              "reason": reason}, event_id)


def on_overdue(case, now):
    """Overdue: one level up with an event saying so; where nothing (or no one) is above, a reminder.
    Either way the event is a deadline missed (响应率), the department's when it held the case."""
    old_level, old_holder, missed = case.level, case.holder_id, case.due_at
    department_id = case.department_id if old_level == Level.DEPARTMENT else None
    above = chain.holder_above(case.household, case.level)
    if above is not None:
        level, holder = above
        case.status = Status.ESCALATED if case.status == Status.OPEN else case.status
        arrive(case, level, holder, reason=CASE_TEXT["overdue_reason"].format(level=LEVEL_NAMES[old_level]))
        event = record(case, "overdue_escalated", None, now, {"from": old_level, "to": level, "holder_id": holder.id,
                                                              "holder_name": holder.name},
                       department_id=department_id)
    else:
        case.due_at = deadline(case.level, case.urgency, now)
        recipients = [old_holder, case.dispatcher_id]
        if case.holder_unit_id:
            recipients += chain.department_staff_ids(case.holder_unit_id)
        signals.case_overdue.send(case, recipients=recipients, level=old_level)
        event = record(case, "overdue", None, now, {"level": old_level}, department_id=department_id)
    event.due_at = missed
    return event


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
    "close": close, "reopen": reopen, "comment": comment, "return": return_, "reject": reject,
    "recall": recall, "reassign": reassign, "revisit": revisit, "merge": merge,
}
EVENT_TYPES = {
    "escalate": "escalated", "dispatch": "dispatched", "accept": "accepted", "resolve": "resolved",
    "close": "closed", "reopen": "reopened", "comment": "commented", "return": "returned",
    "reject": "rejected", "recall": "recalled", "reassign": "reassigned", "revisit": "revisited",
    "merge": "merged",
}
