"""Two secretaries give households to one member at the same moment: the per-member cap holds.

On PostgreSQL two transactions used to count the member's households side by side, both see
9 of 10, and both commit: 11. This test runs them truly at once, on a schema of its own.
"""
import threading

import pytest
from sqlalchemy import func, select

from app.errors import Invalid
from app.extensions import db
from app.households import service
from app.households.models import Household
from app.org.models import User


@pytest.fixture(autouse=True)
def committing():
    """Opt out of the root conftest's one shared rolled-back connection: the race needs two."""
    yield


@pytest.fixture
def pg_app(own_pg_app):
    return own_pg_app(HOUSEHOLDS_PER_MEMBER=10)


def _ids(app):
    with app.app_context():
        shi = db.session.scalars(select(User).where(User.name == "石水奇")).one()
        neighbour = db.session.scalars(select(User).where(
            User.role == "member", User.org_unit_id == shi.org_unit_id, User.id != shi.id)).first()
        secretary = db.session.scalars(select(User).where(User.phone == "13900000020")).one()
        theirs = db.session.scalars(select(Household.id).where(Household.member_id == neighbour.id)).all()[:2]
        mine = db.session.scalars(select(Household).where(Household.member_id == shi.id)).first()
        service.assign_member(actor=secretary, household=mine, member_id=None)  # room for exactly one more
        db.session.commit()
        return shi.id, secretary.id, theirs


def test_two_assignments_at_once_never_pass_the_cap(pg_app):
    member_id, secretary_id, (first, second) = _ids(pg_app)
    first_flushed, second_done = threading.Event(), threading.Event()
    outcomes = {}

    def assign(name, household_id, before_commit):
        with pg_app.app_context():
            try:
                secretary = db.session.get(User, secretary_id)
                household = db.session.get(Household, household_id)
                service.assign_member(actor=secretary, household=household, member_id=member_id)
                db.session.flush()
                before_commit()
                db.session.commit()
                outcomes[name] = "assigned"
            except Invalid as exc:
                db.session.rollback()
                outcomes[name] = exc.code
            finally:
                db.session.remove()

    def hold_then_commit():
        first_flushed.set()
        second_done.wait(timeout=3)  # with the lock, the second waits for this commit

    one = threading.Thread(target=assign, args=("first", first, hold_then_commit))
    two = threading.Thread(target=lambda: (first_flushed.wait(10),
                                           assign("second", second, lambda: None), second_done.set()))
    one.start()
    two.start()
    one.join(30)
    two.join(30)
    with pg_app.app_context():
        covered = db.session.scalar(select(func.count()).where(Household.member_id == member_id))
    assert covered == 10
    assert sorted(outcomes.values()) == ["assigned", "member_cap"], outcomes
