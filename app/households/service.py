"""Households in an actor's scope: listing, detail, profile edits, covering member."""
import json

from flask import current_app
from sqlalchemy import String, cast, func, or_, select

from app import signals
from app.cases.models import Case
from app.common.pagination import paginate
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.households.models import Household
from app.messages import TEXT
from app.org.models import User
from app.policy import capabilities, scope
from app.policy.chain import village_path
from app.policy.names import OPEN_STATUSES, Role
from app.visits.models import Visit


class HouseholdDetailView(dict):
    """A household with its recent visits and cases, as the detail and a conflict show it."""


def get_household(*, actor, household_id):
    household = scope.visible(actor, Household, household_id)
    if household is None:
        raise NotFound()
    return household


def list_households(*, actor, q=None, hardship=None, tag=None, member_id=None, cursor=None, limit=None):
    stmt = select(Household).where(scope.household_filter(actor))
    if q:  # autoescape: a % or _ typed by the user is a character, not a wildcard
        stmt = stmt.where(or_(Household.head_name.contains(q, autoescape=True),
                              Household.address.contains(q, autoescape=True),
                              Household.phone.contains(q, autoescape=True)))
    if hardship is not None:
        stmt = stmt.where(Household.hardship == hardship)
    if member_id is not None:
        stmt = stmt.where(Household.member_id == member_id)
    if tag:  # tags are a JSON list; match its serialised element, portable across databases
        stmt = stmt.where(cast(Household.tags, String).contains(json.dumps(tag), autoescape=True))
    rows, nxt = paginate(db.session, stmt, keys=[Household.id], cursor=cursor, limit=limit)
    return with_last_visits(rows), nxt


def with_last_visits(households):
    """Attach each household's latest visit and open-case count: two queries for the whole page."""
    ids = [h.id for h in households]
    latest, open_cases = {}, {}
    if ids:
        ranked = (
            select(Visit.id, Visit.household_id, Visit.visited_at, Visit.mode, Visit.hardship,
                   func.row_number().over(partition_by=Visit.household_id,
                                          order_by=(Visit.visited_at.desc(), Visit.id.desc())).label("n"))
            .where(Visit.household_id.in_(ids))
            .subquery()
        )
        for row in db.session.execute(select(ranked).where(ranked.c.n == 1)).mappings():
            latest[row["household_id"]] = dict(row)
        open_cases = dict(db.session.execute(
            select(Case.household_id, func.count()).where(Case.household_id.in_(ids),
                                                          Case.status.in_(OPEN_STATUSES))
            .group_by(Case.household_id)).all())
    return [household_view(h, latest.get(h.id), open_cases.get(h.id, 0)) for h in households]


def household_view(household, last_visit, open_cases=0):
    return {
        "id": household.id,
        "head_name": household.head_name,
        "address": household.address,
        "people": household.people,
        "phone": household.phone,
        "tags": household.tags or [],
        "hardship": household.hardship,
        "version": household.version,
        "org_unit": household.org_unit,
        "member": household.member,
        "last_visit": last_visit,
        "open_cases": open_cases,
        "updated_at": household.updated_at,
    }


def household_detail(*, actor, household_id, recent=10):
    household = get_household(actor=actor, household_id=household_id)
    visits = db.session.scalars(
        select(Visit).where(Visit.household_id == household.id)
        .order_by(Visit.visited_at.desc(), Visit.id.desc()).limit(recent)
    ).all()
    cases = db.session.scalars(
        select(Case).where(Case.household_id == household.id, scope.case_filter(actor))
        .order_by(Case.created_at.desc()).limit(recent)
    ).all()
    last = visits[0] if visits else None
    view = household_view(household, last and {"id": last.id, "visited_at": last.visited_at,
                                                "mode": last.mode, "hardship": last.hardship},
                          sum(c.status in OPEN_STATUSES for c in cases))
    return HouseholdDetailView(view, recent_visits=visits, cases=cases)


def update_household(*, actor, household_id, changes):
    """Apply a profile edit made on `version`; a stale version is a conflict, never an overwrite."""
    household = get_household(actor=actor, household_id=household_id)
    version = changes.pop("version")
    if version != household.version:
        raise Conflict(TEXT["household_conflict"], code="version_conflict",
                       current=household_detail(actor=actor, household_id=household.id))
    if "member_id" in changes:
        assign_member(actor=actor, household=household, member_id=changes.pop("member_id"))
    for name, value in changes.items():  # the schema admits only profile fields
        setattr(household, name, value)
    db.session.flush()
    return household


def assign_member(*, actor, household, member_id):
    """Give a household to a member of its village, within the per-member cap."""
    if household.member_id == member_id:
        return
    capabilities.require(actor, "households.assign", "", message=TEXT["reassign_forbidden"], code="forbidden")
    if member_id is None:
        household.member = None
        signals.household_moved.send(household, actor=actor)
        return
    member = scope.visible(actor, User, member_id)
    if member is None:
        raise Invalid("member_id", TEXT["member_not_found"])
    check_assignable(member=member, household_unit=household.org_unit)
    household.member, household.org_unit = member, member.org_unit  # it follows its member's grid
    signals.household_moved.send(household, actor=actor)


def check_assignable(*, member, household_unit, pending=0):
    """The rules for covering a household: a member, same village, under the cap."""
    if member.role != Role.MEMBER or not member.active:
        raise Invalid("member_id", TEXT["not_a_member"])
    if village_path(member.org_unit) != village_path(household_unit):
        raise Invalid("member_id", TEXT["member_out_of_village"])
    cap = current_app.config["HOUSEHOLDS_PER_MEMBER"]
    # Two assignments to one member at once: the second waits here until the first commits,
    # then counts what it added (PostgreSQL; SQLite has one writer at a time anyway).
    db.session.execute(select(User.id).where(User.id == member.id).with_for_update())
    covered = db.session.scalar(select(func.count()).where(Household.member_id == member.id))
    if covered + pending >= cap:
        raise Invalid("member_id", TEXT["member_cap"].format(cap=cap), code="member_cap")
