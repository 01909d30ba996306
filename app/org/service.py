"""Looking up the organisation and the people in an actor's scope."""
from sqlalchemy import or_, select

from app.common.pagination import paginate
from app.extensions import db
from app.messages import ROLE_NAMES
from app.org.models import OrgUnit, User
from app.policy import chain, scope
from app.policy.capabilities import capabilities_of
from app.policy.names import Kind


def user_view(user):
    return {
        "id": user.id,
        "name": user.name,
        "role": user.role,
        "role_name": ROLE_NAMES[user.role],
        "phone": user.phone,
        "org_unit": user.org_unit,
        "informant_id": user.informant_id,
        "active": user.active,
    }


def describe_me(user):
    """The user, where they sit, and who stands above them."""
    return {
        **user_view(user),
        "org_path": chain.ancestor_units(user.org_unit),
        "chain": [user_view(u) for u in chain.chain_up(user)],
        "capabilities": capabilities_of(user),
        "must_change_password": user.must_change_password,
    }


def list_users(*, actor, q=None, role=None, org_unit_id=None, active=None, cursor=None, limit=None):
    stmt = select(User).where(scope.user_filter(actor), User.active if active is None else User.active == active)
    if q:
        stmt = stmt.where(name_or_phone(q))
    if role:
        stmt = stmt.where(User.role == role)
    if org_unit_id is not None:
        stmt = stmt.where(User.org_unit_id == org_unit_id)
    rows, nxt = paginate(db.session, stmt, keys=[User.id], cursor=cursor, limit=limit)
    return [user_view(u) for u in rows], nxt


def list_org_units(*, actor, kind=None, cursor=None, limit=None):
    stmt = select(OrgUnit).where(scope.org_unit_filter(actor))
    if kind:
        stmt = stmt.where(OrgUnit.kind == kind)
    return paginate(db.session, stmt, keys=[OrgUnit.id], cursor=cursor, limit=limit)


def list_departments():
    """Dispatch targets: every department, whoever asks."""
    return db.session.scalars(select(OrgUnit).where(OrgUnit.kind == Kind.DEPARTMENT).order_by(OrgUnit.id)).all()


def create_org_unit(*, kind, name, parent=None):
    """Insert a unit and give it its materialised path."""
    unit = OrgUnit(kind=kind, name=name, parent_id=parent.id if parent else None, path="/pending/")
    db.session.add(unit)
    db.session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    db.session.flush()
    return unit


def name_or_phone(q):
    """People whose name or phone contains what was typed (a % or _ is a character)."""
    return or_(User.name.contains(q, autoescape=True), User.phone.contains(q, autoescape=True))
