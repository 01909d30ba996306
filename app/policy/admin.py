"""Who may administer whom and what: people by role and place, org units by kind.

A secretary manages the members, informants and grid leaders of her village; a township
officer also the secretaries of his township; an admin everyone. Org units: secretaries add
grids to their village, township officers villages (and their grids), admins townships and
departments. Anything else is out of scope and answers 404, like a missing record.
"""
from sqlalchemy import and_, false, or_, select, true

from app.org.models import User
from app.policy.names import FIELD_ROLES, ORG_KINDS, ROLE_UNIT_KIND, ROLES, Kind, Role
from app.policy.scope import subtree_ids

MANAGES_ROLES = {
    Role.SECRETARY: FIELD_ROLES,
    Role.TOWNSHIP: (*FIELD_ROLES, Role.SECRETARY),
    Role.ADMIN: ROLES,
}
MANAGES_KINDS = {
    Role.SECRETARY: (Kind.GRID,),
    Role.TOWNSHIP: (Kind.VILLAGE, Kind.GRID),
    Role.ADMIN: ORG_KINDS,
}
# Where a unit of each kind may hang.
PARENT_KIND = {Kind.TOWNSHIP: Kind.DISTRICT, Kind.DEPARTMENT: Kind.DISTRICT, Kind.VILLAGE: Kind.TOWNSHIP,
               Kind.GRID: Kind.VILLAGE}


def manageable_roles(actor):
    return MANAGES_ROLES.get(actor.role, ())


def in_subtree(actor, unit):
    return actor.role == Role.ADMIN or unit.path.startswith(actor.org_unit.path)


def manageable_roles_view(actor):
    """The roles the actor may appoint, where each sits, and which role informs it: what the
    人员 form offers, so the phone never spells a role itself."""
    return [{"role": role, "unit_kind": ROLE_UNIT_KIND[role],
             "informant_role": Role.INFORMANT if role == Role.MEMBER else None}
            for role in manageable_roles(actor)]


def may_manage_user(actor, user):
    """The actor may edit, move, reset, deactivate or hand over this person."""
    return user.id != actor.id and user.role in manageable_roles(actor) and in_subtree(actor, user.org_unit)


def managed_users_filter(actor):
    """People the actor manages, as SQL (the 人员 screen's list)."""
    roles = manageable_roles(actor)
    if not roles:
        return false()
    if actor.role == Role.ADMIN:
        return User.id != actor.id
    return and_(User.role.in_(roles), User.id != actor.id, User.org_unit_id.in_(subtree_ids(actor.org_unit.path)))


def may_place(actor, role, unit):
    """A person of `role` may be put in `unit` by the actor: a role the actor manages, a unit
    of the kind that role sits in, within the actor's own part of the tree."""
    return (role in manageable_roles(actor) and unit is not None and unit.kind == ROLE_UNIT_KIND[role]
            and in_subtree(actor, unit))


def may_manage_unit(actor, unit):
    return unit.kind in MANAGES_KINDS.get(actor.role, ()) and in_subtree(actor, unit) and unit.id != actor.org_unit_id


def may_add_unit(actor, kind, parent):
    return (kind in MANAGES_KINDS.get(actor.role, ()) and parent is not None and PARENT_KIND.get(kind) == parent.kind
            and in_subtree(actor, parent))


def changes_filter(actor, unit_column, actor_column):
    """Administrative changes an actor may read: their own, and those made in their part of the
    tree by people they manage (the level above sees what the level below did, not the reverse)."""
    if actor.role == Role.ADMIN:
        return true()
    if not manageable_roles(actor):
        return false()
    below = select(User.id).where(User.role.in_(manageable_roles(actor)))
    return or_(actor_column == actor.id,
               and_(unit_column.in_(subtree_ids(actor.org_unit.path)), actor_column.in_(below)))


def ends_sessions(before, after):
    """A change to a person that must end their sessions: role, activity."""
    return before.get("role") != after.get("role") or before.get("active") != after.get("active")


def changes_scope(before, after):
    """A change to a person that changes what they may see: role, place, activity."""
    return any(before.get(k) != after.get(k) for k in ("role", "org_unit_id", "active"))

