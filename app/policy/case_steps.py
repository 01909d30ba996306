"""The chain's steps as a table: for each action on a case, at which level, in which status,
by which roles. app/cases/escalation.py enforces it; the phone app sees its outcome as the
`actions` of a case."""
from app.policy.names import (
    ACTIVE_STATUSES,
    BELOW_BRANCH,
    CHAIN,
    CHAIN_ROLES,
    DONE_STATUSES,
    LEVEL_ROLE,
    LEVELS,
    NEXT_LEVEL,
    STATUSES,
    Level,
    Role,
    Status,
)

# The levels a village works at: a secretary oversees them (改派, 合并).
VILLAGE_LEVELS = (*BELOW_BRANCH, Level.BRANCH)
# Sent to a department and not yet closed: the department may refuse it (退单), before or after 接单.
AT_DEPARTMENT = (Status.DISPATCHED, Status.IN_PROGRESS)

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
    # 退回: the holder sends it one level down (for more facts); it climbs again with 上报.
    "return": tuple((level, ACTIVE_STATUSES, (LEVEL_ROLE[level],)) for level in CHAIN[1:]),
    # 退单: a department refuses what is not its job, with a reason; it goes back to the township.
    "reject": ((Level.DEPARTMENT, AT_DEPARTMENT, (Role.DEPARTMENT,)),),
    # 撤回: the township takes a dispatch back before the department has taken it (接单).
    "recall": ((Level.DEPARTMENT, (Status.DISPATCHED,), (Role.TOWNSHIP,)),),
    # 改派: a supervisor gives the case to someone else (the holder is away); an admin, any case.
    "reassign": (*((level, ACTIVE_STATUSES, (Role.SECRETARY, Role.ADMIN)) for level in VILLAGE_LEVELS),
                 (Level.TOWNSHIP, ACTIVE_STATUSES, (Role.TOWNSHIP, Role.ADMIN)),
                 (Level.DEPARTMENT, AT_DEPARTMENT, (Role.ADMIN,))),
    # 回访: after 办结, the member who covers the household (or the secretary) asks the household.
    "revisit": tuple((level, (Status.RESOLVED,), (Role.MEMBER, Role.SECRETARY)) for level in LEVELS),
    # 合并: a duplicate joins another case; the member may add a case of their own, the secretary any.
    "merge": ((Level.MEMBER, ACTIVE_STATUSES, (Role.MEMBER, Role.SECRETARY)),
              *((level, ACTIVE_STATUSES, (Role.SECRETARY,)) for level in VILLAGE_LEVELS[1:])),
}
# Only whoever holds the case now (or a colleague of the same role in the same unit) may take these.
HOLDER_ACTIONS = ("escalate", "dispatch", "accept", "assign_task", "resolve", "close", "return", "reject")
ACTIONS = tuple(RULES)

# The holder's steps that answer the deadline running at their level (响应率 counts them).
RESPONSE_ACTIONS = ("escalate", "dispatch", "accept", "resolve", "return", "reject")

# 改派: to whom each supervisor may give a case, among the people who can see its household; a
# department's staff only for a case already at the department level.
REASSIGN_TO = {
    Role.SECRETARY: (Role.MEMBER, Role.INFORMANT, Role.GRID_LEADER, Role.SECRETARY),
    Role.TOWNSHIP: (Role.TOWNSHIP,),
    Role.ADMIN: (*CHAIN_ROLES,),
}


def rule_for(action, level, status):
    """The roles allowed to take `action` on a case at (level, status), or None if the state forbids it."""
    for lvl, statuses, roles in RULES[action]:
        if lvl == level and status in statuses:
            return roles
    return None
