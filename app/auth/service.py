"""Checking credentials; nothing here knows about HTTP or sessions."""
from sqlalchemy import select
from werkzeug.security import generate_password_hash

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
