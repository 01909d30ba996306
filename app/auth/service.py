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
    user = db.session.scalars(select(User).where(User.phone == phone)).first()
    if user is None:
        User(password_hash=_DUMMY_HASH).check_password(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


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
