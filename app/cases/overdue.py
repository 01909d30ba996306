"""Moving overdue cases up the chain: run by `flask escalate-overdue` and `make run`'s timer."""
import logging

from sqlalchemy import select

from app.cases.models import Case, overdue_clause
from app.cases.transitions import on_overdue
from app.common.time import utcnow
from app.extensions import db

log = logging.getLogger(__name__)


def escalate_overdue(now=None):
    """Move every overdue case one level up (or remind, where nothing is above). Answers the count."""
    now = now or utcnow()
    cases = db.session.scalars(select(Case).where(*overdue_clause(now)).order_by(Case.due_at)).all()
    moved = 0
    for case in cases:
        try:
            with db.session.begin_nested():  # one case's trouble must not hold up the others
                on_overdue(case, now)
            moved += 1
        except Exception:  # noqa: BLE001 - logged; the case stays overdue and is tried next pass
            log.exception("overdue handling failed for case %s", case.id)
    return moved
