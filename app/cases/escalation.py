"""The chain as a table: for each action, at which level, in which status, by which role.

member → informant → grid leader → branch secretary → township → (dispatch) department.
Everything else in the product asks this module; nothing else encodes the chain.
"""
from sqlalchemy import select

from app.errors import Conflict, Forbidden
from app.extensions import db
from app.messages import ACTION_NAMES, CASE_TEXT, LEVEL_NAMES, ROLE_NAMES, STATUS_NAMES
from app.org.models import User

ACTIVE = ("open", "escalated", "in_progress")
ALL_STATUSES = ("open", "escalated", "dispatched", "in_progress", "resolved", "closed")
ALL_LEVELS = ("member", "informant", "grid", "branch", "township", "department")
CHAIN_ROLES = ("member", "informant", "grid_leader", "secretary", "township", "department")

# The role that works at each level, and the level each role works at.
LEVEL_ROLE = {"member": "member", "informant": "informant", "grid": "grid_leader",
              "branch": "secretary", "township": "township", "department": "department"}
ROLE_LEVEL = {role: level for level, role in LEVEL_ROLE.items()}
NEXT_LEVEL = {"member": "informant", "informant": "grid", "grid": "branch", "branch": "township"}

# action -> ((level, statuses, roles), ...). HOLDER_ACTIONS may only be taken by whoever holds
# the case now (or a colleague of the same role in the same unit).
RULES = {
    "escalate": tuple((lvl, ACTIVE, (LEVEL_ROLE[lvl],)) for lvl in NEXT_LEVEL),
    "dispatch": (("township", ACTIVE, ("township",)),),
    "accept": (("department", ("dispatched",), ("department",)),),
    "assign_task": (("branch", ACTIVE, ("secretary",)), ("township", ACTIVE, ("township",))),
    "resolve": (("branch", ACTIVE, ("secretary",)), ("township", ACTIVE, ("township",)),
                ("department", ("in_progress",), ("department",))),
    "close": (("branch", ("resolved",), ("secretary",)), ("township", ("resolved",), ("township",))),
    "reopen": tuple((lvl, ("resolved", "closed"), ("secretary", "township")) for lvl in ALL_LEVELS),
    "comment": tuple((lvl, ALL_STATUSES[:-1], CHAIN_ROLES) for lvl in ALL_LEVELS),
}
HOLDER_ACTIONS = ("escalate", "dispatch", "accept", "assign_task", "resolve", "close")
ACTIONS = tuple(RULES)


def rule_for(action, level, status):
    """The roles allowed to take `action` on a case at (level, status), or None if the state forbids it."""
    for lvl, statuses, roles in RULES[action]:
        if lvl == level and status in statuses:
            return roles
    return None


def acts_for_holder(actor, case):
    if case.holder_id is not None:
        holder = case.holder
        return actor.id == holder.id or (actor.role == holder.role and actor.org_unit_id == holder.org_unit_id)
    if case.holder_unit_id is not None:
        return actor.role == "department" and actor.org_unit_id == case.holder_unit_id
    return False


def may(actor, case, action):
    roles = rule_for(action, case.level, case.status)
    if roles is None or actor.role not in roles:
        return False
    return action not in HOLDER_ACTIONS or acts_for_holder(actor, case)


def check(actor, case, action):
    """Refuse with 409 when the case's state forbids the action, 403 when the person may not."""
    roles = rule_for(action, case.level, case.status)
    if roles is None:
        raise Conflict(CASE_TEXT["wrong_state"].format(
            status=STATUS_NAMES[case.status], level=LEVEL_NAMES[case.level], action=ACTION_NAMES[action]),
            code="wrong_state")
    if actor.role in roles and (action not in HOLDER_ACTIONS or acts_for_holder(actor, case)):
        return
    if action in HOLDER_ACTIONS:
        who = holder_label(case)
    else:
        who = "、".join(ROLE_NAMES[r] for r in roles)
    raise Forbidden(CASE_TEXT["who_may"].format(who=who, action=ACTION_NAMES[action]), code="not_allowed")


def available_actions(actor, case):
    return [a for a in ACTIONS if may(actor, case, a)]


def holder_label(case):
    if case.holder is not None:
        return f"{ROLE_NAMES[case.holder.role]} {case.holder.name}"
    if case.holder_unit is not None:
        return case.holder_unit.name
    return CASE_TEXT["nobody"]


def escalation_target(case):
    """The level an escalation goes to: one up, or straight to the branch when urgent."""
    if case.urgency == "urgent" and case.level in ("member", "informant", "grid"):
        return "branch"
    return NEXT_LEVEL[case.level]


def find_holder(case, level):
    """Who takes the case at `level` (climbing past vacancies); returns (level, user)."""
    household = case.household
    units = [int(p) for p in household.org_unit.path.strip("/").split("/")]  # district, town, village, grid
    unit_of = {"grid": units[-1], "branch": units[-2], "township": units[-3]}
    order = list(NEXT_LEVEL) + ["township"]
    for lvl in order[order.index(level):]:
        user = _informant_of(household) if lvl == "informant" else _first(LEVEL_ROLE[lvl], unit_of.get(lvl))
        if user is not None:
            return lvl, user
    raise Conflict(CASE_TEXT["no_one_above"], code="no_holder")


def _informant_of(household):
    member = household.member
    informant = member.informant if member is not None else None
    return informant if informant is not None and informant.active else None


def _first(role, unit_id):
    if unit_id is None:
        return None
    return db.session.scalars(
        select(User).where(User.role == role, User.org_unit_id == unit_id, User.active).order_by(User.id)
    ).first()
