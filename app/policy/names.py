"""The names of the organisation: roles, org-unit kinds, the levels a case passes through and
its statuses, and how they map onto each other.

Plain strings (they are stored as such); models, schemas and the rest of the policy package
import them from here, and nothing else in the product spells a role or a level.
"""


class Role:
    MEMBER = "member"
    INFORMANT = "informant"
    GRID_LEADER = "grid_leader"
    SECRETARY = "secretary"
    TOWNSHIP = "township"
    DEPARTMENT = "department"
    ADMIN = "admin"


class Kind:
    DISTRICT = "district"
    TOWNSHIP = "township"
    VILLAGE = "village"
    GRID = "grid"
    DEPARTMENT = "department"


class Level:
    MEMBER = "member"
    INFORMANT = "informant"
    GRID = "grid"
    BRANCH = "branch"
    TOWNSHIP = "township"
    DEPARTMENT = "department"


class Status:
    OPEN = "open"
    ESCALATED = "escalated"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"


# The people of the field, below the branch: they cover households and pass cases up.
FIELD_ROLES = (Role.MEMBER, Role.INFORMANT, Role.GRID_LEADER)
ROLES = (Role.MEMBER, Role.INFORMANT, Role.GRID_LEADER, Role.SECRETARY, Role.TOWNSHIP, Role.DEPARTMENT, Role.ADMIN)
ORG_KINDS = (Kind.DISTRICT, Kind.TOWNSHIP, Kind.VILLAGE, Kind.GRID, Kind.DEPARTMENT)
LEVELS = (Level.MEMBER, Level.INFORMANT, Level.GRID, Level.BRANCH, Level.TOWNSHIP, Level.DEPARTMENT)
STATUSES = (Status.OPEN, Status.ESCALATED, Status.DISPATCHED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED)

# Not yet resolved: someone still owes the household an answer (deadlines run, counts show).
OPEN_STATUSES = (Status.OPEN, Status.ESCALATED, Status.DISPATCHED, Status.IN_PROGRESS)
# Held by a person of the chain who can act on it now (a dispatched case waits for 接单).
ACTIVE_STATUSES = (Status.OPEN, Status.ESCALATED, Status.IN_PROGRESS)
DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)

# Where each role sits in the org tree.
ROLE_UNIT_KIND = {
    Role.MEMBER: Kind.GRID,
    Role.INFORMANT: Kind.GRID,
    Role.GRID_LEADER: Kind.GRID,
    Role.SECRETARY: Kind.VILLAGE,
    Role.TOWNSHIP: Kind.TOWNSHIP,
    Role.DEPARTMENT: Kind.DEPARTMENT,
    Role.ADMIN: Kind.DISTRICT,
}

# The role that works at each level of the chain, and the level each role works at.
LEVEL_ROLE = {
    Level.MEMBER: Role.MEMBER,
    Level.INFORMANT: Role.INFORMANT,
    Level.GRID: Role.GRID_LEADER,
    Level.BRANCH: Role.SECRETARY,
    Level.TOWNSHIP: Role.TOWNSHIP,
    Level.DEPARTMENT: Role.DEPARTMENT,
}
ROLE_LEVEL = {role: level for level, role in LEVEL_ROLE.items()}

# The chain upward: member → informant → grid → branch → township (then a dispatch, not a climb).
CHAIN = (Level.MEMBER, Level.INFORMANT, Level.GRID, Level.BRANCH, Level.TOWNSHIP)
NEXT_LEVEL = dict(zip(CHAIN[:-1], CHAIN[1:], strict=True))
# Levels below the branch: an urgent case skips them, a moved household re-homes them.
BELOW_BRANCH = (Level.MEMBER, Level.INFORMANT, Level.GRID)
# The org unit (of the household's placement) whose people work at each unit-held level.
LEVEL_UNIT_KIND = {Level.GRID: Kind.GRID, Level.BRANCH: Kind.VILLAGE, Level.TOWNSHIP: Kind.TOWNSHIP}
# The roles that open cases, in the order of the chain.
CHAIN_ROLES = tuple(LEVEL_ROLE[level] for level in LEVELS)
