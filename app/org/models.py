"""Org units (one tree, materialised path) and users with their place in the chain."""
from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.common.time import UTCDateTime, utcnow
from app.extensions import db


class OrgUnit(db.Model):
    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(80))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    # "/1/4/17/": ancestors then self; a subtree is one prefix match on an index.
    path: Mapped[str] = mapped_column(String(255), unique=True)

    parent = relationship("OrgUnit", remote_side=[id], lazy="joined", join_depth=1)

    __table_args__ = (
        Index("ix_org_units_path_prefix", "path", postgresql_ops={"path": "text_pattern_ops"}),
        db.UniqueConstraint("parent_id", "name", name="uq_org_units_parent_name"),
    )

    @property
    def ancestor_ids(self):
        return [int(p) for p in self.path.strip("/").split("/")[:-1]]

    def __repr__(self):
        return f"<OrgUnit {self.id} {self.kind} {self.name}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    # A member's informant: the first link of the chain upward.
    informant_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    wecom_id: Mapped[str | None] = mapped_column(String(64))  # 企业微信 userid, for WeCom messages
    created_at = mapped_column(UTCDateTime, default=utcnow)
    # Bumped when the password changes or is reset, or the user is deactivated or given another
    # role: every session signed with an older epoch ends at its next request.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    # Bumped when what the user may see changes other than by a household moving (their role,
    # unit or activity; for an informant, which members they have): their phone's sync feed
    # then starts again from a snapshot.
    scope_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # A temporary password (from a manager) must be changed before anything else.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    org_unit = relationship(OrgUnit, lazy="joined")
    informant = relationship("User", remote_side=[id])

    def set_password(self, password):
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self):
        return self.active

    def __repr__(self):
        return f"<User {self.id} {self.role} {self.name}>"


class AdminChange(db.Model):
    """One administrative change (people, passwords, org units, handovers): who, when, from
    where, what; visible to the next level up. Never updated, never deleted."""

    __tablename__ = "admin_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column()
    # The org unit the change belongs to, so a level up finds it with one subtree match.
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    address: Mapped[str | None] = mapped_column(String(64))
    at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    actor = relationship("User", foreign_keys=[actor_id], lazy="joined")

    __table_args__ = (
        Index("ix_admin_changes_org_unit_id_at", "org_unit_id", "at"),
        Index("ix_admin_changes_target", "target_type", "target_id"),
    )
