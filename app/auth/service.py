"""Checking credentials; nothing here knows about HTTP or sessions."""
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.auth.models import RevokedSession
from app.extensions import db
from app.org.models import User

# Checked when the phone is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("baolian-no-such-user", method="scrypt")


def authenticate(*, phone, password):
    """The active user with this phone and password, or None (one answer for every failure)."""
    user = find_user(phone)
    return user if check_password(user, password) else None


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


def load_user(user_id):
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user is not None and user.active else None


def revoke_session(*, user_id, sid):
    """Remember a logged-out session so its cookie is refused from now on."""
    if sid and db.session.get(RevokedSession, sid) is None:
        db.session.add(RevokedSession(sid=sid, user_id=user_id))
        db.session.flush()


def is_revoked(sid):
    return sid is not None and db.session.get(RevokedSession, sid) is not None
