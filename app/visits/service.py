"""Recording visits exactly once, whatever the phone resends."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from app.attachments import service as attachments
from app.attachments.models import OWNER_VISIT
from app.common.idempotent import insert_once
from app.common.pagination import paginate
from app.common.time import utcnow
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.households.models import Household
from app.households.service import get_household
from app.messages import TEXT
from app.policy import scope
from app.visits.models import Visit

CONTENT = ("household_id", "visited_at", "mode", "notes", "needs", "hardship")


def record_visit(*, actor, data):
    """Store a visit; answer (visit, created). Same id and content is a harmless resend.

    The insert is tried first (a new visit is the common case, so no look-up is spent on it);
    a duplicate id surfaces as an integrity error inside a savepoint and is then compared.
    """
    data = normalise(data)
    known = db.session.identity_map.get(identity_key(Visit, data["id"]))  # sent twice in one batch
    if known is not None:
        return same_or_conflict(actor, known, data), False
    try:
        get_household(actor=actor, household_id=data["household_id"])
    except NotFound:
        existing = db.session.get(Visit, data["id"])  # a resend after the household moved away
        if existing is None or existing.author_id != actor.id:  # someone else's id: as if unknown
            raise
        return same_or_conflict(actor, existing, data), False
    visit = Visit(author_id=actor.id, recorded_at=utcnow(), **{k: v for k, v in data.items() if k != "attachments"})
    visit, created = insert_once(visit, lambda stored: same_or_conflict(actor, stored, data))
    if created:  # its photos, uploaded before it: put on it in the same transaction (or none of it)
        placed = attachments.attach(actor=actor, ids=data["attachments"], owner_type=OWNER_VISIT,
                                    owner_id=visit.id, household_id=visit.household_id)
        set_committed_value(visit, "attachments", placed)  # shown without another query
    return visit, created


def normalise(data):
    data = dict(data)
    data["notes"] = (data.get("notes") or "").strip()
    needs = data.get("needs") or []
    if len(set(needs)) != len(needs):
        raise Invalid("needs", TEXT["duplicate_needs"])
    data["needs"] = needs
    data["attachments"] = list(data.get("attachments") or [])
    tolerance = timedelta(minutes=current_app.config["VISIT_FUTURE_TOLERANCE_MINUTES"])
    if data["visited_at"] > utcnow() + tolerance:
        raise Invalid("visited_at", TEXT["visit_in_future"])
    return data


def same_or_conflict(actor, stored, data):
    """A resend must match what is stored; anything else is a conflict the phone must show."""
    may_see = stored.author_id == actor.id or scope.visible(actor, Household, stored.household_id)
    same = all(getattr(stored, k) == data[k] for k in CONTENT) and \
        [a.id for a in stored.attachments] == data["attachments"]
    if may_see and same:
        return stored
    extra = {"current": stored} if may_see else {}
    raise Conflict(TEXT["visit_conflict"], code="duplicate_id", **extra)


def list_visits(*, actor, household_id, cursor=None, limit=None):
    household = get_household(actor=actor, household_id=household_id)
    stmt = select(Visit).where(Visit.household_id == household.id)
    return paginate(db.session, stmt, keys=[Visit.visited_at, Visit.id], cursor=cursor, limit=limit,
                    descending=True)
