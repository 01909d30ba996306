"""What an actor may see, as SQL filters, one per kind of record, and the sync feed's rows.

Anything outside them answers 404, exactly as if it did not exist.
"""
from sqlalchemy import and_, event, false, or_, select, true
from sqlalchemy.orm import Session

from app.attachments.models import Attachment
from app.cases.models import Case
from app.extensions import db
from app.households.models import Household, Resident
from app.notify.models import Notification
from app.org.models import OrgUnit, User
from app.policy.chain import chain_up
from app.policy.names import Kind, Role
from app.sync.models import Change
from app.tasks.models import Task

# Roles whose scope is their org unit's whole subtree.
SUBTREE_ROLES = (Role.GRID_LEADER, Role.SECRETARY, Role.TOWNSHIP)


def subtree_ids(unit_path):
    """Ids of an org unit and everything under it: one prefix match on an index."""
    return select(OrgUnit.id).where(OrgUnit.path.startswith(unit_path, autoescape=True))


def members_of(informant_id):
    return select(User.id).where(User.informant_id == informant_id)


def household_filter(actor, member_id=Household.member_id, org_unit_id=Household.org_unit_id, *, archived=False):
    """A boolean clause on Household for what `actor` may see.

    The columns can be swapped for a household's former placement (the sync feed uses that
    to tell a phone which household it has lost), so the rule is written once.

    Archived households (迁出, 户销, 合户) are in nobody's everyday scope, so they leave every
    list and phone: `archived=True` asks for them alone (the secretary's list, a restore),
    `archived=None` for every household placed there, archived or not (whose cases and history
    stay visible). Swapped columns describe no household row, so they take archived=None.
    """
    placed = _placed(actor, member_id, org_unit_id)
    if archived is None:
        return placed
    return and_(placed, Household.archived_at.is_not(None) if archived else Household.archived_at.is_(None))


def _placed(actor, member_id, org_unit_id):
    if actor.role == Role.ADMIN:
        return true()
    if actor.role == Role.MEMBER:
        return member_id == actor.id
    if actor.role == Role.INFORMANT:
        return or_(member_id == actor.id, member_id.in_(members_of(actor.id)))
    if actor.role in SUBTREE_ROLES:
        return org_unit_id.in_(subtree_ids(actor.org_unit.path))
    return false()


def visible_households(actor, archived=False):
    return select(Household.id).where(household_filter(actor, archived=archived))


def resident_filter(actor):
    """Residents of the households in scope (archived households' residents are out of it)."""
    return Resident.household_id.in_(visible_households(actor))


def case_filter(actor, household_id=Case.household_id, department_id=Case.department_id):
    """Cases on households in scope, archived ones too (their cases stay reconcilable); a
    department sees what was dispatched to it."""
    if actor.role == Role.ADMIN:
        return true()
    if actor.role == Role.DEPARTMENT:
        return department_id == actor.org_unit_id
    return household_id.in_(visible_households(actor, archived=None))


def task_filter(actor):
    """Its assignee, its assigner, and whoever sees its case."""
    if actor.role == Role.ADMIN:
        return true()
    return or_(Task.assignee_id == actor.id, Task.assigner_id == actor.id,
               Task.case_id.in_(select(Case.id).where(case_filter(actor))))


def attachment_filter(actor):
    """A photo not yet put on a record: its uploader's alone. On a visit: whoever sees the
    household. On a case step or 回访: whoever sees the case (a department: what was
    dispatched to it)."""
    if actor.role == Role.ADMIN:
        return true()
    return or_(
        and_(Attachment.owner_id.is_(None), Attachment.uploader_id == actor.id),
        Attachment.household_id.in_(visible_households(actor)),
        Attachment.case_id.in_(select(Case.id).where(case_filter(actor))),
    )


def notification_filter(actor):
    return Notification.user_id == actor.id


def user_filter(actor):
    """People an actor may look up (to pick an assignee, to know who is above): those below
    them, and the people of their own chain upward."""
    if actor.role == Role.ADMIN:
        return true()
    if actor.role == Role.DEPARTMENT:
        return User.org_unit_id == actor.org_unit_id
    above = User.id.in_([actor.id] + [u.id for u in chain_up(actor)])
    if actor.role == Role.MEMBER:
        return above
    if actor.role == Role.INFORMANT:
        return or_(above, User.informant_id == actor.id)
    return or_(above, User.org_unit_id.in_(subtree_ids(actor.org_unit.path)))


def org_unit_filter(actor):
    if actor.role == Role.ADMIN:
        return true()
    return OrgUnit.path.startswith(actor.org_unit.path, autoescape=True)


def change_filter(actor):
    """The sync log rows this actor may read, by the same rules as the records themselves, as
    a list of clauses whose union they are: each keyed on one indexed column (a member, an
    org unit, a department, the actor), so each is read in seq order from its own index.

    A row carries its household's placement now (a move: where it was), see changelog.py; a
    village or more is read by the villages in it, a grid by itself. A household or visit is
    seen where its household is unless archived; a case or task on a household, archived or
    not (a department: what was dispatched to it); a move by those who had the household; a
    task or notification by the one it is for.
    """
    mine = and_(Change.entity.in_(("task", "notification")), Change.user_id == actor.id)
    placed = or_(Change.entity.in_(("case", "task", "move")),
                 and_(Change.entity.in_(("household", "visit")), Change.archived.is_(False)))
    if actor.role == Role.ADMIN:
        return [or_(placed, mine)]
    if actor.role == Role.DEPARTMENT:
        return [and_(Change.entity.in_(("case", "task")), Change.department_id == actor.org_unit_id), mine]
    if actor.role == Role.MEMBER:
        keys = [(Change.member_id, actor.id)]
    elif actor.role == Role.INFORMANT:
        keys = [(Change.member_id, m) for m in [actor.id, *db.session.scalars(members_of(actor.id))]]
    elif actor.role in SUBTREE_ROLES and actor.org_unit.kind == Kind.GRID:
        keys = [(Change.org_unit_id, u) for u in db.session.scalars(subtree_ids(actor.org_unit.path))]
    elif actor.role in SUBTREE_ROLES:  # a household's village is its grid's (or its unit's own)
        units = subtree_ids(actor.org_unit.path).where(OrgUnit.kind != Kind.GRID)
        keys = [(Change.village_id, u) for u in db.session.scalars(units)]
    else:
        keys = []
    return [and_(column == value, placed) for column, value in keys] + [mine]


FILTERS = {Household: household_filter, User: user_filter, OrgUnit: org_unit_filter, Case: case_filter,
           Task: task_filter, Notification: notification_filter, Attachment: attachment_filter,
           Resident: resident_filter}


def visible(actor, model, ident):
    """Load one row the actor may see, or None (the caller answers 404).

    Within one transaction a positive answer is remembered until something that decides
    scope changes, so a sync batch of 500 visits to 10 households asks 10 times, not 500.
    """
    memo = db.session.info.setdefault(_MEMO, {})
    key = (actor.id, model.__name__, ident)
    if key in memo:
        return memo[key]
    row = db.session.scalars(select(model).where(model.id == ident, FILTERS[model](actor))).first()
    if row is not None:
        memo[key] = row
    return row


_MEMO = "scope_memo"
_DECIDES_SCOPE = (Household, User, OrgUnit, Case, Task)


def _forget_on_change(session, _context):
    """Any change to who-covers-what, people, units, cases or tasks ends the remembered answers."""
    if any(isinstance(o, _DECIDES_SCOPE) for o in list(session.dirty) + list(session.deleted)):
        session.info.pop(_MEMO, None)


def _forget_at_end(session, transaction):
    if transaction.parent is None:  # the whole transaction, not one savepoint of it
        session.info.pop(_MEMO, None)


def _forget_on_rollback(session, _previous):
    session.info.pop(_MEMO, None)


def install():
    if not event.contains(Session, "after_flush", _forget_on_change):
        event.listen(Session, "after_flush", _forget_on_change)
        event.listen(Session, "after_transaction_end", _forget_at_end)
        event.listen(Session, "after_soft_rollback", _forget_on_rollback)
