"""Every (action, level, status, role) is checked against an expectation table written here from
the domain (domain.md, contract.md), not read from the code under test: allowed ones succeed and
move the case as the domain says; the others get 409 (wrong state) or 403 (wrong person)."""
import itertools
import uuid

import pytest

from app.policy.case_steps import rule_for

ROLES = ("member", "informant", "grid_leader", "secretary", "township", "department", "admin")
LEVELS = ("member", "informant", "grid", "branch", "township", "department")
STATUSES = ("open", "escalated", "dispatched", "in_progress", "resolved", "closed")
CASE_ACTIONS = ("escalate", "dispatch", "accept", "resolve", "close", "reopen", "comment",
                "return", "reject", "recall", "reassign", "revisit", "merge")
VILLAGE = ("member", "informant", "grid", "branch")

# Held by someone of the chain who can act on it now; a dispatched case waits for 接单.
ACTIVE = {"open", "escalated", "in_progress"}
CHAIN_PEOPLE = {"member", "informant", "grid_leader", "secretary", "township", "department"}

# (action, level) -> (statuses in which it may be taken, roles who may take it). From the domain:
# each level's own person passes a case up (the township dispatches instead); the branch and
# the township resolve and close out (销号 after a resolution); a department takes the order
# (接单) and then resolves; secretaries and township officers reopen what was resolved or
# closed; everyone in the chain may comment until it is closed out.
# The practice of 接诉即办 (issue #13): whoever holds a case above the member may send it one
# level down for more facts (退回); a department refuses what is not its job, before or after
# 接单 (退单); the township takes back a dispatch nobody has taken yet (撤回); the secretary
# gives a village case to someone else, the township a township case, an admin any case that
# is still being worked on (改派); after 办结 the member who covers the household, or the
# secretary, asks the household (回访); a member adds a case of their own to another, the
# secretary merges any case of the village still being worked on (合并).
ALLOWED = {
    ("escalate", "member"): (ACTIVE, {"member"}),
    ("escalate", "informant"): (ACTIVE, {"informant"}),
    ("escalate", "grid"): (ACTIVE, {"grid_leader"}),
    ("escalate", "branch"): (ACTIVE, {"secretary"}),
    ("dispatch", "township"): (ACTIVE, {"township"}),
    ("accept", "department"): ({"dispatched"}, {"department"}),
    ("assign_task", "branch"): (ACTIVE, {"secretary"}),
    ("assign_task", "township"): (ACTIVE, {"township"}),
    ("resolve", "branch"): (ACTIVE, {"secretary"}),
    ("resolve", "township"): (ACTIVE, {"township"}),
    ("resolve", "department"): ({"in_progress"}, {"department"}),
    ("close", "branch"): ({"resolved"}, {"secretary"}),
    ("close", "township"): ({"resolved"}, {"township"}),
    **{("reopen", lvl): ({"resolved", "closed"}, {"secretary", "township"}) for lvl in LEVELS},
    **{("comment", lvl): (set(STATUSES) - {"closed"}, CHAIN_PEOPLE) for lvl in LEVELS},
    ("return", "informant"): (ACTIVE, {"informant"}),
    ("return", "grid"): (ACTIVE, {"grid_leader"}),
    ("return", "branch"): (ACTIVE, {"secretary"}),
    ("return", "township"): (ACTIVE, {"township"}),
    ("reject", "department"): ({"dispatched", "in_progress"}, {"department"}),
    ("recall", "department"): ({"dispatched"}, {"township"}),
    **{("reassign", lvl): (ACTIVE, {"secretary", "admin"}) for lvl in VILLAGE},
    ("reassign", "township"): (ACTIVE, {"township", "admin"}),
    ("reassign", "department"): ({"dispatched", "in_progress"}, {"admin"}),
    **{("revisit", lvl): ({"resolved"}, {"member", "secretary"}) for lvl in LEVELS},
    ("merge", "member"): (ACTIVE, {"member", "secretary"}),
    **{("merge", lvl): (ACTIVE, {"secretary"}) for lvl in ("informant", "grid", "branch")},
}


def expected_roles(action, level, status):
    """Who may take `action` at (level, status) according to the domain; None: the state forbids it."""
    statuses, roles = ALLOWED.get((action, level), (set(), set()))
    return roles if status in statuses else None


# 改派 in the matrix: to someone who may take a case of that level (the case moves to the level
# the new holder works at); at the township a second officer, at a department another one's staff.
REASSIGN_TARGET = {"member": "informant", "informant": "grid_leader", "grid": "secretary", "branch": "grid_leader",
                   "township": "deputy", "department": "renshe"}
TARGET_LEVEL = {"informant": "informant", "grid_leader": "grid", "secretary": "branch", "deputy": "township",
                "renshe": "department"}


def body_for(action, chain, level, make_case):
    if action == "reassign":
        return {"holder_id": chain[REASSIGN_TARGET[level]].id, "reason": "原经办人外出"}
    if action == "merge":
        return {"into_case_id": str(make_case(level="member", status="open").id)}
    if action == "revisit":
        return {"id": str(uuid.uuid4()), "satisfaction": "satisfied", "mode": "door", "notes": "问题已解决"}
    return {
        "escalate": {"reason": "上报"},
        "dispatch": {"department_id": chain["minzheng"].id},
        "resolve": {"resolution": "已解决"},
        "comment": {"body": "跟进中"},
        "close": {"no_revisit_reason": "户主外出务工，电话无法接通"},
        "return": {"reason": "请补充家庭收入情况"},
        "reject": {"reason": "不属本部门职责"},
        "recall": {"reason": "派错部门"},
    }.get(action, {})


# Who holds the case afterwards, by the chain's role names (None: nobody, it is closed).
EXPECTED_HOLDER = {
    "return": lambda before: {"informant": "member", "grid": "informant", "branch": "grid_leader",
                              "township": "secretary"}[before],
    "reject": lambda before: "township",  # the officer who dispatched it
    "recall": lambda before: "township",
    "reassign": lambda before: REASSIGN_TARGET[before],
    "merge": lambda before: None,
    "close": lambda before: None,
}

# What each action does, written from the domain (not read from the table).
EXPECTED = {
    "escalate": lambda before: {"status": "escalated",
                                "level": {"member": "informant", "informant": "grid", "grid": "branch",
                                          "branch": "township"}[before]},
    "dispatch": lambda before: {"status": "dispatched", "level": "department"},
    "accept": lambda before: {"status": "in_progress", "level": "department"},
    "resolve": lambda before: {"status": "resolved", "level": "township" if before == "department" else before},
    "close": lambda before: {"status": "closed", "level": before},
    "reopen": lambda before: {"status": "open"},
    "comment": lambda before: {},
    "return": lambda before: {"status": "open",
                              "level": {"informant": "member", "grid": "informant", "branch": "grid",
                                        "township": "branch"}[before]},
    "reject": lambda before: {"status": "escalated", "level": "township"},
    "recall": lambda before: {"status": "escalated", "level": "township"},
    "reassign": lambda before: {"level": TARGET_LEVEL[REASSIGN_TARGET[before]]},
    "revisit": lambda before: {"status": "resolved", "level": before, "satisfaction": "satisfied"},
    "merge": lambda before: {"status": "closed"},
}
EVENT_OF = {"escalate": "escalated", "dispatch": "dispatched", "accept": "accepted", "resolve": "resolved",
            "close": "closed", "reopen": "reopened", "comment": "commented", "return": "returned",
            "reject": "rejected", "recall": "recalled", "reassign": "reassigned", "revisit": "revisited",
            "merge": "merged"}


@pytest.fixture
def people(chain, demo):
    """The chain, with a second township officer (for 改派 at the township) and 人社局's staff."""
    from app.extensions import db
    from app.org.models import User

    deputy = User(name="李副镇长", phone="13911113333", role="township", org_unit_id=chain["township"].org_unit_id,
                  password_hash=chain["township"].password_hash)
    db.session.add(deputy)
    db.session.commit()
    return {**chain, "deputy": deputy, "renshe": demo["陈志刚"]}


@pytest.mark.parametrize("action,level", list(itertools.product(CASE_ACTIONS, LEVELS)))
def test_table_is_enforced(action, level, make_case, people, as_user):
    chain = people
    for status, role in itertools.product(STATUSES, ROLES):
        case = make_case(level=level, status=status)
        actor = chain[role]
        client = as_user(actor)
        path = "comments" if action == "comment" else action
        sent = body_for(action, chain, level, make_case)
        res = client.post(f"/api/cases/{case.id}/{path}", json=sent)
        body = res.get_json()
        roles = expected_roles(action, level, status)
        where = f"{action} at {level}/{status} by {role}"
        if role == "department" and level != "department":  # not dispatched to them: out of scope
            assert res.status_code == 404, where
        elif roles is None:
            assert res.status_code == 409 and body["error"]["code"] == "wrong_state", where
        elif role in roles:
            assert res.status_code == 200, (where, body)
            for key, value in EXPECTED[action](level).items():
                assert body[key] == value, (where, key, body[key])
            if action in EXPECTED_HOLDER:
                holder = EXPECTED_HOLDER[action](level)
                if holder is None:
                    assert body["holder"] is None, where
                else:
                    want = actor if action == "recall" else chain[holder]
                    assert (body["holder"]["kind"], body["holder"]["id"]) == ("user", want.id), (where, body["holder"])
            if action == "merge":
                assert body["merged_into_id"] == sent["into_case_id"], where
            last = body["events"][-1]
            assert last["type"] == EVENT_OF[action], where
            assert last["actor"]["id"] == actor.id, where  # who
            if "reason" in sent:
                assert last["data"]["reason"] == sent["reason"], where  # and why
        else:
            assert res.status_code == 403 and body["error"]["code"] == "not_allowed", (where, body)
            assert "只有" in body["error"]["message"], where


@pytest.mark.parametrize("level,status", list(itertools.product(LEVELS, STATUSES)))
def test_task_assignment_follows_the_table(level, status, make_case, chain, as_user):
    for role in ("secretary", "township"):
        case = make_case(level=level, status=status)
        res = as_user(chain[role]).post("/api/tasks", json={
            "id": str(uuid.uuid4()), "case_id": str(case.id), "assignee_id": chain["member"].id, "title": "跟进"})
        roles = expected_roles("assign_task", level, status)
        if roles is None:
            assert res.status_code == 409, (level, status, role)
        elif role in roles:
            assert res.status_code == 201, (level, status, role, res.get_json())
        else:
            assert res.status_code == 403, (level, status, role)


@pytest.mark.parametrize("action", CASE_ACTIONS + ("assign_task",))
def test_the_policy_table_says_what_the_domain_says(action):
    """The product's table, cell by cell, against the domain's."""
    for level, status in itertools.product(LEVELS, STATUSES):
        roles = rule_for(action, level, status)
        assert (set(roles) if roles is not None else None) == expected_roles(action, level, status), (level, status)


def test_urgent_goes_straight_to_the_branch(make_case, chain, as_user):
    case = make_case(level="member", status="open", urgency="urgent")
    body = as_user(chain["member"]).post(f"/api/cases/{case.id}/escalate", json={"reason": "急"}).get_json()
    assert (body["level"], body["holder"]["id"]) == ("branch", chain["secretary"].id)


def test_an_informant_of_other_members_cannot_even_see_it(make_case, chain, as_user, demo):
    case = make_case(level="informant", status="escalated")
    other = next(u for u in demo.users.values() if u.role == "informant" and u.id != chain["informant"].id
                 and u.org_unit_id == chain["informant"].org_unit_id)
    assert as_user(other).post(f"/api/cases/{case.id}/escalate", json={}).status_code == 404


def test_a_colleague_of_the_holder_may_act_for_them(make_case, chain, as_user):
    """Two officers of one township share its work: either may dispatch."""
    from app.extensions import db
    from app.org.models import User

    colleague = User(name="李副乡长", phone="13911112222", role="township",
                     org_unit_id=chain["township"].org_unit_id, password_hash=chain["township"].password_hash)
    db.session.add(colleague)
    db.session.commit()
    case = make_case(level="township", status="escalated")
    res = as_user(colleague).post(f"/api/cases/{case.id}/dispatch", json={"department_id": chain["minzheng"].id})
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["events"][-1]["actor"]["id"] == colleague.id


def test_resent_action_is_applied_once(make_case, chain, as_user):
    case = make_case(level="member", status="open")
    client = as_user(chain["member"])
    event_id = str(uuid.uuid4())
    first = client.post(f"/api/cases/{case.id}/escalate", json={"id": event_id, "reason": "x"})
    again = client.post(f"/api/cases/{case.id}/escalate", json={"id": event_id, "reason": "x"})
    assert first.status_code == again.status_code == 200
    assert [e["type"] for e in again.get_json()["events"]].count("escalated") == 1
    assert again.get_json()["level"] == "informant"
