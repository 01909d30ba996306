"""A holder who moves away, stops, or takes another role leaves no case stranded: each open case
they hold goes to whoever stands at its level now (a department's back to the department)."""
from sqlalchemy import select

from app import signals
from app.cases.models import Case
from app.cases.transitions import record, rehome
from app.common.time import utcnow
from app.errors import Conflict
from app.extensions import db
from app.policy.names import OPEN_STATUSES, Level


def _person_moved(person, *, actor, **_):
    for case in db.session.scalars(select(Case).where(Case.holder_id == person.id,
                                                      Case.status.in_(OPEN_STATUSES))).all():
        if case.level == Level.DEPARTMENT:
            case.holder_id, case.holder, case.holder_unit_id = None, None, case.department_id
            record(case, "rehomed", actor, utcnow(), {"from_id": person.id, "from_name": person.name,
                                                      "to_id": None, "to_name": case.department.name,
                                                      "level": case.level})
            continue
        try:
            rehome(case, case.household, actor)
        except Conflict:  # no one stands anywhere above: the overdue check keeps reminding
            continue


def install():
    signals.person_moved.connect(_person_moved)
