"""seed_scale(): the whole dataset in one transaction, table by table in bulk, then what the
app keeps beside the rows (id sequences, planner statistics; see derived.py)."""
import time

from sqlalchemy import func, select, text
from werkzeug.security import generate_password_hash

from app.cases.models import Case, CaseEvent, CaseRevisit
from app.common.time import utcnow
from app.extensions import db
from app.households.models import Household, Resident
from app.notify.models import Notification
from app.org.demo import DEMO_PASSWORD
from app.org.models import OrgUnit, User
from app.scale import cases, derived
from app.scale.changes import CHANGE_COLUMNS, change_rows
from app.scale.households import (
    HOUSEHOLD_COLUMNS,
    RESIDENT_COLUMNS,
    VISIT_COLUMNS,
    household_rows,
    resident_rows,
    visit_rows,
)
from app.scale.ids import new_run
from app.scale.org import UNIT_COLUMNS, USER_COLUMNS, unit_rows, user_rows
from app.scale.plan import SCALE_PHONE_PREFIX, SCALE_PREFIX, Plan
from app.scale.shape import Shape
from app.scale.writer import Writer
from app.sync.models import Change
from app.tasks.models import Task
from app.visits.models import Visit

# Tables whose ids the plan hands out: nobody else may insert into them meanwhile.
ID_TABLES = (OrgUnit, User, Household, Notification, Resident)


class ScaleDataExists(Exception):
    """Scale data is there already and neither appending nor forcing was asked for."""


def scale_roots():
    """The root units of earlier scale runs (one per county)."""
    return db.session.scalar(select(func.count()).select_from(OrgUnit).where(
        OrgUnit.parent_id.is_(None), OrgUnit.name.startswith(SCALE_PREFIX, autoescape=True)))


def scale_logins():
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.phone.startswith(SCALE_PHONE_PREFIX, autoescape=True)))


def seed_scale(households, *, append=False, residents=False, analyze=True, log=None):
    """Add `households` households (and everything around them) in new counties; answers
    {table: rows written} and the seconds taken. Flushes, never commits."""
    started = time.perf_counter()
    roots = scale_roots()
    if roots and not append:
        raise ScaleDataExists(roots)
    conn = db.session.connection()
    paused = False
    if conn.dialect.name == "postgresql":
        names = ", ".join(f'"{m.__table__.name}"' for m in ID_TABLES)
        conn.execute(text(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE"))
        paused = _pause_foreign_keys(conn)
    plan = Plan(Shape(households), first_unit=_next_id(OrgUnit), first_user=_next_id(User),
                first_household=_next_id(Household), first_notification=_next_id(Notification),
                county_offset=roots, phone_offset=scale_logins(), run=new_run())
    now = utcnow()
    password_hash = generate_password_hash(DEMO_PASSWORD, method="scrypt")  # one hash for every scale login
    w = Writer(conn)
    steps = [
        (OrgUnit, UNIT_COLUMNS, unit_rows(plan)),
        (User, USER_COLUMNS, user_rows(plan, password_hash, now)),
        (Household, HOUSEHOLD_COLUMNS, household_rows(plan, now)),
        (Visit, VISIT_COLUMNS, visit_rows(plan, now)),
        (Case, cases.CASE_COLUMNS, cases.case_rows(plan, now)),
        (CaseEvent, cases.EVENT_COLUMNS, cases.event_rows(plan, now)),
        (CaseRevisit, cases.REVISIT_COLUMNS, cases.revisit_rows(plan, now)),
        (Task, cases.TASK_COLUMNS, cases.task_rows(plan, now)),
        (Notification, cases.NOTIFICATION_COLUMNS, cases.notification_rows(plan, now)),
        (Change, CHANGE_COLUMNS, change_rows(plan, now)),
    ]
    if residents:
        steps.insert(3, (Resident, RESIDENT_COLUMNS, resident_rows(plan, _next_id(Resident), now)))
    for model, columns, rows in steps:
        t0 = time.perf_counter()
        n = w.rows(model.__table__, columns, rows)
        if log:
            log(model.__table__.name, n, time.perf_counter() - t0)
    if paused:
        conn.execute(text("SET LOCAL session_replication_role = origin"))
    derived.refresh(conn, plan, tables=[m.__table__ for m, _, _ in steps], id_tables=ID_TABLES, analyze=analyze)
    return w.counts, time.perf_counter() - started


def _next_id(model):
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _pause_foreign_keys(conn):
    """Foreign-key checks cost a lookup and a row lock per reference (three per household, two
    per visit ...); every reference here is to a row this run wrote or one that was there. A
    superuser's connection pauses them for the load, as pg_restore --disable-triggers does;
    anyone else's keeps them, and the load is slower."""
    if conn.scalar(text("SELECT current_setting('is_superuser')")) != "on":
        return False
    conn.execute(text("SET LOCAL session_replication_role = replica"))
    return True
