"""Administering people and org units in one's scope; every change is recorded (who, when,
what, from where). app/policy/admin.py says who may administer whom."""
import secrets

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import signals
from app.common.pagination import paginate
from app.common.passwords import password_problems
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.households.models import Household
from app.households.service import assign_member
from app.messages import ADMIN_TEXT
from app.org.models import AdminChange, OrgUnit, User
from app.org.service import create_org_unit, name_or_phone
from app.policy import admin as policy
from app.policy import chain, scope
from app.policy.names import Role

# Easy to read aloud and to type on a phone: no 0/o, 1/l/i.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TEMPORARY_LENGTH = 10
PROFILE = ("name", "phone", "wecom_id")


def record_change(*, actor, action, target, changes, address, unit_id=None):
    """One line in the record of administrative changes."""
    kind = "user" if isinstance(target, User) else "org_unit"
    unit_id = unit_id or (target.org_unit_id if isinstance(target, User) else target.id)
    db.session.add(AdminChange(actor_id=actor.id, action=action, target_type=kind, target_id=target.id,
                               org_unit_id=unit_id, changes=changes, address=address))


def temporary_password(phone):
    """A fresh one-time password that passes the policy (shown once, stored only as a hash)."""
    while True:
        password = "".join(secrets.choice(_ALPHABET) for _ in range(TEMPORARY_LENGTH))
        if not password_problems(password, phone):
            return password


def managed_user(actor, user_id):
    """A person the actor administers, or 404 (out of scope is missing)."""
    user = db.session.get(User, user_id)
    if user is None or not policy.may_manage_user(actor, user):
        raise NotFound()
    return user


def _unit(actor, unit_id, role):
    """Where a person of `role` goes: a role or unit outside the actor's scope is missing (404);
    a unit of the wrong kind for the role is a mistake in the form (422)."""
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None or role not in policy.manageable_roles(actor) or not policy.in_subtree(actor, unit):
        raise NotFound()
    if not policy.may_place(actor, role, unit):
        raise Invalid("org_unit_id", ADMIN_TEXT["unit_wrong_kind"])
    return unit


def _phone_free(phone, user_id=None):
    taken = db.session.scalars(select(User.id).where(User.phone == phone)).first()
    if taken is not None and taken != user_id:
        raise Conflict(ADMIN_TEXT["phone_taken"], code="phone_taken", fields={"phone": [ADMIN_TEXT["phone_taken"]]})


def _informant(role, unit, informant_id):
    """A member's informant is an informant of the member's own grid; others have none."""
    if role != Role.MEMBER:
        if informant_id is not None:
            raise Invalid("informant_id", ADMIN_TEXT["informant_only_members"])
        return None
    informant = db.session.get(User, informant_id) if informant_id is not None else None
    if not chain.may_inform(role=role, unit_id=unit.id, informant=informant) or not informant.active:
        raise Invalid("informant_id", ADMIN_TEXT["informant_same_grid"])
    return informant


def create_user(*, actor, data, address=None):
    """A new person in the actor's scope; answers (user, temporary password)."""
    role = data["role"]
    unit = _unit(actor, data["org_unit_id"], role)
    _phone_free(data["phone"])
    informant = _informant(role, unit, data.get("informant_id"))
    password = temporary_password(data["phone"])
    user = User(name=data["name"], phone=data["phone"], role=role, org_unit_id=unit.id,
                informant_id=informant.id if informant else None, wecom_id=data.get("wecom_id"),
                must_change_password=True)
    user.set_password(password)
    try:
        with db.session.begin_nested():  # two managers adding one phone at once: one gets 409
            db.session.add(user)
    except IntegrityError:
        _phone_free(data["phone"])
        raise
    record_change(actor=actor, action="user.create", target=user, address=address,
                  changes={"name": user.name, "phone": user.phone, "role": role, "org_unit_id": unit.id})
    return user, password


def update_user(*, actor, user_id, changes, address=None):
    """Edit, move, change the role of, deactivate or reactivate a person."""
    user = managed_user(actor, user_id)
    before = {k: getattr(user, k) for k in (*PROFILE, "role", "org_unit_id", "informant_id", "active")}
    role = changes.get("role", user.role)
    unit = _unit(actor, changes.get("org_unit_id", user.org_unit_id), role)
    if "phone" in changes:
        _phone_free(changes["phone"], user.id)
    if role != user.role or unit.id != user.org_unit_id:
        _check_movable(user, role, unit)
    if role == Role.MEMBER and ("informant_id" in changes or unit.id != user.org_unit_id or role != user.role):
        user.informant_id = _informant(role, unit, changes.get("informant_id", user.informant_id)).id
    elif role != Role.MEMBER:
        _informant(role, unit, changes.get("informant_id"))
        user.informant_id = None
    for name in PROFILE:
        if name in changes:
            setattr(user, name, changes[name])
    moved = unit.id != user.org_unit_id
    user.role, user.org_unit_id, user.org_unit = role, unit.id, unit
    if "active" in changes:
        if changes["active"] and not user.active and user.role == Role.MEMBER:
            _informant(user.role, unit, user.informant_id)  # back only with an informant of their grid
        user.active = changes["active"]
    if moved:
        _move_households(actor, user)
    _after_change(actor, user, before, address)
    db.session.flush()
    return user


def _after_change(actor, user, before, address):
    """What a change to a person sets off: their sessions end (role, activity), their phone's
    and their informants' feeds start again (what they may see changed), and the record."""
    after = {k: getattr(user, k) for k in before}
    if policy.ends_sessions(before, after):
        user.session_epoch += 1
    if policy.changes_scope(before, after):
        user.scope_version += 1
        db.session.flush()
        signals.person_moved.send(user, actor=actor)  # the cases they held go to whoever stands there now
    if before["informant_id"] != after["informant_id"]:
        for informant_id in {before["informant_id"], after["informant_id"]} - {None}:
            db.session.get(User, informant_id).scope_version += 1  # their members changed
    diff = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if diff:
        record_change(actor=actor, action="user.update", target=user, changes=diff, address=address)


def _check_movable(user, role, unit):
    """A member with households cannot leave their village or stop being a member, nor an
    informant with members their grid: hand them over first."""
    households = db.session.scalar(select(func.count()).where(Household.member_id == user.id))
    same_village = chain.village_path(unit) == chain.village_path(user.org_unit)
    if households and (role != Role.MEMBER or not same_village):
        raise Invalid("org_unit_id" if role == user.role else "role", ADMIN_TEXT["hand_over_first"])
    members = db.session.scalar(select(func.count()).where(User.informant_id == user.id))
    if members and (role != Role.INFORMANT or unit.id != user.org_unit_id):
        raise Invalid("org_unit_id" if role == user.role else "role", ADMIN_TEXT["informant_has_members"])


def _move_households(actor, member):
    """A member moved to another grid of the village takes their households along."""
    for household in db.session.scalars(select(Household).where(Household.member_id == member.id)):
        household.org_unit_id, household.org_unit = member.org_unit_id, member.org_unit
        signals.household_moved.send(household, actor=actor)


def reset_password(*, actor, user_id, address=None):
    """A manager gives a forgotten password a temporary one; every session of that user ends."""
    user = managed_user(actor, user_id)
    password = temporary_password(user.phone)
    user.set_password(password)
    user.must_change_password = True
    user.session_epoch += 1
    record_change(actor=actor, action="user.reset_password", target=user, changes={}, address=address)
    db.session.flush()
    return user, password


def handover(*, actor, user_id, to_member_id=None, assignments=None, address=None):
    """Move a member's households to one member or spread them over several, open cases
    included, all or nothing; a cap overflow names the member it would overfill."""
    member = managed_user(actor, user_id)
    if member.role != Role.MEMBER:
        raise Invalid("user_id", ADMIN_TEXT["not_a_member"])
    homes = {h.id: h for h in db.session.scalars(select(Household).where(Household.member_id == member.id))}
    plan = ([(h, to_member_id) for h in homes.values()] if to_member_id is not None
            else [(_own_home(homes, a["household_id"]), a["member_id"]) for a in assignments or []])
    if not plan:
        raise Invalid("assignments", ADMIN_TEXT["nothing_to_hand_over"])
    for household, target in plan:
        if target == member.id:
            raise Invalid("to_member_id", ADMIN_TEXT["hand_over_to_self"])
        try:
            assign_member(actor=actor, household=household, member_id=target)
        except Invalid as exc:
            receiver = db.session.get(User, target)
            name = receiver.name if receiver is not None and scope.visible(actor, User, target) else str(target)
            raise Invalid("to_member_id" if to_member_id is not None else "assignments",
                          ADMIN_TEXT["hand_over_refused"].format(name=name, why=exc.fields and
                                                                 next(iter(exc.fields.values()))[0]),
                          code=exc.code) from exc
        db.session.flush()
    record_change(actor=actor, action="user.handover", target=member, address=address,
                  changes={"households": [[h.id, t] for h, t in plan]})
    return member, len(plan)


def _own_home(homes, household_id):
    if household_id not in homes:
        raise Invalid("assignments", ADMIN_TEXT["not_their_household"].format(id=household_id))
    return homes[household_id]


def add_org_unit(*, actor, kind, name, parent_id, address=None):
    parent = db.session.get(OrgUnit, parent_id)
    if parent is None or not policy.may_add_unit(actor, kind, parent):
        raise Invalid("parent_id", ADMIN_TEXT["unit_out_of_scope"])
    _name_free(parent.id, name)
    try:
        with db.session.begin_nested():  # two at once with one name: one gets 409
            unit = create_org_unit(kind=kind, name=name, parent=parent)
    except IntegrityError:
        _name_free(parent.id, name)
        raise
    record_change(actor=actor, action="org_unit.create", target=unit, changes={"kind": kind, "name": name},
                  address=address)
    return unit


def rename_org_unit(*, actor, unit_id, name, address=None):
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None or not policy.may_manage_unit(actor, unit):
        raise NotFound()
    if name != unit.name:
        _name_free(unit.parent_id, name)
        record_change(actor=actor, action="org_unit.rename", target=unit, changes={"name": [unit.name, name]},
                      address=address)
        unit.name = name
        db.session.flush()
    return unit


def _name_free(parent_id, name):
    if db.session.scalars(select(OrgUnit.id).where(OrgUnit.parent_id == parent_id, OrgUnit.name == name)).first():
        taken = ADMIN_TEXT["unit_name_taken"]
        raise Conflict(taken, code="name_taken", fields={"name": [taken]})


def list_people(*, actor, q=None, role=None, active=None, cursor=None, limit=None):
    """The 人员 screen: the people the actor administers, active or not."""
    stmt = select(User).where(policy.managed_users_filter(actor))
    if q:
        stmt = stmt.where(name_or_phone(q))
    if role:
        stmt = stmt.where(User.role == role)
    if active is not None:
        stmt = stmt.where(User.active == active)
    return paginate(db.session, stmt, keys=[User.id], cursor=cursor, limit=limit)


def list_changes(*, actor, cursor=None, limit=None):
    stmt = select(AdminChange).where(policy.changes_filter(actor, AdminChange.org_unit_id, AdminChange.actor_id))
    return paginate(db.session, stmt, keys=[AdminChange.id], cursor=cursor, limit=limit, descending=True)
