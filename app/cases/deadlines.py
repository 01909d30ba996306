"""Response deadlines per level, and moving overdue cases up the chain."""
import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.cases.models import OPEN_STATUSES, Case
from app.common.time import utcnow
from app.extensions import db

log = logging.getLogger(__name__)


def deadline(level, urgency, start):
    hours = current_app.config["CASE_DEADLINE_HOURS"][level]
    if urgency == "urgent":
        hours /= 2
    return start + timedelta(hours=hours)


def is_overdue(case, now=None):
    return case.due_at is not None and case.status in OPEN_STATUSES and case.due_at < (now or utcnow())


def overdue_clause(now):
    return Case.due_at < now, Case.status.in_(OPEN_STATUSES)


def escalate_overdue(now=None):
    """Move every overdue case one level up (or remind, where nothing is above). Answers the count."""
    from app.cases.transitions import on_overdue

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
