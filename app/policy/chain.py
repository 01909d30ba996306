"""Who stands where in the chain: the people above a user, who holds a case at a level, and
who may act for a holder. Vacancies are climbed past, never guessed."""
from sqlalchemy import select

from app.errors import Conflict
from app.extensions import db
from app.messages import CASE_TEXT
from app.org.models import OrgUnit, User
from app.policy.names import (
    BELOW_BRANCH,
    CHAIN,
    LEVEL_ROLE,
    LEVEL_UNIT_KIND,
    NEXT_LEVEL,
    ROLE_LEVEL,
    Kind,
    Level,
    Role,
)


def unit_ids_of(unit):
    """The ids on a unit's path, from the root down to the unit itself."""
    return [int(p) for p in unit.path.strip("/").split("/")]


def ancestor_units(unit):
    """The unit and every unit above it, root first: one query."""
    ids = unit_ids_of(unit)
    rows = {u.id: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    return [rows[i] for i in ids if i in rows]


def village_path(unit):
    """The path of the village a grid (or the village itself) belongs to; a unit above the
    village answers its own path."""
    if unit.kind == Kind.GRID:
        return unit.path[: unit.path.rstrip("/").rfind("/") + 1]
    return unit.path


def level_of(user):
    """The level at which a case the user opens (or reopens) starts, or None."""
    level = ROLE_LEVEL.get(user.role)
    return level if level in CHAIN else None


def chain_up(user):
    """Who stands above a user, nearest first: informant, grid leader, secretary, township."""
    chain = [user.informant] if user.role == Role.MEMBER and user.informant_id and user.informant else []
    mine = level_of(user)
    if mine is None:
        return chain
    units = ancestor_units(user.org_unit)
    above = [lvl for lvl in CHAIN[CHAIN.index(mine) + 1:] if lvl in LEVEL_UNIT_KIND]
    for level in above:
        holder = _first_at(level, units)
        if holder is not None:
            chain.append(holder)
    return chain


def escalation_target(case):
    """The level an escalation goes to: one up, or straight to the branch when urgent."""
    if case.urgency == "urgent" and case.level in BELOW_BRANCH:
        return Level.BRANCH
    return NEXT_LEVEL[case.level]


def level_above(level):
    return NEXT_LEVEL.get(level)


def holder_at(household, level, units=None):
    """Who takes a case on `household` at `level`, or None where that seat is empty."""
    if level == Level.MEMBER:
        member = household.member
        return member if member is not None and member.active else None
    if level == Level.INFORMANT:
        member = household.member
        informant = member.informant if member is not None else None
        return informant if informant is not None and informant.active else None
    return _first_at(level, units if units is not None else ancestor_units(household.org_unit))


def find_holder(household, level):
    """Who takes a case at `level`, climbing past vacancies: answers (level, user)."""
    units = ancestor_units(household.org_unit)
    for lvl in CHAIN[CHAIN.index(level):]:
        if lvl == Level.MEMBER:
            continue
        user = holder_at(household, lvl, units)
        if user is not None:
            return lvl, user
    raise Conflict(CASE_TEXT["no_one_above"], code="no_holder")


# The chain downward, for a case sent back (退回): township → branch → grid → informant → member.
PREVIOUS_LEVEL = {above: below for below, above in NEXT_LEVEL.items()}


def holder_below(household, level):
    """Who takes a case sent one level down (退回), passing empty seats downward: answers
    (level, user)."""
    units = ancestor_units(household.org_unit)
    lower = PREVIOUS_LEVEL.get(level)
    while lower is not None:
        user = holder_at(household, lower, units)
        if user is not None:
            return lower, user
        lower = PREVIOUS_LEVEL.get(lower)
    raise Conflict(CASE_TEXT["no_one_below"], code="no_holder")


def people_of(household):
    """The active people of the chain who can see `household`: its member, the member's
    informant, and the grid leaders, secretaries and township officers of the units above it."""
    member = household.member
    own = [member.id, member.informant_id] if member is not None else []
    seats = (Role.GRID_LEADER, Role.SECRETARY, Role.TOWNSHIP)
    return db.session.scalars(
        select(User).where(User.active, (User.id.in_([i for i in own if i is not None]))
                           | (User.role.in_(seats) & User.org_unit_id.in_(unit_ids_of(household.org_unit))))
        .order_by(User.id)
    ).all()


def holder_above(household, level):
    """The holder one level up, or None at the top or where every seat above is empty."""
    above = level_above(level)
    if above is None:
        return None
    try:
        return find_holder(household, above)
    except Conflict:
        return None


def rehome_target(household, level):
    """Where an open case below the branch goes when its household moves: the new member
    keeps a member-level case; anything else goes to whoever now stands at its level."""
    if level == Level.MEMBER and household.member is not None and household.member.active:
        return Level.MEMBER, household.member
    return find_holder(household, Level.GRID if level == Level.MEMBER else level)


def acts_for_holder(actor, case):
    """The holder, or a colleague of the same role in the same unit; a department's staff
    for a case their department holds."""
    if case.holder_id is not None:
        holder = case.holder
        return actor.id == holder.id or (actor.role == holder.role and actor.org_unit_id == holder.org_unit_id)
    if case.holder_unit_id is not None:
        return actor.role == Role.DEPARTMENT and actor.org_unit_id == case.holder_unit_id
    return False


def may_inform(*, role, unit_id, informant):
    """A member's informant is an informant of the member's own grid."""
    return (role == Role.MEMBER and informant is not None and informant.role == Role.INFORMANT
            and informant.org_unit_id == unit_id)


def department_staff_ids(unit_id):
    return db.session.scalars(select(User.id).where(User.org_unit_id == unit_id, User.active)).all()


def is_department(unit):
    return unit is not None and unit.kind == Kind.DEPARTMENT


def _first_at(level, units):
    kind = LEVEL_UNIT_KIND.get(level)
    unit = next((u for u in reversed(units) if u.kind == kind), None)
    if unit is None:
        return None
    return db.session.scalars(
        select(User).where(User.role == LEVEL_ROLE[level], User.org_unit_id == unit.id, User.active)
        .order_by(User.id)
    ).first()
