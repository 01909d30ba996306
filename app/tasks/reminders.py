"""Reminders to visit, without formalism (走访提醒): a member whose households have gone
unvisited for UNVISITED_REMINDER_DAYS (30) gets one gentle reminder, in working hours only
(REMINDER_HOURS, 08:00–20:00 China Standard Time), and then not again for the same number of
days. No check-ins, no ranking: the secretary sees the list (GET /api/reports/unvisited).

Run by `make run`'s scheduler and by `flask remind-unvisited` (cron, hourly, in production)."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app import signals
from app.common.time import LOCAL_TZ, utcnow
from app.extensions import db
from app.households.models import Household
from app.org.models import User
from app.reports.service import reminder_days, unvisited_by_member
from app.tasks.models import VisitReminder


def working_hours():
    return current_app.config.get("REMINDER_HOURS", (8, 20))


def in_working_hours(now=None):
    start, end = working_hours()
    return start <= (now or utcnow()).astimezone(LOCAL_TZ).hour < end


def remind_unvisited(now=None):
    """Remind each member with households unvisited for the period, unless reminded within it.
    Outside working hours nothing is sent. Answers how many members were reminded."""
    now = now or utcnow()
    if not in_working_hours(now):
        return 0
    days = reminder_days()
    since = now - timedelta(days=days)
    recently = set(db.session.scalars(select(VisitReminder.member_id).where(VisitReminder.sent_at > since)))
    # An archived household (迁出, 户销) has no one left to visit: it is never a reason to remind.
    current = Household.archived_at.is_(None)
    due = [row for row in unvisited_by_member(since, current) if row.member_id not in recently]
    members = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_([r.member_id for r in due])))}
    for row in due:
        db.session.add(VisitReminder(member_id=row.member_id, sent_at=now, households=row.n))
        signals.households_unvisited.send(members[row.member_id], count=row.n, days=days, household_id=row.first_id)
    db.session.flush()
    return len(due)
