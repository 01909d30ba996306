"""Households in an actor's scope: listing, detail, profile edits, covering member.

Creating, moving, archiving and restoring households is in register.py, residents in
residents.py, spreadsheets in imports.py and excel.py; this module is what other features use.
"""
import json
from datetime import timedelta

from flask import current_app
from sqlalchemy import String, cast, exists, func, or_, select, tuple_
from sqlalchemy.orm import aliased

from app import signals
from app.cases.models import Case
from app.common.pagination import coerce_cursor, decode_cursor, encode_cursor, page_size
from app.common.time import utcnow
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.households.models import Household, Resident, village_id_of
from app.messages import CARE_TAGS, HOUSEHOLD_TAGS, REGISTER, TEXT
from app.org.models import OrgUnit, User
from app.policy import capabilities, scope
from app.policy.chain import village_path
from app.policy.names import OPEN_STATUSES, Kind, Role
from app.visits.models import Visit


class HouseholdDetailView(dict):
    """A household with its recent visits and cases, as the detail and a conflict show it."""


def get_household(*, actor, household_id, archived=False):
    """A household in scope, or 404. `archived`: as for scope.household_filter (live ones by default)."""
    if archived is False:
        household = scope.visible(actor, Household, household_id)
    else:
        household = db.session.scalars(select(Household).where(
            Household.id == household_id, scope.household_filter(actor, archived=archived))).first()
    if household is None:
        raise NotFound()
    return household


def list_households(*, actor, q=None, hardship=None, tag=None, member_id=None, awaiting_handover=None,
                    archived=None, unvisited_days=None, cursor=None, limit=None):
    """A page of the actor's households as HouseholdOut-shaped dicts, and the next cursor.

    The hot path of the phone app: one statement for the page, each row with its grid, member,
    latest visit and open-case count, and no ORM objects (the session's user is the other one).
    The page's keys are chosen first, in a subquery on the scope's indexes (see _ORDER)."""
    if archived:
        capabilities.require(actor, "households.manage", REGISTER["manage"])
    keys = select(Household.id).where(scope.household_filter(actor, archived=bool(archived)))
    if q:  # autoescape: a % or _ typed by the user is a character, not a wildcard
        keys = keys.where(or_(Household.head_name.contains(q, autoescape=True),
                              Household.address.contains(q, autoescape=True),
                              Household.phone.contains(q, autoescape=True),
                              Household.household_no.contains(q, autoescape=True)))
    if unvisited_days is not None:
        keys = keys.where(unvisited_since(utcnow() - timedelta(days=unvisited_days)))
    if hardship is not None:
        keys = keys.where(Household.hardship == hardship)
    if member_id is not None:
        keys = keys.where(Household.member_id == member_id)
    if awaiting_handover:  # 待交接: their member was deactivated
        keys = keys.where(Household.member_id.in_(select(User.id).where(User.active.is_(False))))
    if tag:  # tags are a JSON list; match its serialised element, portable across databases
        keys = keys.where(cast(Household.tags, String).contains(json.dumps(tag), autoescape=True))
    size = page_size(limit)
    if cursor:  # a row value, which PostgreSQL takes as a bound on ix_households_org_unit_id_id
        keys = keys.where(tuple_(*_ORDER) > tuple_(*coerce_cursor(_ORDER, decode_cursor(cursor, len(_ORDER)))))
    page = keys.order_by(*_ORDER).limit(size + 1).subquery()
    rows = db.session.execute(_LIST.join(page, page.c.id == Household.id).order_by(*_ORDER)).all()
    nxt = encode_cursor([rows[size - 1][9], rows[size - 1][0]]) if len(rows) > size else None
    return [_list_item(row) for row in rows[:size]], nxt


# Grid by grid, by id within a grid: a scope is a set of grids (or a member's households), so a
# page is read from ix_households_org_unit_id_id grid after grid, wherever the scope's ids fall
# (in id order PostgreSQL walked the whole id range, filtering, up to the scope's households).
_ORDER = (Household.org_unit_id, Household.id)

# The list's one statement: aliases, so the scope's subqueries on users, org units and visits
# stay subqueries of their own instead of correlating with these joins.
_UNIT, _MEMBER, _LAST = aliased(OrgUnit), aliased(User), aliased(Visit)


def _latest_visit_id():
    """The household's latest visit, found on ix_visits_household_id_visited_at per row."""
    return (select(Visit.id).where(Visit.household_id == Household.id)
            .order_by(Visit.visited_at.desc(), Visit.id.desc()).limit(1)
            .correlate(Household).scalar_subquery())


def _open_cases():
    return (select(func.count()).select_from(Case)
            .where(Case.household_id == Household.id, Case.status.in_(OPEN_STATUSES))
            .correlate(Household).scalar_subquery())


_LIST_COLUMNS = (
    Household.id, Household.household_no, Household.head_name, Household.address, Household.people,
    Household.phone, Household.tags, Household.hardship, Household.version,
    _UNIT.id, _UNIT.kind, _UNIT.name, _MEMBER.id, _MEMBER.name, _MEMBER.phone,
    _LAST.id, _LAST.visited_at, _LAST.mode, _LAST.hardship,
    Household.archived_at, Household.archive_reason, Household.archive_note, Household.updated_at,
    _open_cases().label("open_cases"),
)
_LIST = select(*_LIST_COLUMNS).join(_UNIT, _UNIT.id == Household.org_unit_id) \
    .outerjoin(_MEMBER, _MEMBER.id == Household.member_id) \
    .outerjoin(_LAST, _LAST.id == _latest_visit_id())  # built once: statements are immutable


def _list_item(r):
    return {
        "id": r[0], "household_no": r[1], "head_name": r[2], "address": r[3], "people": r[4], "phone": r[5],
        "tags": r[6] or [], "hardship": r[7], "version": r[8],
        "org_unit": {"id": r[9], "kind": r[10], "name": r[11]},
        "member": {"id": r[12], "name": r[13], "phone": r[14]} if r[12] is not None else None,
        "last_visit": {"id": r[15], "visited_at": r[16], "mode": r[17], "hardship": r[18]}
        if r[15] is not None else None,
        "open_cases": r[23], "archived_at": r[19], "archive_reason": r[20], "archive_note": r[21] or "",
        "updated_at": r[22],
    }


def unvisited_since(since):
    """A clause on Household: no visit on or after `since` (never visited included)."""
    return ~exists(select(Visit.id).where(Visit.household_id == Household.id, Visit.visited_at >= since))


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
        "household_no": household.household_no,
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
        "archived_at": household.archived_at,
        "archive_reason": household.archive_reason,
        "archive_note": household.archive_note or "",
        "updated_at": household.updated_at,
    }


def household_detail(*, actor, household_id, recent=10):
    """Those who may restore a household see it archived too; everyone else, live ones only."""
    archived = None if capabilities.can(actor, "households.manage") else False
    household = get_household(actor=actor, household_id=household_id, archived=archived)
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
    if {"household_no", "org_unit_id"} & set(changes):
        capabilities.require(actor, "households.manage", REGISTER["manage"])
    if changes.get("household_no", household.household_no) != household.household_no:
        number_free(household.village_id, changes["household_no"])
    unit_id = changes.pop("org_unit_id", None)
    if "member_id" in changes:  # it follows its new member's grid
        assign_member(actor=actor, household=household, member_id=changes.pop("member_id"))
    if unit_id is not None and unit_id != household.org_unit_id:
        move_to_unit(actor=actor, household=household, unit_id=unit_id)
    for name, value in changes.items():  # the schema admits only profile fields
        setattr(household, name, value)
    if "tags" in changes:
        follow_residents(household)
    db.session.flush()
    return household


def number_free(village_id, household_no, *, pending=()):
    """户编号 is unique in its village."""
    taken = household_no in pending or db.session.scalar(select(Household.id).where(
        Household.village_id == village_id, Household.household_no == household_no)) is not None
    if taken:
        raise Invalid("household_no", REGISTER["no_taken"].format(no=household_no))


def move_to_unit(*, actor, household, unit_id):
    """Another grid of the same village; the covering member must work there (or none cover it)."""
    capabilities.require(actor, "households.manage", REGISTER["manage"])
    unit = scope.visible(actor, OrgUnit, unit_id)
    if unit is None or unit.kind not in (Kind.GRID, Kind.VILLAGE):
        raise Invalid("org_unit_id", REGISTER["not_a_place"])
    if village_id_of(unit) != household.village_id:
        raise Invalid("org_unit_id", REGISTER["other_village"])
    if household.member is not None and household.member.org_unit_id != unit.id:
        raise Invalid("org_unit_id", REGISTER["member_left_behind"])
    household.org_unit = unit
    signals.household_moved.send(household, actor=actor)


def follow_residents(household, residents=None):
    """The tags a resident's care category implies (独居老人, 低保 ...) follow the household's
    residents, once it has any; the tags no resident can imply (脱贫户, 监测户) stay as set."""
    if residents is None:
        residents = db.session.scalars(select(Resident).where(Resident.household_id == household.id)).all()
    if not residents:
        return
    implied = {CARE_TAGS[c] for r in residents for c in r.care or [] if c in CARE_TAGS}
    kept = {t for t in household.tags or [] if t not in CARE_TAGS.values()}
    tags = [t for t in HOUSEHOLD_TAGS if t in implied | kept]
    if tags != list(household.tags or []):
        household.tags = tags


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
    problem = member_problem(member, household_unit)
    if problem:
        raise Invalid("member_id", problem)
    cap = current_app.config["HOUSEHOLDS_PER_MEMBER"]
    if covered_counts([member.id]).get(member.id, 0) + pending >= cap:
        raise Invalid("member_id", TEXT["member_cap"].format(cap=cap), code="member_cap")


def member_problem(member, household_unit):
    """Why `member` may not cover a household placed on `household_unit`, or None."""
    if member.role != Role.MEMBER or not member.active:
        return TEXT["not_a_member"]
    if village_path(member.org_unit) != village_path(household_unit):
        return TEXT["member_out_of_village"]
    return None


def covered_counts(member_ids):
    """{member id: live households covered}, the members locked first: two assignments to one
    member at once, the second waits here until the first commits, then counts what it added
    (PostgreSQL; SQLite has one writer at a time anyway). Archived households do not count."""
    ids = sorted(set(member_ids))
    if not ids:
        return {}
    db.session.execute(select(User.id).where(User.id.in_(ids)).order_by(User.id).with_for_update())
    return dict(db.session.execute(
        select(Household.member_id, func.count()).where(Household.member_id.in_(ids), Household.archived_at.is_(None))
        .group_by(Household.member_id)).all())
