"""Photos put on records: a visit names the photos it carries (`attachments: [ids]`), uploaded
before it; each photo is placed once, on one record, and shown with it."""
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.attachments import service
from app.attachments.models import OWNER_CASE_STEP, OWNER_REVISIT, OWNER_VISIT, Attachment
from app.errors import Conflict
from app.extensions import db
from app.org.models import User
from app.visits.models import Visit
from tests.conftest import visit_body

from . import photos
from .conftest import upload, visit_with


def _uploads(client, n):
    return [upload(client, photos.jpeg(seed=i)).get_json()["id"] for i in range(n)]


def _visits():
    return db.session.scalar(select(func.count()).select_from(Visit))


def test_a_visit_carries_its_photos_in_order(login, jiang):
    shi = login("石水奇")
    ids = _uploads(shi, 3)
    ids = [ids[2], ids[0], ids[1]]
    res = visit_with(shi, jiang.id, ids)
    assert res.status_code == 201, res.get_json()
    shown = res.get_json()["attachments"]
    assert [a["id"] for a in shown] == ids
    assert all(a["owner_type"] == "visit" and a["owner_id"] == res.get_json()["id"] for a in shown)
    assert shown[0]["thumb_url"] == f"/api/attachments/{ids[0]}?thumb=1"
    # and wherever the visit is shown: its list, the household's page
    listed = shi.get(f"/api/visits?household_id={jiang.id}").get_json()["items"]
    assert [a["id"] for a in next(v for v in listed if v["id"] == res.get_json()["id"])["attachments"]] == ids
    detail = login("赵红梅").get(f"/api/households/{jiang.id}").get_json()
    recent = next(v for v in detail["recent_visits"] if v["id"] == res.get_json()["id"])
    assert [a["id"] for a in recent["attachments"]] == ids


def test_a_visit_without_photos_shows_an_empty_list(login, jiang):
    res = login("石水奇").post("/api/visits", json=visit_body(jiang.id))
    assert res.status_code == 201 and res.get_json()["attachments"] == []


def test_a_resent_visit_with_the_same_photos_is_a_duplicate_and_with_others_a_conflict(login, jiang):
    shi = login("石水奇")
    ids = _uploads(shi, 3)
    body = visit_body(jiang.id, attachments=ids[:2])
    assert shi.post("/api/visits", json=body).status_code == 201
    assert shi.post("/api/visits", json=body).status_code == 200
    other = shi.post("/api/visits", json={**body, "attachments": ids[1:]})
    assert other.status_code == 409
    assert db.session.get(Attachment, uuid.UUID(ids[2])).owner_id is None  # not placed by the refused resend


def test_a_photo_not_uploaded_refuses_the_visit_naming_the_field(login, jiang):
    shi = login("石水奇")
    before = _visits()
    res = visit_with(shi, jiang.id, [uuid.uuid4()])
    assert res.status_code == 422
    error = res.get_json()["error"]
    assert "attachments" in error["fields"] and error["message"].startswith("照片：")
    assert _visits() == before


def test_someone_elses_orphan_is_as_if_never_uploaded(login, demo, jiang):
    theirs = upload(login("赵红梅"), photos.jpeg()).get_json()["id"]
    shi = login("石水奇")
    taken = visit_with(shi, jiang.id, [theirs])
    fresh = visit_with(shi, jiang.id, [uuid.uuid4()])
    assert taken.status_code == fresh.status_code == 422
    assert taken.get_json() == fresh.get_json()
    assert db.session.get(Attachment, uuid.UUID(theirs)).owner_id is None


def test_someone_elses_placed_photo_is_as_if_never_uploaded(login, jiang):
    """409 for it would tell a stranger that the id exists somewhere: it answers as unknown."""
    shi = login("石水奇")
    [placed] = _uploads(shi, 1)
    assert visit_with(shi, jiang.id, [placed]).status_code == 201
    secretary = login("赵红梅")
    taken = visit_with(secretary, jiang.id, [placed])
    fresh = visit_with(secretary, jiang.id, [uuid.uuid4()])
    assert taken.status_code == fresh.status_code == 422
    assert taken.get_json() == fresh.get_json()


def test_a_photo_already_on_a_visit_cannot_go_on_another(login, jiang):
    shi = login("石水奇")
    [ident] = _uploads(shi, 1)
    first = visit_with(shi, jiang.id, [ident])
    before = _visits()
    second = visit_with(shi, jiang.id, [ident])
    assert second.status_code == 409 and second.get_json()["error"]["code"] == "attachment_taken"
    assert _visits() == before  # the second visit was not stored either
    assert str(db.session.get(Attachment, uuid.UUID(ident)).owner_id) == first.get_json()["id"]


def test_at_most_nine_photos_and_no_repeats(login, jiang):
    shi = login("石水奇")
    res = visit_with(shi, jiang.id, [uuid.uuid4() for _ in range(10)])
    assert res.status_code == 422 and "attachments" in res.get_json()["error"]["fields"]
    [ident] = _uploads(shi, 1)
    res = visit_with(shi, jiang.id, [ident, ident])
    assert res.status_code == 422 and "attachments" in res.get_json()["error"]["fields"]


def test_photos_ride_with_a_visit_through_sync(login, jiang):
    shi = login("石水奇")
    ids = _uploads(shi, 2)
    visit_id = str(uuid.uuid4())
    body = visit_body(jiang.id, attachments=ids)
    body.pop("id")
    mutation = {"id": visit_id, "type": "visit.create", "at": body["visited_at"], "data": body}
    first = shi.post("/api/sync", json={"mutations": [mutation]}).get_json()["results"][0]
    assert first["status"] == "applied", first
    assert [a["id"] for a in first["record"]["attachments"]] == ids
    again = shi.post("/api/sync", json={"mutations": [mutation]}).get_json()["results"][0]
    assert again["status"] == "duplicate"
    # and they arrive on the secretary's phone with the visit
    feed = login("赵红梅").get("/api/sync?limit=1000").get_json()
    visits = [c["record"] for c in feed["changes"] if c["type"] == "visit" and c["id"] == visit_id]
    while feed["more"] and not visits:
        feed = login("赵红梅").get(f"/api/sync?cursor={feed['cursor']}&limit=1000").get_json()
        visits = [c["record"] for c in feed["changes"] if c["type"] == "visit" and c["id"] == visit_id]
    assert [a["id"] for a in visits[0]["attachments"]] == ids


def test_a_refused_photo_in_a_sync_batch_refuses_only_its_visit(login, jiang):
    shi = login("石水奇")
    [ident] = _uploads(shi, 1)
    good = visit_body(jiang.id, attachments=[ident])
    bad = visit_body(jiang.id, attachments=[str(uuid.uuid4())])
    mutations = [{"id": b.pop("id"), "type": "visit.create", "at": b["visited_at"], "data": b} for b in (bad, good)]
    results = shi.post("/api/sync", json={"mutations": mutations}).get_json()["results"]
    assert [r["status"] for r in results] == ["rejected", "applied"]
    assert results[0]["error"]["status"] == 422 and "attachments" in results[0]["error"]["fields"]


def test_attach_for_case_steps_and_revisits(login, chain, make_case):
    """The entry point case steps and 回访 use: one record per photo, resends harmless."""
    case = make_case(level="branch", status="open")
    secretary = db.session.get(User, chain["secretary"].id)
    client = login(secretary.name)
    step_photos = [uuid.UUID(i) for i in _uploads(client, 2)]
    revisit_photo = [uuid.UUID(i) for i in _uploads(client, 1)]
    step_id, revisit_id = uuid.uuid4(), uuid.uuid4()
    placed = service.attach(actor=secretary, ids=step_photos, owner_type=OWNER_CASE_STEP, owner_id=step_id,
                            case_id=case.id)
    assert [a.id for a in placed] == step_photos
    assert service.attach(actor=secretary, ids=step_photos, owner_type=OWNER_CASE_STEP, owner_id=step_id,
                          case_id=case.id) == placed  # a resend
    service.attach(actor=secretary, ids=revisit_photo, owner_type=OWNER_REVISIT, owner_id=revisit_id,
                   case_id=case.id)
    assert service.attached_ids(OWNER_CASE_STEP, step_id) == step_photos
    shown = service.attachments_of(OWNER_REVISIT, [revisit_id, uuid.uuid4()])
    assert [a.id for a in shown[revisit_id]] == revisit_photo
    db.session.commit()
    refused = client.post("/api/visits", json=visit_body(case.household_id, attachments=[str(step_photos[0])]))
    assert refused.status_code == 409  # a photo of a case step is not a visit's too


def test_an_orphan_left_behind_is_pruned_after_the_grace_period(login, jiang, photo_dir, clock):
    shi = login("石水奇")
    kept, orphan = _uploads(shi, 2)
    assert visit_with(shi, jiang.id, [kept]).status_code == 201
    assert service.prune_orphans() == 0
    clock.advance(days=31)
    assert service.prune_orphans(older_than=timedelta(days=30)) == 1
    assert db.session.get(Attachment, uuid.UUID(orphan)) is None
    assert db.session.get(Attachment, uuid.UUID(kept)) is not None
    assert len([p for p in photo_dir.rglob("*") if p.is_file()]) == 2  # the kept photo and its thumbnail


def test_visit_photos_are_placed_by_household(login, jiang):
    shi = login("石水奇")
    [ident] = _uploads(shi, 1)
    visit_with(shi, jiang.id, [ident])
    row = db.session.get(Attachment, uuid.UUID(ident))
    assert (row.owner_type, row.household_id, row.case_id) == (OWNER_VISIT, jiang.id, None)


def test_of_two_records_racing_for_one_photo_only_one_gets_it(login, demo, jiang):
    """The session still thinks the photo is free, but another transaction has just placed it:
    the placement is a conditional update, so the second record is refused, not silently given it."""
    shi = login("石水奇")
    [ident] = _uploads(shi, 1)
    ident = uuid.UUID(ident)
    member = db.session.get(User, demo["石水奇"].id)
    assert db.session.get(Attachment, ident).owner_id is None  # loaded: an orphan, as far as we know
    elsewhere = uuid.uuid4()
    db.session.execute(update(Attachment).where(Attachment.id == ident)
                       .values(owner_type=OWNER_VISIT, owner_id=elsewhere, household_id=jiang.id)
                       .execution_options(synchronize_session=False))
    with pytest.raises(Conflict) as refused:
        service.attach(actor=member, ids=[ident], owner_type=OWNER_VISIT, owner_id=uuid.uuid4(),
                       household_id=jiang.id)
    assert refused.value.code == "attachment_taken"
    db.session.expire_all()
    assert db.session.get(Attachment, ident).owner_id == elsewhere
