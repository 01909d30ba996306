"""The change log records what was committed, once per record, and nothing a savepoint undid."""
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from app.extensions import db
from app.sync.models import Change
from app.visits.models import Visit


def _visit(household_id, author_id):
    return Visit(id=uuid.uuid4(), household_id=household_id, author_id=author_id, mode="door", notes="",
                 needs=[], hardship="none", visited_at=datetime.now(timezone.utc) - timedelta(hours=1),
                 recorded_at=datetime.now(timezone.utc))


def _logged(visit_id):
    return db.session.scalar(select(func.count()).select_from(Change).where(
        Change.entity == "visit", Change.entity_id == str(visit_id)))


def test_rolled_back_savepoint_leaves_no_trace(jiang, demo):
    kept, undone = _visit(jiang.id, demo["石水奇"].id), _visit(jiang.id, demo["石水奇"].id)
    db.session.add(kept)
    db.session.flush()
    savepoint = db.session.begin_nested()
    db.session.add(undone)
    db.session.flush()
    savepoint.rollback()
    db.session.commit()
    assert (_logged(kept.id), _logged(undone.id)) == (1, 0)


def test_a_record_changed_twice_in_one_transaction_is_logged_per_flush_in_order(jiang, demo):
    visit = _visit(jiang.id, demo["石水奇"].id)
    db.session.add(visit)
    db.session.flush()
    visit.notes = "补充"
    db.session.commit()
    seqs = db.session.scalars(select(Change.seq).where(Change.entity_id == str(visit.id))
                              .order_by(Change.seq)).all()
    assert len(seqs) == 2 and seqs == sorted(seqs)


def test_changes_flushed_by_commit_itself_are_logged(jiang, demo):
    visit = _visit(jiang.id, demo["石水奇"].id)
    db.session.add(visit)
    db.session.commit()  # no explicit flush: the commit's own flush must be logged too
    assert _logged(visit.id) == 1
