"""The incremental feed reads the change log by index, one branch per member, grid, village,
department or person, and still answers exactly what the records' own scope rules say: a
household or visit where its household is now unless archived, a case or task on a household
in scope (archived or not) or dispatched to one's department, a move where the household was,
a task or notification for oneself."""
import uuid

from sqlalchemy import and_, event, or_, select

from app.extensions import db
from app.households import register
from app.org.models import User
from app.policy import scope
from app.sync import feed
from app.sync.models import Change
from tests.conftest import visit_body


def _by_the_records_rules(actor):
    """The log rows an actor may read, asked of the records' scope filters directly."""
    return or_(
        and_(Change.entity.in_(("household", "visit")), Change.household_id.in_(scope.visible_households(actor))),
        and_(Change.entity.in_(("case", "task")),
             scope.case_filter(actor, Change.household_id, Change.department_id)),
        and_(Change.entity.in_(("task", "notification")), Change.user_id == actor.id),
        and_(Change.entity == "move",
             scope.household_filter(actor, Change.old_member_id, Change.old_org_unit_id, archived=None)),
    )


def _walk(actor, page):
    seqs, after = [], 0
    while True:
        rows = feed._changes_after(actor, after, page)
        seqs += [r.seq for r in rows]
        if len(rows) < page:
            return seqs
        after = rows[-1].seq


def _busy_day(login, demo, chain, make_case, jiang):
    """Visits, a dispatched case, a task, a household given to another member and one archived."""
    shi, secretary = login("石水奇"), login("赵红梅")
    make_case(level="department", status="dispatched")
    other = next(h for h in shi.get("/api/households").get_json()["items"]
                 if h["id"] != jiang.id and not h["open_cases"])
    assert shi.post("/api/visits", json=visit_body(other["id"])).status_code == 201
    assert shi.post("/api/visits", json=visit_body(jiang.id)).status_code == 201
    assert secretary.post("/api/tasks", json={"id": str(uuid.uuid4()), "assignee_id": demo["石水奇"].id,
                                              "title": "入户核实"}).status_code == 201
    newcomer = next(u for u in demo.users.values() if u.role == "member" and u.org_unit.name == "第一网格"
                    and u.id != demo["石水奇"].id and u.org_unit.parent.name == "西流南村")
    theirs = secretary.get(f"/api/households?member_id={newcomer.id}").get_json()["items"][0]
    secretary.patch(f"/api/households/{theirs['id']}", json={"version": theirs["version"], "member_id": None})
    res = secretary.patch(f"/api/households/{jiang.id}", json={"version": jiang.version, "member_id": newcomer.id})
    assert res.status_code == 200, res.get_json()
    register.archive_household(actor=chain["secretary"], household_id=other["id"], reason="moved_out")
    db.session.commit()


def test_every_role_reads_what_the_records_rules_let_it_see(login, demo, chain, make_case, jiang):
    _busy_day(login, demo, chain, make_case, jiang)
    people = db.session.scalars(select(User).order_by(User.id)).all()
    assert {p.role for p in people} >= {"member", "informant", "grid_leader", "secretary", "township",
                                        "department", "admin"}
    for person in people:
        expected = db.session.scalars(select(Change.seq).where(_by_the_records_rules(person))
                                      .order_by(Change.seq)).all()
        assert _walk(person, 50) == expected, (person.name, person.role)


def test_pages_merge_the_branches_in_log_order(login, demo, chain, make_case, jiang):
    """A township reads its villages and its own tasks as separate branches: small pages
    still come out in seq order, none skipped, none repeated."""
    _busy_day(login, demo, chain, make_case, jiang)
    township = chain["township"]
    expected = db.session.scalars(select(Change.seq).where(_by_the_records_rules(township))
                                  .order_by(Change.seq)).all()
    assert len(expected) > 20
    assert _walk(township, 7) == expected


def test_a_household_given_away_takes_its_log_rows_with_it(login, demo, chain, jiang):
    """The visit logged before the move is now the new member's to read, and no longer the old one's."""
    shi = login("石水奇")
    body = visit_body(jiang.id)
    shi.post("/api/visits", json=body)
    newcomer = next(u for u in demo.users.values() if u.role == "member" and u.org_unit.name == "第一网格"
                    and u.id != demo["石水奇"].id and u.org_unit.parent.name == "西流南村")
    secretary = login("赵红梅")
    theirs = secretary.get(f"/api/households?member_id={newcomer.id}").get_json()["items"][0]
    secretary.patch(f"/api/households/{theirs['id']}", json={"version": theirs["version"], "member_id": None})
    secretary.patch(f"/api/households/{jiang.id}", json={"version": jiang.version, "member_id": newcomer.id})
    visit_row = db.session.scalars(select(Change).where(Change.entity_id == body["id"])).one()
    assert (visit_row.member_id, visit_row.org_unit_id) == (newcomer.id, jiang.org_unit_id)
    move = db.session.scalars(select(Change).where(Change.entity == "move",
                                                   Change.household_id == jiang.id)).one()
    assert move.member_id == demo["石水奇"].id  # filed where it was: the old phone is told to drop it
    seen = {(r.entity, r.entity_id) for r in feed._changes_after(demo["石水奇"], visit_row.seq - 1, 200)}
    assert ("visit", body["id"]) not in seen and ("move", str(jiang.id)) in seen
    seen = {(r.entity, r.entity_id) for r in feed._changes_after(newcomer, visit_row.seq - 1, 200)}
    assert ("visit", body["id"]) in seen


def _selects(client, url):
    seen = []

    def keep(_conn, _cursor, statement, _parameters, _context, _many):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    return len(seen)


def test_the_feed_asks_as_many_statements_however_much_changed_elsewhere(login, demo, jiang):
    shi, elsewhere = login("石水奇"), login(demo.one("member", "第二网格").name)
    page = shi.get("/api/sync?limit=1000").get_json()
    while page["more"]:
        page = shi.get(f"/api/sync?limit=1000&cursor={page['cursor']}").get_json()
    cursor = page["cursor"]
    shi.post("/api/visits", json=visit_body(jiang.id))
    before = _selects(shi, f"/api/sync?cursor={cursor}")
    theirs = [h["id"] for h in elsewhere.get("/api/households").get_json()["items"]]
    for hid in theirs * 3:
        assert elsewhere.post("/api/visits", json=visit_body(hid)).status_code == 201
    shi.post("/api/visits", json=visit_body(jiang.id))
    assert _selects(shi, f"/api/sync?cursor={cursor}") == before
