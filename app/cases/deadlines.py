"""Response deadlines per level, and moving overdue cases up the chain."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.cases.models import OPEN_STATUSES, Case
from app.common.time import utcnow
from app.extensions import db


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
    for case in cases:
        on_overdue(case, now)
    db.session.flush()
    return len(cases)
