"""POST /api/sync: apply a phone's queued writes through the same services as the single
routes, each in its own savepoint, each answered on its own."""
import functools
import logging

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from app.cases import service as cases
from app.cases.models import Case
from app.cases.schemas import (
    ACTION_SCHEMAS,
    CaseIn,
    CaseStep,
)
from app.common.fields import UUID, BaseSchema, Int, Str, one_of
from app.errors import ApiError, Conflict, describe_error
from app.extensions import db
from app.households import service as households
from app.households.models import Household
from app.households.schemas import HouseholdDetail, HouseholdPatch
from app.messages import TEXT
from app.notify import service as notify
from app.notify.schemas import NotificationOut
from app.sync.models import AppliedMutation
from app.tasks import service as tasks
from app.tasks.models import Task
from app.tasks.schemas import TaskActionIn, TaskIn, TaskOut
from app.visits.models import Visit
from app.visits.schemas import VisitIn, VisitOut
from app.visits.service import record_visit

log = logging.getLogger(__name__)



class CaseActionTarget(BaseSchema):
    class Meta:
        unknown = "include"

    case_id = UUID(required=True)
    action = Str(required=True, validate=one_of(ACTION_SCHEMAS))


class TaskActionTarget(BaseSchema):
    class Meta:
        unknown = "include"

    task_id = UUID(required=True)
    action = Str(required=True, validate=one_of(tuple(tasks.TASK_STEPS)))


class HouseholdTarget(BaseSchema):
    class Meta:
        unknown = "include"

    household_id = Int(required=True)


@functools.cache
def _schema(cls):
    """One instance per schema: a batch of 500 would otherwise build 1,000 of them."""
    return cls()


def _visit(actor, mutation, data):
    visit, created = record_visit(actor=actor, data=_schema(VisitIn).load({**data, "id": str(mutation["id"])}))
    return visit, created


def _case(actor, mutation, data):
    said = mutation["at"].isoformat() if mutation["at"] else None  # when the phone opened it
    loaded = _schema(CaseIn).load({"opened_at": said, **data, "id": str(mutation["id"])})
    case, created = cases.open_case(actor=actor, data=loaded)
    return (case, None), created


def _case_action(actor, mutation, data):
    target = _schema(CaseActionTarget).load(data)
    rest = {k: v for k, v in data.items() if k not in ("case_id", "action")}
    fields = _schema(ACTION_SCHEMAS[target["action"]]).load({"id": str(mutation["id"]), **rest})
    fields.update(id=mutation["id"], at=mutation["at"])
    case, event, applied = cases.act(actor=actor, case_id=target["case_id"], action=target["action"], data=fields)
    return (case, event), applied


def _task(actor, mutation, data):
    task, created = tasks.create_task(actor=actor, data=_schema(TaskIn).load({**data, "id": str(mutation["id"])}))
    return task, created


def _task_action(actor, mutation, data):
    target = _schema(TaskActionTarget).load(data)
    fields = _schema(TaskActionIn).load({k: v for k, v in data.items() if k not in ("task_id", "action")})
    fields.update(id=mutation["id"], at=mutation["at"])
    task, applied = tasks.step_task(actor=actor, task_id=target["task_id"], action=target["action"], data=fields)
    return task, applied


def _household(actor, mutation, data):
    target = _schema(HouseholdTarget).load(data)
    changes = _schema(HouseholdPatch).load({k: v for k, v in data.items() if k != "household_id"})
    household = households.update_household(actor=actor, household_id=target["household_id"], changes=changes)
    return household, True


class NotificationTarget(BaseSchema):
    notification_id = Int(required=True)


def _notification_read(actor, mutation, data):
    target = _schema(NotificationTarget).load(data)
    was_unread = notify.unread(actor=actor, notification_id=target["notification_id"])
    return notify.mark_read(actor=actor, notification_id=target["notification_id"]), was_unread


def _dump_case(actor, touched):
    """The case without its timeline (a result per comment on a long case stays small): the step
    this mutation took, and what the caller may do now. The phone fetches the rest with the case."""
    case, event = touched
    case = cases.get_case(actor=actor, case_id=case.id)  # 404 when no longer visible: left out
    return _schema(CaseStep).dump(cases.case_step(actor=actor, case=case, event=event))


def _dump_task(actor, task):
    return _schema(TaskOut).dump(task)


def _dump_household(actor, household):
    return _schema(HouseholdDetail).dump(households.household_detail(actor=actor, household_id=household.id))


# type -> (apply, dump of the record it touched)
HANDLERS = {
    "visit.create": (_visit, lambda actor, visit: _schema(VisitOut).dump(visit)),
    "case.create": (_case, _dump_case),
    "case.action": (_case_action, _dump_case),
    "task.create": (_task, _dump_task),
    "task.action": (_task_action, _dump_task),
    "household.update": (_household, _dump_household),
    "notification.read": (_notification_read, lambda actor, row: _schema(NotificationOut).dump(row)),
}
MUTATION_TYPES = tuple(HANDLERS)


# Creates and case/task steps are idempotent by their own ids; a profile edit is not (its
# version moves on), so its mutation id is remembered.
REMEMBERED = ("household.update",)


# Records whose id is the mutation's: loading the ones already stored in one query lets a
# resent batch be answered from the session instead of by 500 failed inserts.
KEYED_BY_MUTATION = {"visit.create": Visit, "case.create": Case, "task.create": Task}


def apply_batch(*, actor, mutations):
    """One result per mutation, in order; a failure touches nothing but its own mutation."""
    seen = _already_applied(actor, [m["id"] for m in mutations if m["type"] in REMEMBERED])
    stored = []  # held here: the session's identity map only keeps objects someone refers to
    for type_, model in KEYED_BY_MUTATION.items():
        ids = [m["id"] for m in mutations if m["type"] == type_]
        if ids:
            stored += db.session.scalars(select(model).where(model.id.in_(ids))).all()
    results = [_apply_one(actor, m, seen) for m in mutations]
    del stored
    return results


def _already_applied(actor, ids):
    rows = db.session.scalars(select(AppliedMutation).where(AppliedMutation.id.in_(ids))).all()
    return {row.id: row for row in rows}


def _apply_one(actor, mutation, seen):
    mid = mutation["id"]
    apply, dump = HANDLERS[mutation["type"]]
    done = seen.get(mid)
    if done is not None:
        if done.user_id != actor.id or done.type != mutation["type"]:
            return _result(mid, "conflict", error=_error(Conflict(TEXT["mutation_reused"], code="duplicate_id")))
        household = db.session.get(Household, int(done.ref_id))
        return _result(mid, "duplicate", record=_safe_dump(dump, actor, household))
    try:
        with db.session.begin_nested():
            record, applied = apply(actor, mutation, mutation["data"])
            if mutation["type"] in REMEMBERED:
                seen[mid] = AppliedMutation(id=mid, user_id=actor.id, type=mutation["type"], ref_id=str(record.id))
                db.session.add(seen[mid])
            db.session.flush()
    except ValidationError as exc:
        return _result(mid, "rejected", error=_validation_error(exc))
    except StaleDataError:
        return _result(mid, "conflict", error={"code": "version_conflict", "message": TEXT["stale"]})
    except ApiError as exc:
        return _result(mid, "conflict" if exc.status == 409 else "rejected", error=_error(exc))
    except (SQLAlchemyError, ArithmeticError, ValueError):
        # Whatever slipped past validation must not fail the batch: a 5xx would leave every
        # record queued behind this one on the phone for ever.
        log.exception("sync mutation %s could not be stored", mid)
        return _result(mid, "rejected", error={"code": "unstorable", "status": 422, "message": TEXT["unstorable"]})
    return _result(mid, "applied" if applied else "duplicate", record=_safe_dump(dump, actor, record))


def _safe_dump(dump, actor, ref):
    try:
        return dump(actor, ref)
    except ApiError:  # no longer visible to this phone: say so by leaving it out
        return None


def _result(mid, status, record=None, error=None):
    return {"id": str(mid), "status": status, "record": record, "error": error}


def _error(exc):
    body = {"code": exc.code, "message": exc.message, "status": exc.status}
    if exc.fields:
        body["fields"] = exc.fields
    body.update(exc.rendered_extra())
    return body


def _validation_error(exc):
    return {"code": "invalid", "status": 422, "fields": exc.messages, "message": describe_error(exc.messages)}
