"""Enforcing the chain's step table (app/policy/case_steps.py) on one case and one actor."""
from app.errors import Conflict, Forbidden
from app.messages import ACTION_NAMES, CASE_TEXT, LEVEL_NAMES, ROLE_NAMES, STATUS_NAMES
from app.policy.case_steps import ACTIONS, HOLDER_ACTIONS, rule_for
from app.policy.chain import acts_for_holder


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
