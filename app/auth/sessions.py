"""Which session a signed cookie still stands for: one query per request for the user, their
session epoch and whether this session was logged out."""
from sqlalchemy import select

from app.auth.models import RevokedSession
from app.extensions import db
from app.org.models import User


def load_session_user(user_id, *, sid, epoch):
    """The user a session belongs to, or None when the session has ended: logged out, the
    user deactivated, or their epoch moved on (password changed or reset, role changed)."""
    try:
        uid = int(user_id)
    except (TypeError, ValueError):
        return None
    row = db.session.execute(
        select(User, RevokedSession.sid).outerjoin(RevokedSession, RevokedSession.sid == (sid or ""))
        .where(User.id == uid)
    ).first()
    if row is None:
        return None
    user, revoked = row
    if revoked is not None or not user.active or epoch != user.session_epoch:
        return None
    return user


def end_other_sessions(user):
    """Every session of the user but the one that asks ends at its next request; answers the
    epoch the asking session carries on with."""
    user.session_epoch += 1
    db.session.flush()
    return user.session_epoch
