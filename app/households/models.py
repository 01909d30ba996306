"""A household covered by a party member; `version` guards offline edits."""
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.time import UTCDateTime, utcnow
from app.extensions import db


class Household(db.Model):
    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The grid the household belongs to; the covering member works in the same grid.
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    head_name: Mapped[str] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(String(200))
    people: Mapped[int]
    phone: Mapped[str] = mapped_column(String(20), default="")
    tags: Mapped[list] = mapped_column(JSON, default=list)
    hardship: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    created_at = mapped_column(UTCDateTime, default=utcnow)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    org_unit = relationship("OrgUnit", lazy="joined")
    member = relationship("User", lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        Index("ix_households_member_id_id", "member_id", "id"),
        Index("ix_households_org_unit_id_id", "org_unit_id", "id"),
    )
