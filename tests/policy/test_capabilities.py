"""`GET /api/me` hands the phone app what its user may do; the expectations are the contract's
roles table (contract.md "Roles and scope" and "The phone app's words"), written out here."""
import pytest

from app.policy.capabilities import CAPABILITIES

FIELD = {"households.view", "visits.record", "cases.open", "cases.report_up"}
# The household register (contract "The household register"): secretaries and above create, archive,
# restore and import households, keep their residents, and alone see (masked, or in full on request)
# residents' ID numbers.
REGISTER = {"households.manage", "households.import", "residents.reveal_id"}
EXPECTED = {
    # 包联户, record visits, open cases that climb at once; no 待办 tab for a member.
    "member": (FIELD, "member"),
    # the above, and a queue of what members send up.
    "informant": (FIELD | {"cases.queue"}, "informant"),
    "grid_leader": (FIELD | {"cases.queue"}, "grid"),
    # the village: reassign households, assign tasks, reports and both exports, manage people.
    "secretary": ({"households.view", "visits.record", "cases.open", "cases.queue", "households.assign",
                   "tasks.assign", "reports.view", "exports.cases", "exports.households", "users.manage"} | REGISTER,
                  "branch"),
    "township": ({"households.view", "visits.record", "cases.open", "cases.queue", "households.assign",
                  "tasks.assign", "reports.view", "exports.cases", "exports.households", "users.manage"} | REGISTER,
                 "township"),
    # only what was dispatched to them: a queue and the case list.
    "department": ({"cases.queue", "exports.cases"}, None),
    # everything to look at and manage, but no place in the chain to open or hold cases.
    "admin": ({"households.view", "visits.record", "cases.queue", "households.assign", "reports.view",
               "exports.cases", "exports.households", "deliveries.view", "users.manage"} | REGISTER, None),
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_me_says_what_the_role_may_do(role, chain, as_user):
    body = as_user(chain[role]).get("/api/me").get_json()
    can, level = EXPECTED[role]
    assert set(body["capabilities"]["can"]) == can
    assert body["capabilities"]["case_level"] == level


def test_every_capability_is_someones():
    granted = set().union(*(can for can, _ in EXPECTED.values()))
    assert granted == set(CAPABILITIES)


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_what_me_promises_the_server_keeps(role, chain, as_user, jiang):
    """The tabs the app shows from `can` answer; the ones it hides refuse."""
    client = as_user(chain[role])
    can = set(client.get("/api/me").get_json()["capabilities"]["can"])
    reports = client.get("/api/reports/coverage").status_code
    assert (reports == 200) == ("reports.view" in can), reports
    export = client.get("/api/exports/households.xlsx").status_code
    assert (export == 200) == ("exports.households" in can), export
    deliveries = client.get("/api/notifications/deliveries").status_code
    assert (deliveries == 200) == ("deliveries.view" in can), deliveries
    households = client.get("/api/households").get_json()["items"]
    assert bool(households) == ("households.view" in can)


@pytest.mark.parametrize("role,appoints", [
    ("member", []), ("department", []),
    ("secretary", [("member", "grid", "informant"), ("informant", "grid", None), ("grid_leader", "grid", None)]),
    ("township", [("member", "grid", "informant"), ("informant", "grid", None), ("grid_leader", "grid", None),
                  ("secretary", "village", None)]),
])
def test_me_says_whom_one_may_appoint_and_where(role, appoints, chain, as_user):
    """Contract: a secretary manages the members, informants and grid leaders of her village
    (members are linked to an informant), a township officer also the secretaries."""
    manages = as_user(chain[role]).get("/api/me").get_json()["capabilities"]["manages"]
    assert [(m["role"], m["unit_kind"], m["informant_role"]) for m in manages] == appoints
