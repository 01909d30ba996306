"""A household covered by a party member (`version` guards offline edits), its residents
(一户一档), and the log of who saw a resident's full ID number."""
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.common.time import UTCDateTime, utcnow
from app.extensions import db
from app.org.models import OrgUnit
from app.policy.names import Kind


class Household(db.Model):
    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The grid the household belongs to; the covering member works in the same grid.
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    # Its village, which never changes (a household moves between the grids of one village);
    # 户编号 is unique there and is the key spreadsheet rows match on. Both are filled in at
    # the first flush when not given (see _number_new_households).
    village_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    household_no: Mapped[str] = mapped_column(String(20))
    # active_history: the report summaries count a household out of its old place, so the old
    # value is loaded even when the household was not (app/reports/summaries.py)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), active_history=True)
    head_name: Mapped[str] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(String(200))
    people: Mapped[int]
    phone: Mapped[str] = mapped_column(String(20), default="")
    tags: Mapped[list] = mapped_column(JSON, default=list)
    hardship: Mapped[bool] = mapped_column(default=False)
    # Archived (迁出, 户销, 合户 ...) instead of deleted: out of every list and phone, history kept.
    # The change log reads the old value of archived_at, hence active_history.
    archived_at = mapped_column(UTCDateTime, nullable=True, active_history=True)
    archive_reason: Mapped[str | None] = mapped_column(String(16))
    archive_note: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[int] = mapped_column(default=1)
    created_at = mapped_column(UTCDateTime, default=utcnow)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    org_unit = relationship("OrgUnit", lazy="joined", foreign_keys=[org_unit_id])
    member = relationship("User", lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        Index("ix_households_member_id_id", "member_id", "id"),
        Index("ix_households_org_unit_id_id", "org_unit_id", "id"),
        UniqueConstraint("village_id", "household_no", name="uq_households_village_id_household_no"),
    )


class Resident(db.Model):
    """A member of a household (家庭成员). The ID number is kept only as a Fernet token
    (app/households/id_numbers.py) and its mask, which is all anyone sees in a list."""

    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    relation: Mapped[str] = mapped_column(String(16))
    gender: Mapped[str] = mapped_column(String(8), default="")
    birth_year: Mapped[int | None]
    phone: Mapped[str] = mapped_column(String(20), default="")
    care: Mapped[list] = mapped_column(JSON, default=list)
    id_number_token: Mapped[str | None] = mapped_column(Text)
    id_number_masked: Mapped[str] = mapped_column(String(18), default="")
    created_at = mapped_column(UTCDateTime, default=utcnow)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    household = relationship("Household")


class IdNumberView(db.Model):
    """One look at a resident's full ID number: who, when. Never updated, never deleted; it
    outlives the resident (no foreign key to it), as an audit record must."""

    __tablename__ = "id_number_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    viewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    viewer = relationship("User", lazy="joined")


def village_id_of(unit):
    """The village a household placed on `unit` (a grid, or the village itself) belongs to."""
    return unit.parent_id if unit.kind == Kind.GRID else unit.id


def next_numbers(session, village_id, taken=()):
    """Numbers for new households of a village: after the highest plain number in use. The
    village's row is locked first, so two writers never hand out the same number."""
    session.execute(select(OrgUnit.id).where(OrgUnit.id == village_id).with_for_update())
    used = session.scalars(select(Household.household_no).where(Household.village_id == village_id)).all()
    n = max((int(x) for x in (*used, *taken) if x and x.isdigit()), default=0)
    while True:
        n += 1
        yield str(n)


@event.listens_for(Session, "before_flush")
def _number_new_households(session, _context, _instances):
    """A household made without a village or a number (the demo, the API without 户编号) gets
    them here, whoever made it."""
    new = [o for o in session.new if isinstance(o, Household) and (o.village_id is None or not o.household_no)]
    if not new:
        return
    with session.no_autoflush:
        for household in new:
            if household.village_id is None:
                unit = household.org_unit or session.get(OrgUnit, household.org_unit_id)
                household.village_id = village_id_of(unit)
        pending = [o for o in session.new if isinstance(o, Household) and o.household_no]
        for village_id in sorted({h.village_id for h in new if not h.household_no}):
            numbers = next_numbers(session, village_id, [o.household_no for o in pending if o.village_id == village_id])
            for household in new:  # in the order they were added: the demo numbers its households 1, 2, 3 ...
                if household.village_id == village_id and not household.household_no:
                    household.household_no = next(numbers)
