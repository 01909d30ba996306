"""An attachment: one photo, keyed by the UUID the phone made for it.

It is uploaded first (an orphan, seen only by its uploader) and then put on exactly one
record: a visit (then whoever sees the household sees it) or a case step / 回访 (then whoever
sees the case). The columns `household_id` and `case_id` carry that placement for the scope
filter (app/policy/scope.py:attachment_filter).
"""
import uuid

from sqlalchemy import Boolean, ForeignKey, Index, Integer, SmallInteger, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.common.time import UTCDateTime, utcnow
from app.extensions import db

# What a photo can be put on. A visit places it by household; the others by case.
OWNER_VISIT = "visit"
OWNER_CASE_STEP = "case_step"
OWNER_REVISIT = "revisit"
OWNER_TYPES = (OWNER_VISIT, OWNER_CASE_STEP, OWNER_REVISIT)
CASE_OWNERS = (OWNER_CASE_STEP, OWNER_REVISIT)

# At most this many photos on one record (enough for evidence; nobody is asked for more).
PER_RECORD = 9


class Attachment(db.Model):
    __tablename__ = "attachments"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    uploader_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # What was uploaded: its SHA-256 and whether the user chose to keep the location; a resend
    # must match both (same id, other bytes: 409).
    upload_sha256: Mapped[str] = mapped_column(String(64))
    keep_location: Mapped[bool] = mapped_column(Boolean, default=False)
    # What is stored (cleaned): where, its type, size and pixel size, and its thumbnail.
    store: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(120))
    thumb_key: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(16))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    thumb_size: Mapped[int] = mapped_column(Integer)
    # Where it is placed: nothing yet (an orphan), or one record, for good.
    owner_type: Mapped[str | None] = mapped_column(String(16))
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"))
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    attached_at = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_attachments_owner_id_position", "owner_id", "position"),
        Index("ix_attachments_uploader_id_created_at", "uploader_id", "created_at"),
        Index("ix_attachments_household_id", "household_id"),
        Index("ix_attachments_case_id", "case_id"),
    )

    @property
    def url(self):
        return f"/api/attachments/{self.id}"

    @property
    def thumb_url(self):
        return f"/api/attachments/{self.id}?thumb=1"
