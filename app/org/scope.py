"""The one place that says what an actor may see.

Every query for households, users or org units goes through these filters; anything
outside them answers 404, exactly as if it did not exist.
"""
from sqlalchemy import event, false, or_, select, true
from sqlalchemy.orm import Session

from app.extensions import db
from app.households.models import Household
from app.org.models import OrgUnit, User

# Roles whose scope is their org unit's whole subtree.
SUBTREE_ROLES = ("grid_leader", "secretary", "township")


def subtree_ids(unit_path):
    """Ids of an org unit and everything under it: one prefix match on an index."""
    return select(OrgUnit.id).where(OrgUnit.path.startswith(unit_path, autoescape=True))


def members_of(informant_id):
    return select(User.id).where(User.informant_id == informant_id)


def household_filter(actor, member_id=Household.member_id, org_unit_id=Household.org_unit_id):
    """A boolean clause on Household for what `actor` may see.

    The columns can be swapped for a household's former placement (the sync feed uses that
    to tell a phone which household it has lost), so the rule is written once.
    """
    if actor.role == "admin":
        return true()
    if actor.role == "member":
        return member_id == actor.id
    if actor.role == "informant":
        return or_(member_id == actor.id, member_id.in_(members_of(actor.id)))
    if actor.role in SUBTREE_ROLES:
        return org_unit_id.in_(subtree_ids(actor.org_unit.path))
    return false()


def case_filter(actor):
    """Cases on households in scope; a department sees what was dispatched to it."""
    from app.cases.models import Case

    if actor.role == "admin":
        return true()
    if actor.role == "department":
        return Case.department_id == actor.org_unit_id
    return Case.household_id.in_(select(Household.id).where(household_filter(actor)))


def user_filter(actor):
    """People an actor may look up (to pick an assignee, to know who is above): those below
    them, and the people of their own chain upward."""
    if actor.role == "admin":
        return true()
    if actor.role == "department":
        return User.org_unit_id == actor.org_unit_id
    above = User.id.in_([actor.id] + [u.id for u in chain_up(actor)])
    if actor.role == "member":
        return above
    if actor.role == "informant":
        return or_(above, User.informant_id == actor.id)
    return or_(above, User.org_unit_id.in_(subtree_ids(actor.org_unit.path)))


def org_unit_filter(actor):
    if actor.role == "admin":
        return true()
    return OrgUnit.path.startswith(actor.org_unit.path, autoescape=True)


def visible(actor, model, ident):
    """Load one row the actor may see, or None (the caller answers 404).

    Within one transaction a positive answer is remembered until something that decides
    scope changes, so a sync batch of 500 visits to 10 households asks 10 times, not 500.
    """
    from app.cases.models import Case

    memo = db.session.info.setdefault(_MEMO, {})
    key = (actor.id, model.__name__, ident)
    if key in memo:
        return memo[key]
    filters = {Household: household_filter, User: user_filter, OrgUnit: org_unit_filter, Case: case_filter}
    row = db.session.scalars(select(model).where(model.id == ident, filters[model](actor))).first()
    if row is not None:
        memo[key] = row
    return row


_MEMO = "scope_memo"


def _forget_on_change(session, _context):
    """Any change to who-covers-what, people, units or cases ends the remembered answers."""
    from app.cases.models import Case

    if any(isinstance(o, (Household, User, OrgUnit, Case)) for o in list(session.dirty) + list(session.deleted)):
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


RANK = ("member", "informant", "grid_leader", "secretary", "township")
UPPER = (("grid", "grid_leader"), ("village", "secretary"), ("township", "township"))


def chain_up(user):
    """Who stands above a user, nearest first: informant, grid leader, secretary, township."""
    chain = [user.informant] if user.role == "member" and user.informant_id else []
    my_rank = RANK.index(user.role) if user.role in RANK else len(RANK)
    units = {u.id: u for u in _ancestor_units(user.org_unit)}
    holders = db.session.scalars(
        select(User)
        .where(User.org_unit_id.in_(list(units)), User.role.in_([r for _, r in UPPER]), User.active)
        .order_by(User.id)
    ).all()
    for kind, role in UPPER:
        if RANK.index(role) <= my_rank:
            continue
        match = next((u for u in holders if u.role == role and units[u.org_unit_id].kind == kind), None)
        if match is not None:
            chain.append(match)
    return chain


def _ancestor_units(unit):
    ids = [int(p) for p in unit.path.strip("/").split("/")]
    return db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids))).all()
