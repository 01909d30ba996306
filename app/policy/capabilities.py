"""What each role may do, by kind of record. Services ask `require`; `GET /api/me` hands the
same table to the phone app, which shows a tab or a button only where the server will agree."""
from app.errors import Forbidden
from app.messages import CASE_TEXT, ROLE_NAMES
from app.policy.admin import manageable_roles_view
from app.policy.chain import level_of
from app.policy.names import FIELD_ROLES, Role

_CHAIN = (*FIELD_ROLES, Role.SECRETARY, Role.TOWNSHIP)
_SUPERVISORS = (Role.SECRETARY, Role.TOWNSHIP, Role.ADMIN)

CAN = {
    "households.view": (*_CHAIN, Role.ADMIN),        # the 包联户 tab: households in scope
    "households.assign": _SUPERVISORS,              # give a household to another member
    "households.manage": _SUPERVISORS,              # 新增住户, move, 户编号, archive and restore, residents
    "households.import": _SUPERVISORS,              # 导入 and its template
    "residents.reveal_id": _SUPERVISORS,            # a resident's full 身份证号 (every look is logged)
    "visits.record": (*_CHAIN, Role.ADMIN),
    "cases.open": _CHAIN,                           # open a case at one's own level
    "cases.report_up": FIELD_ROLES,                      # 需要上报: a new case climbs one level at once
    "cases.queue": (*_CHAIN[1:], Role.DEPARTMENT, Role.ADMIN),  # the 待办 tab
    "reports.view": _SUPERVISORS,                   # the 统计 tab
    "exports.cases": (*_SUPERVISORS, Role.DEPARTMENT),
    "exports.households": _SUPERVISORS,
    "tasks.assign": (Role.SECRETARY, Role.TOWNSHIP),
    "deliveries.view": (Role.ADMIN,),
    "users.manage": _SUPERVISORS,
}
CAPABILITIES = tuple(CAN)


def can(actor, capability):
    return actor.role in CAN[capability]


def who_may(capability):
    """The roles allowed, as users read them: 村党支部书记、乡镇干部."""
    return "、".join(ROLE_NAMES[r] for r in CAN[capability])


def require(actor, capability, action, *, message=None, code="not_allowed"):
    """Refuse with 403 naming who may, unless the actor's role has the capability."""
    if not can(actor, capability):
        raise Forbidden(message or CASE_TEXT["who_may"].format(who=who_may(capability), action=action), code=code)


def capabilities_of(actor):
    """What the phone app needs to decide what to show."""
    return {
        "can": [c for c in CAPABILITIES if can(actor, c)],
        "case_level": level_of(actor) if can(actor, "cases.open") else None,
        "manages": manageable_roles_view(actor),
    }
