"""Looking up the organisation and the people in an actor's scope."""
from sqlalchemy import select

from app.common.pagination import paginate
from app.extensions import db
from app.messages import ROLE_NAMES
from app.org import scope
from app.org.models import OrgUnit, User


def user_view(user):
    return {
        "id": user.id,
        "name": user.name,
        "role": user.role,
        "role_name": ROLE_NAMES[user.role],
        "phone": user.phone,
        "org_unit": user.org_unit,
        "informant_id": user.informant_id,
    }


def describe_me(user):
    """The user, where they sit, and who stands above them."""
    units = {u.id: u for u in scope._ancestor_units(user.org_unit)}
    path = [units[int(i)] for i in user.org_unit.path.strip("/").split("/")]
    return {
        **user_view(user),
        "org_path": path,
        "chain": [user_view(u) for u in scope.chain_up(user)],
    }


def list_users(*, actor, role=None, org_unit_id=None, cursor=None, limit=None):
    stmt = select(User).where(scope.user_filter(actor), User.active)
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
    return db.session.scalars(select(OrgUnit).where(OrgUnit.kind == "department").order_by(OrgUnit.id)).all()


def create_org_unit(*, kind, name, parent=None):
    """Insert a unit and give it its materialised path."""
    unit = OrgUnit(kind=kind, name=name, parent_id=parent.id if parent else None, path="/pending/")
    db.session.add(unit)
    db.session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    db.session.flush()
    return unit
