"""Opening cases, acting on them, and reading them, always within the actor's scope."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.attachments import service as attachments
from app.attachments.models import OWNER_CASE_STEP, OWNER_REVISIT
from app.cases import escalation, transitions
from app.cases.deadlines import deadline
from app.cases.models import Case, CaseEvent, CaseRevisit, is_overdue, overdue_clause
from app.common.device_time import step_time
from app.common.idempotent import insert_once
from app.common.pagination import paginate, paginate_branches_by_ids, paginate_by_ids
from app.common.time import utcnow
from app.errors import Conflict, Invalid, NotFound, field_message
from app.extensions import db
from app.households.models import Household
from app.households.service import get_household
from app.messages import CASE_TEXT
from app.org.models import OrgUnit
from app.policy import capabilities, scope
from app.policy.case_steps import RESPONSE_ACTIONS
from app.policy.chain import level_of
from app.policy.names import DONE_STATUSES, OPEN_STATUSES, Kind, Level, Role, Status
from app.tasks.models import Task
from app.visits.models import Visit

CONTENT = ("household_id", "visit_id", "category", "title", "description", "urgency")
# The detail carries the newest steps of the timeline; older ones come a page at a time.
TIMELINE_PAGE = 50


class CaseView:
    """A case as the edge shows it: its own fields, whether it is overdue now, and (in the
    detail) its timeline, tasks and what the caller may do. The ORM object stays untouched."""

    def __init__(self, case, now=None, *, events=None, events_next=None, tasks=None, actions=None,
                 similar_open=None, reassign_to=None, event=None):
        self.case = case
        self.overdue = is_overdue(case, now)
        self.events, self.events_next, self.tasks, self.actions = events, events_next, tasks, actions
        self.similar_open, self.reassign_to, self.event = similar_open, reassign_to, event

    def __getattr__(self, name):
        return getattr(self.case, name)


def get_case(*, actor, case_id):
    case = scope.visible(actor, Case, case_id)
    if case is None:
        raise NotFound()
    return case


def case_for_action(*, actor, case_id, action):
    """A case in scope on which the actor may take `action` now (409 wrong state, 403 wrong person)."""
    case = get_case(actor=actor, case_id=case_id)
    escalation.check(actor, case, action)
    return case


def open_case(*, actor, data):
    """Open a case at the opener's own level; a resend of the same case is harmless."""
    existing = db.session.get(Case, data["id"])
    if existing is not None and _known_to(actor, existing):
        return _same_or_conflict(actor, existing, data), False
    household = get_household(actor=actor, household_id=data["household_id"])  # 404 as for an unknown id
    capabilities.require(actor, "cases.open", CASE_TEXT["open_action"])
    level = level_of(actor)
    _check_visit(data.get("visit_id"), household.id)
    now = utcnow()
    opened_at = step_time(data.pop("opened_at", None), field="opened_at")
    case = Case(**data, village_id=household.village_id, status=Status.OPEN, level=level, holder_id=actor.id,
                opened_by_id=actor.id, opened_at=opened_at, created_at=now, updated_at=now,
                due_at=deadline(level, data["urgency"], now))
    case, created = insert_once(case, lambda stored: _same_or_conflict(actor, stored, data))
    if not created:
        return case, False
    transitions.record(case, "opened", actor, opened_at, {"category": case.category, "urgency": case.urgency,
                                                          "visit_id": str(case.visit_id) if case.visit_id else None})
    db.session.flush()
    return case, True


def _check_visit(visit_id, household_id):
    if visit_id is None:
        return
    visit = db.session.get(Visit, visit_id)
    if visit is None or visit.household_id != household_id:
        raise Invalid("visit_id", CASE_TEXT["visit_elsewhere"])


def _known_to(actor, case):
    """The opener (even after the household moved away) and whoever may see it."""
    return case.opened_by_id == actor.id or scope.visible(actor, Case, case.id) is not None


def _same_or_conflict(actor, stored, data):
    if _known_to(actor, stored) and all(getattr(stored, k) == data.get(k) for k in CONTENT):
        return stored
    may_see = scope.visible(actor, Case, stored.id) is not None
    extra = {"current": CaseView(stored)} if may_see else {}
    raise Conflict(CASE_TEXT["case_conflict"], code="duplicate_id", **extra)


def act(*, actor, case_id, action, data):
    """Take one action on a case. Answers (case, event, applied); a resent action id is not
    applied twice (its photos neither: they are compared with those the step carries)."""
    case = get_case(actor=actor, case_id=case_id)
    data = dict(data)
    event_id, at = data.pop("id", None), data.pop("at", None)
    photos = list(data.pop("attachments", None) or [])
    if event_id is not None:
        done = db.session.get(CaseEvent, event_id)
        if done is not None:
            if done.case_id == case.id and done.type == transitions.EVENT_TYPES[action] and done.actor_id == actor.id:
                _same_revisit_or_conflict(action, event_id, data)
                if [a.id for a in done.attachments] != photos:
                    detail = CASE_TEXT["photos_differ"]
                    raise Conflict(field_message("attachments", detail), code="duplicate_id",
                                   fields={"attachments": [detail]})
                return case, done, False
            raise Conflict(CASE_TEXT["event_conflict"], code="duplicate_id")
    escalation.check(actor, case, action)
    at = step_time(at, after=previous_step_at(case))
    level, department_id, running = case.level, case.department_id, case.due_at
    event = transitions.HANDLERS[action](actor, case, at, event_id, **data)
    if action in RESPONSE_ACTIONS:  # the holder's answer to the deadline of their level (响应率)
        event.due_at = running
        if level == Level.DEPARTMENT:
            event.department_id = department_id
    case.updated_at = utcnow()
    db.session.flush()
    placed = []
    if photos:  # uploaded before the step; placed in its transaction, so a refusal undoes both
        placed = attachments.attach(actor=actor, ids=photos, owner_type=_photo_owner(action), owner_id=event.id,
                                    case_id=case.id)
    set_committed_value(event, "attachments", placed)  # known now: its result needs no query for them
    return case, event, True


def _photo_owner(action):
    """A 回访's photos are the return visit's (its id is the event's); any other step's are the step's."""
    return OWNER_REVISIT if action == "revisit" else OWNER_CASE_STEP


def _same_revisit_or_conflict(action, revisit_id, data):
    """A return visit is a record the phone made, like a visit: resent unchanged it is harmless,
    resent with other answers it is a conflict."""
    if action != "revisit":
        return
    stored = db.session.get(CaseRevisit, revisit_id)
    said = {"satisfaction": data.get("satisfaction"), "mode": data.get("mode", "door"), "notes": data.get("notes", "")}
    if stored is not None and any(getattr(stored, k) != v for k, v in said.items()):
        raise Conflict(CASE_TEXT["revisit_conflict"], code="duplicate_id")


def previous_step_at(case):
    """When the latest step on the timeline happened: the earlier of what its phone said and
    when the server heard it (a phone a little ahead must not block the next step), to the whole
    second: phones give their time to the second, so a step taken in the same second as one the
    server made (a task assigned at 09:03:23.517) is not "before" it."""
    at, recorded = db.session.execute(
        select(CaseEvent.at, CaseEvent.recorded_at).where(CaseEvent.case_id == case.id)
        .order_by(CaseEvent.recorded_at.desc(), CaseEvent.at.desc()).limit(1)).first() or (case.opened_at, None)
    return (min(at, recorded) if recorded is not None else at).replace(microsecond=0)


def record_step(case, type_, actor, at, data, event_id=None):
    """A step taken elsewhere (a task) on this case's timeline."""
    return transitions.record(case, type_, actor, at, data, event_id)


def list_cases(*, actor, awaiting=None, status=None, category=None, level=None, urgency=None, overdue=None,
               org_unit_id=None, household_id=None, cursor=None, limit=None):
    keys = [Case.created_at, Case.id]
    filters = []
    for column, value in ((Case.status, status), (Case.category, category), (Case.level, level),
                          (Case.urgency, urgency), (Case.household_id, household_id)):
        if value is not None:
            filters.append(column == value)
    now = utcnow()
    if overdue is True:
        filters.extend(overdue_clause(now))
    elif overdue is False:
        filters.append(~(Case.due_at < now) | Case.due_at.is_(None) | Case.status.in_(DONE_STATUSES))
    unit = db.session.get(OrgUnit, org_unit_id) if org_unit_id is not None else None
    if org_unit_id is not None and unit is None:
        return [], None
    if unit is not None and unit.kind == Kind.GRID:
        filters.append(Case.household_id.in_(
            select(Household.id).where(Household.org_unit_id.in_(scope.subtree_ids(unit.path)))))
    villages = _villages_in_scope(actor, unit) if awaiting != "me" and household_id is None else None
    if villages is not None:
        stmts = [select(Case).where(Case.village_id == v, *filters) for v in villages]
        rows, nxt = paginate_branches_by_ids(db.session, stmts, entity=Case, keys=keys, cursor=cursor, limit=limit,
                                             descending=True)
        return [CaseView(c, now) for c in rows], nxt
    if unit is not None and unit.kind != Kind.GRID:
        filters.append(Case.household_id.in_(
            select(Household.id).where(Household.org_unit_id.in_(scope.subtree_ids(unit.path)))))
    stmt = select(Case).where(scope.case_filter(actor), *filters)
    if awaiting == "me":
        stmt = stmt.where(awaiting_clause(actor))
    rows, nxt = paginate_by_ids(db.session, stmt, entity=Case, keys=keys, cursor=cursor, limit=limit,
                                descending=True)
    return [CaseView(c, now) for c in rows], nxt


def _villages_in_scope(actor, unit=None):
    """For a secretary or township officer (whose scope is whole villages): the villages whose
    cases they see, within `unit` when a list is narrowed to one; None for everyone else.

    A household's village is its grid's (or the unit it is placed on), so the cases of the
    households placed in a subtree are those of the subtree's units other than grids."""
    if actor.role not in (Role.SECRETARY, Role.TOWNSHIP) or actor.org_unit.kind == Kind.GRID:
        return None
    stmt = scope.subtree_ids(actor.org_unit.path).where(OrgUnit.kind != Kind.GRID)
    if unit is not None and unit.kind == Kind.GRID:
        stmt = stmt.where(OrgUnit.id == unit.parent_id)  # the households of the grid: filtered in the branch
    elif unit is not None:
        stmt = stmt.where(OrgUnit.path.startswith(unit.path, autoescape=True))
    return db.session.scalars(stmt.order_by(OrgUnit.id)).all()


def awaiting_clause(actor):
    """The actor's queue: cases they hold, and for department staff what their department holds."""
    if actor.role == Role.DEPARTMENT:
        return (Case.holder_id == actor.id) | (Case.holder_unit_id == actor.org_unit_id)
    return Case.holder_id == actor.id


def case_detail(*, actor, case_id):
    """The case with the newest page of its timeline (in the order it happened) and a cursor to
    the older steps, its tasks, and what the actor may do now."""
    case = get_case(actor=actor, case_id=case_id)
    events, events_next = _timeline(case, limit=TIMELINE_PAGE)
    tasks = db.session.scalars(select(Task).where(Task.case_id == case.id).order_by(Task.created_at)).all()
    actions = escalation.available_actions(actor, case)
    reassign_to = transitions.reassign_candidates(actor, case) if "reassign" in actions else []
    return CaseView(case, events=events[::-1], events_next=events_next, tasks=tasks, actions=actions,
                    similar_open=similar_open(actor, case) if case.status in OPEN_STATUSES else [],
                    reassign_to=reassign_to)


def case_events(*, actor, case_id, cursor=None, limit=None):
    """A page of a case's timeline, newest first, after `cursor` (the detail's `events_next`)."""
    return _timeline(get_case(actor=actor, case_id=case_id), cursor=cursor, limit=limit)


def _timeline(case, *, cursor=None, limit=None):
    """(steps newest first, cursor to older ones): a keyset page, with the photos of the whole
    page in one more query."""
    stmt = (select(CaseEvent).where(CaseEvent.case_id == case.id)
            .options(selectinload(CaseEvent.attachments)))
    return paginate(db.session, stmt, keys=[CaseEvent.recorded_at, CaseEvent.at, CaseEvent.id], cursor=cursor,
                    limit=limit, descending=True)


def case_step(*, actor, case, event=None):
    """A case as a sync result shows it: without its timeline, with the step just taken (its
    opening when none is named)."""
    if event is None:
        event = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.type == "opened")
                                   .limit(1)).first()
    return CaseView(case, event=event, actions=escalation.available_actions(actor, case))


def similar_open(actor, case):
    """Other cases of the same category still open on the same household (a likely duplicate:
    the phone offers to add this one to it, 合并), that the actor can see."""
    return db.session.scalars(
        select(Case).where(Case.household_id == case.household_id, Case.category == case.category,
                           Case.id != case.id, Case.status.in_(OPEN_STATUSES), scope.case_filter(actor))
        .order_by(Case.created_at).limit(20)
    ).all()
