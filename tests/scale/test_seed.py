"""seed-scale on the test database at a small size: the shape the domain asks for, every case
state, logins and the app's own lists for scale people. Each test's transaction is rolled back."""
from collections import Counter

import pytest
from sqlalchemy import func, select

from app.cases.models import Case, CaseEvent, CaseRevisit
from app.extensions import db
from app.households.models import Household, Resident
from app.messages import CLI
from app.notify.models import Notification
from app.org.models import OrgUnit, User
from app.policy.names import LEVELS, STATUSES, Kind, Role
from app.scale import SCALE_PHONE_PREFIX, ScaleDataExists, scale_user, seed_scale
from app.sync.models import Change
from app.tasks.models import Task
from app.visits.models import Visit
from tests.conftest import ApiClient

N = 2000


@pytest.fixture
def seeded(app):
    counts, _ = seed_scale(N)
    db.session.commit()
    return counts


def scale_people():
    return db.session.scalars(select(User).where(User.phone.startswith(SCALE_PHONE_PREFIX))).all()


def test_the_tree_and_its_people_have_the_shape_of_the_domain(seeded):
    # 2,000 households: 200 members (10 each), 67 informants (3 members each), 23 grids (3
    # informants each), 5 villages (5 grids each), 1 township, 1 county with 6 departments.
    roles = Counter(u.role for u in scale_people())
    assert roles == {Role.MEMBER: 200, Role.INFORMANT: 67, Role.GRID_LEADER: 23, Role.SECRETARY: 5,
                     Role.TOWNSHIP: 2, Role.DEPARTMENT: 12, Role.ADMIN: 1}
    root = db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id.is_(None), OrgUnit.name.startswith("规模"))).one()
    kinds = Counter(db.session.scalars(select(OrgUnit.kind).where(OrgUnit.path.startswith(root.path))))
    assert kinds == {Kind.DISTRICT: 1, Kind.DEPARTMENT: 6, Kind.TOWNSHIP: 1, Kind.VILLAGE: 5, Kind.GRID: 23}
    assert seeded["households"] == N


def test_every_member_covers_ten_households_of_their_own_grid(seeded):
    members = {u.id: u for u in scale_people() if u.role == Role.MEMBER}
    homes = db.session.execute(select(Household.member_id, Household.org_unit_id)
                               .where(Household.member_id.in_(members))).all()
    assert Counter(m for m, _ in homes) == {m: 10 for m in members}
    assert all(members[m].org_unit_id == unit for m, unit in homes)
    informants = {u.id for u in scale_people() if u.role == Role.INFORMANT}
    assert all(u.informant_id in informants for u in members.values())


def test_cases_stand_in_every_state_and_households_have_about_two_visits(seeded):
    scale = select(Household.id).where(Household.member_id.in_(
        select(User.id).where(User.phone.startswith(SCALE_PHONE_PREFIX))))
    statuses = Counter(db.session.scalars(select(Case.status).where(Case.household_id.in_(scale))))
    assert set(statuses) == set(STATUSES)
    # each member's 4th household has an open case (200), every other member's 9th a closed one (100),
    # one household in a hundred a resolved one (20)
    assert statuses["closed"] == 100 and statuses["resolved"] == 20
    assert sum(statuses.values()) == 320
    levels = set(db.session.scalars(select(Case.level).where(Case.household_id.in_(scale))))
    assert levels == set(LEVELS)
    visits = db.session.scalar(select(func.count()).select_from(Visit).where(Visit.household_id.in_(scale)))
    assert 1.8 * N <= visits <= 2.2 * N
    closed_events = db.session.scalar(select(func.count()).select_from(CaseEvent).where(
        CaseEvent.type == "closed", CaseEvent.case_id.in_(select(Case.id).where(Case.household_id.in_(scale)))))
    assert closed_events == 100 == seeded["case_revisits"]
    assert db.session.scalar(select(func.count()).select_from(CaseRevisit)) >= 100


def test_every_record_is_in_the_sync_log(seeded):
    logged = Counter(db.session.scalars(select(Change.entity).where(
        Change.seq > db.session.scalar(select(func.max(Change.seq))) - seeded["sync_changes"])))
    assert logged["household"] == N
    assert logged["visit"] == seeded["visits"]
    assert logged["case"] == seeded["cases"]
    assert logged["notification"] == seeded["notifications"]
    assert logged["task"] >= 2 * seeded["tasks"]


def test_a_scale_member_logs_in_and_sees_their_ten_households_and_two_cases(app, seeded):
    member = scale_user(Role.MEMBER)
    client = ApiClient(app)
    assert client.login(member.phone).status_code == 200
    homes = client.get("/api/households").get_json()
    assert len(homes["items"]) == 10 and homes["next"] is None
    assert sum(h["open_cases"] for h in homes["items"]) == 1  # the 4th household's
    cases = client.get("/api/cases").get_json()["items"]
    assert len(cases) == 2  # the open one and the 9th household's closed one
    assert [c["status"] for c in client.get("/api/cases?awaiting=me").get_json()["items"]] == ["open"]
    for url in ("/api/tasks", "/api/notifications", "/api/sync"):
        assert client.get(url).status_code == 200, url


def test_a_scale_township_officer_logs_in_and_pages_through_the_township(app, seeded):
    officer = scale_user(Role.TOWNSHIP)
    client = ApiClient(app)
    assert client.login(officer.phone).status_code == 200
    homes = client.get("/api/households").get_json()
    assert len(homes["items"]) == 50 and homes["next"]
    cases = client.get("/api/cases").get_json()
    assert len(cases["items"]) == 50 and cases["next"]
    for url in ("/api/tasks", "/api/notifications", "/api/sync", "/api/reports/coverage", "/api/reports/cases"):
        assert client.get(url).status_code == 200, url
    assert db.session.scalar(select(func.count()).select_from(Task)) > 0
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == officer.id)) > 0


def test_residents_on_request_one_head_per_household(app):
    counts, _ = seed_scale(30, residents=True)
    assert counts["residents"] == 30 and counts["households"] == 30
    heads = db.session.scalars(select(Resident).order_by(Resident.id.desc()).limit(30)).all()
    assert {r.relation for r in heads} == {"head"}
    assert len({r.household_id for r in heads}) == 30


def test_seeding_again_is_refused_unless_appending(seeded, runner):
    with pytest.raises(ScaleDataExists):
        seed_scale(10)
    res = runner.invoke(args=["seed-scale", "--households", "10"])
    assert res.exit_code != 0 and CLI["scale_exists"].format(counties=1) in res.output
    res = runner.invoke(args=["seed-scale", "--households", "10", "--append"])
    assert res.exit_code == 0, res.output
    roots = db.session.scalars(select(OrgUnit.name).where(OrgUnit.parent_id.is_(None),
                                                          OrgUnit.name.startswith("规模"))).all()
    assert sorted(roots) == ["规模001区", "规模002区"]
    assert len({u.phone for u in scale_people()}) == len(scale_people())
