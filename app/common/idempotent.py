"""Records made on phones are keyed by the phone's UUID and applied exactly once."""
from sqlalchemy.exc import IntegrityError

from app.extensions import db


def insert_once(record, on_existing):
    """Insert `record` in a savepoint; if its id is already taken (a resend racing the first
    copy), answer `on_existing(stored)` instead. Answers (record, created)."""
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        stored = db.session.get(type(record), record.id)
        if stored is None:
            raise
        return on_existing(stored), False
    return record, True
