"""Checking credentials; nothing here knows about HTTP or sessions."""
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.auth.models import RevokedSession
from app.extensions import db
from app.org.models import User

# Checked when the phone is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("baolian-no-such-user", method="scrypt")


def find_user(phone):
    """The user with this phone, or None."""
    return db.session.scalars(select(User).where(User.phone == phone)).first()


def check_password(user, password):
    """Whether user (None for an unknown phone) is active and this is their password; an unknown
    phone is checked against a dummy hash, so both failures take the same time."""
    if user is None:
        User(password_hash=_DUMMY_HASH).check_password(password)
        return False
    return user.check_password(password) and user.active


def revoke_session(*, user_id, sid):
    """Remember a logged-out session so its cookie is refused from now on."""
    if sid and db.session.get(RevokedSession, sid) is None:
        db.session.add(RevokedSession(sid=sid, user_id=user_id))
        db.session.flush()
