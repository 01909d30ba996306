"""Sessions are signed cookies; a logged-out session's id is kept here so a copied cookie
stops working at logout, not when it expires."""
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.common.time import UTCDateTime, utcnow
from app.extensions import db


class RevokedSession(db.Model):
    __tablename__ = "revoked_sessions"

    sid: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    revoked_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
