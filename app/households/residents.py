"""Residents (家庭成员) of a household, the lists of people who need care (重点人群), and ID
numbers: kept encrypted, shown masked to secretaries and above, in full only on request, and
every full view logged. Members and the rest of the chain see residents without ID numbers."""
import json

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import joinedload

from app.common.pagination import paginate
from app.errors import Invalid, NotFound
from app.extensions import db
from app.households import id_numbers
from app.households.models import IdNumberView, Resident
from app.households.service import follow_residents, get_household
from app.messages import REGISTER
from app.policy import capabilities, scope
from app.visits.models import Visit

HEAD = "head"  # the relation of the household's head (户主): one per household


def resident_view(resident, actor, **extra):
    """What `actor` sees of a resident: the masked ID number only where they may see it at all."""
    shown = capabilities.can(actor, "residents.reveal_id")
    return {
        "id": resident.id, "household_id": resident.household_id, "name": resident.name,
        "relation": resident.relation, "gender": resident.gender or "", "birth_year": resident.birth_year,
        "phone": resident.phone or "", "care": resident.care or [],
        "id_number": (resident.id_number_masked or None) if shown else None,
        "updated_at": resident.updated_at, **extra,
    }


def household_residents(*, actor, household_id):
    """A household's residents, the head first; those who may restore it see an archived one's too."""
    archived = None if capabilities.can(actor, "households.manage") else False
    household = get_household(actor=actor, household_id=household_id, archived=archived)
    rows = db.session.scalars(select(Resident).where(Resident.household_id == household.id)
                              .order_by((Resident.relation != HEAD), Resident.id)).all()
    return [resident_view(r, actor) for r in rows]


def get_resident(*, actor, resident_id):
    resident = scope.visible(actor, Resident, resident_id)
    if resident is None:
        raise NotFound()
    return resident


def create_resident(*, actor, household_id, data):
    capabilities.require(actor, "households.manage", REGISTER["manage"])
    household = get_household(actor=actor, household_id=household_id)
    data = dict(data)
    number = data.pop("id_number", None)
    resident = Resident(household_id=household.id, **{"gender": "", "phone": "", "care": [], **data})
    set_id_number(resident, number)
    _one_head(resident)
    db.session.add(resident)
    db.session.flush()
    follow_residents(household)
    db.session.flush()
    return resident


def update_resident(*, actor, resident_id, changes):
    capabilities.require(actor, "households.manage", REGISTER["manage"])
    resident = get_resident(actor=actor, resident_id=resident_id)
    changes = dict(changes)
    number = changes.pop("id_number", _KEEP)
    for name, value in changes.items():  # the schema admits only resident fields
        setattr(resident, name, value)
    if number is not _KEEP:
        set_id_number(resident, number)
    elif resident.id_number_token and {"birth_year", "gender"} & set(changes):
        _consistent(id_numbers.decrypt(resident.id_number_token), resident)
    _one_head(resident)
    follow_residents(resident.household)
    db.session.flush()
    return resident


def delete_resident(*, actor, resident_id):
    capabilities.require(actor, "households.manage", REGISTER["manage"])
    resident = get_resident(actor=actor, resident_id=resident_id)
    household = resident.household
    db.session.delete(resident)
    db.session.flush()
    follow_residents(household)
    db.session.flush()


def reveal_id_number(*, actor, resident_id):
    """The full ID number, for secretaries and above on the resident's own page; logged."""
    capabilities.require(actor, "residents.reveal_id", REGISTER["reveal"])
    resident = get_resident(actor=actor, resident_id=resident_id)
    if not resident.id_number_token:
        return {"id": resident.id, "id_number": None}
    db.session.add(IdNumberView(resident_id=resident.id, household_id=resident.household_id, viewer_id=actor.id))
    db.session.flush()
    return {"id": resident.id, "id_number": id_numbers.decrypt(resident.id_number_token)}


_KEEP = object()


def set_id_number(resident, number):
    """Store (encrypted and masked) or clear an ID number; a birth year or gender not given is
    read from it, one that contradicts it is refused."""
    if not number:
        resident.id_number_token, resident.id_number_masked = None, ""
        return
    number = id_numbers.normalise(number)
    _consistent(number, resident)
    if resident.birth_year is None:
        resident.birth_year = id_numbers.birth_year(number)
    if not resident.gender:
        resident.gender = id_numbers.gender(number)
    resident.id_number_token, resident.id_number_masked = id_numbers.encrypt(number), id_numbers.mask(number)


def _consistent(number, resident):
    for field, problem in id_numbers.consistency(number, year=resident.birth_year, sex=resident.gender).items():
        raise Invalid(field, problem)


def _one_head(resident):
    if resident.relation != HEAD:
        return
    other = db.session.scalar(select(Resident.id).where(
        Resident.household_id == resident.household_id, Resident.relation == HEAD,
        Resident.id != resident.id if resident.id is not None else Resident.id.is_not(None)))
    if other is not None:
        raise Invalid("relation", REGISTER["one_head"])


# --- 重点人群: residents by care category in scope ------------------------------------------

def care_list(*, actor, care=None, q=None, cursor=None, limit=None):
    """Residents of the households in scope, by care category, each with their household,
    its member and its last visit: three statements a page."""
    stmt = (select(Resident).where(scope.resident_filter(actor))
            .options(joinedload(Resident.household)))
    if care:  # a JSON list: match its serialised element, portable across databases
        stmt = stmt.where(cast(Resident.care, String).contains(json.dumps(care), autoescape=True))
    if q:
        stmt = stmt.where(or_(Resident.name.contains(q, autoescape=True), Resident.phone.contains(q, autoescape=True)))
    rows, nxt = paginate(db.session, stmt, keys=[Resident.id], cursor=cursor, limit=limit)
    homes = {r.household_id for r in rows}
    last = dict(db.session.execute(select(Visit.household_id, func.max(Visit.visited_at))
                                   .where(Visit.household_id.in_(homes)).group_by(Visit.household_id)).all()) \
        if homes else {}
    return [resident_view(r, actor, household=r.household, member=r.household.member,
                          last_visit_at=last.get(r.household_id)) for r in rows], nxt


def residents_of(household_ids):
    """{household id: [residents]} for many households at once (the import, the exports)."""
    found = {}
    for chunk in _chunks(sorted(household_ids), 1000):
        for r in db.session.scalars(select(Resident).where(Resident.household_id.in_(chunk)).order_by(Resident.id)):
            found.setdefault(r.household_id, []).append(r)
    return found


def _chunks(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]
