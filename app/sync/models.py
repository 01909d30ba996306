"""The change log behind GET /api/sync, and the record of mutations already applied."""
import uuid

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Uuid, false
from sqlalchemy.orm import Mapped, mapped_column

from app.common.time import UTCDateTime, utcnow
from app.extensions import db

# SQLite only auto-increments a plain INTEGER primary key.
SeqType = BigInteger().with_variant(Integer(), "sqlite")


class Change(db.Model):
    """One row per write to a synced record, in commit order (see changelog.py)."""

    __tablename__ = "sync_changes"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(16))  # household, visit, case, task, notification, move
    entity_id: Mapped[str] = mapped_column(String(36))
    household_id: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(Integer)  # the one person a task/notification is for
    department_id: Mapped[int | None] = mapped_column(Integer)  # a dispatched case's department
    # A household moved away: where it was before, so those who lost it are told to drop it.
    old_member_id: Mapped[int | None] = mapped_column(Integer)
    old_org_unit_id: Mapped[int | None] = mapped_column(Integer)
    # Where the household is now (for a move: where it was), rewritten on every row of the
    # household when it moves, so a scope reads its rows in order from one index: its member,
    # its grid (or village), its village (which never changes), whether it is archived.
    member_id: Mapped[int | None] = mapped_column(Integer)
    org_unit_id: Mapped[int | None] = mapped_column(Integer)
    village_id: Mapped[int | None] = mapped_column(Integer)
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (
        Index("ix_sync_changes_household_id_seq", "household_id", "seq"),
        Index("ix_sync_changes_user_id_seq", "user_id", "seq"),
        Index("ix_sync_changes_department_id_seq", "department_id", "seq"),
        Index("ix_sync_changes_member_id_seq", "member_id", "seq"),
        Index("ix_sync_changes_org_unit_id_seq", "org_unit_id", "seq"),
        Index("ix_sync_changes_village_id_seq", "village_id", "seq"),
    )


class AppliedMutation(db.Model):
    """A phone's mutation id, kept so a resend is answered without being applied again."""

    __tablename__ = "sync_mutations"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    type: Mapped[str] = mapped_column(String(24))
    ref_id: Mapped[str] = mapped_column(String(36))
    applied_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
