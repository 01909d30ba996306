"""The chain's steps as a table: for each action on a case, at which level, in which status,
by which roles. app/cases/escalation.py enforces it; the phone app sees its outcome as the
`actions` of a case."""
from app.policy.names import (
    ACTIVE_STATUSES, CHAIN_ROLES, DONE_STATUSES, LEVEL_ROLE, LEVELS, NEXT_LEVEL, STATUSES, Level, Role, Status,
)

# action -> ((level, statuses, roles), ...)
RULES = {
    "escalate": tuple((level, ACTIVE_STATUSES, (LEVEL_ROLE[level],)) for level in NEXT_LEVEL),
    "dispatch": ((Level.TOWNSHIP, ACTIVE_STATUSES, (Role.TOWNSHIP,)),),
    "accept": ((Level.DEPARTMENT, (Status.DISPATCHED,), (Role.DEPARTMENT,)),),
    "assign_task": ((Level.BRANCH, ACTIVE_STATUSES, (Role.SECRETARY,)),
                    (Level.TOWNSHIP, ACTIVE_STATUSES, (Role.TOWNSHIP,))),
    "resolve": ((Level.BRANCH, ACTIVE_STATUSES, (Role.SECRETARY,)),
                (Level.TOWNSHIP, ACTIVE_STATUSES, (Role.TOWNSHIP,)),
                (Level.DEPARTMENT, (Status.IN_PROGRESS,), (Role.DEPARTMENT,))),
    "close": ((Level.BRANCH, (Status.RESOLVED,), (Role.SECRETARY,)),
              (Level.TOWNSHIP, (Status.RESOLVED,), (Role.TOWNSHIP,))),
    "reopen": tuple((level, DONE_STATUSES, (Role.SECRETARY, Role.TOWNSHIP)) for level in LEVELS),
    "comment": tuple((level, tuple(s for s in STATUSES if s != Status.CLOSED), CHAIN_ROLES) for level in LEVELS),
}
# Only whoever holds the case now (or a colleague of the same role in the same unit) may take these.
HOLDER_ACTIONS = ("escalate", "dispatch", "accept", "assign_task", "resolve", "close")
ACTIONS = tuple(RULES)


def rule_for(action, level, status):
    """The roles allowed to take `action` on a case at (level, status), or None if the state forbids it."""
    for lvl, statuses, roles in RULES[action]:
        if lvl == level and status in statuses:
            return roles
    return None
