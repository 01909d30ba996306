"""GET /api/sync: what changed in the caller's scope since a cursor, removals included.

Without a cursor the caller gets a snapshot of its scope, in resumable pages, then a cursor
into the change log taken before the snapshot began (so nothing is missed; repeats are
harmless upserts).
"""
import uuid
from datetime import timedelta

from sqlalchemy import func, select, union, union_all
from sqlalchemy.sql import operators

from app.cases.models import Case
from app.cases.schemas import CaseOut
from app.cases.service import CaseView
from app.common.pagination import after_clause, coerce_cursor, cursor_value, decode_cursor, encode_cursor
from app.common.time import utcnow
from app.errors import Invalid
from app.extensions import db
from app.households.models import Household
from app.households.schemas import HouseholdOut
from app.households.service import with_last_visits
from app.messages import TEXT
from app.notify.models import Notification
from app.notify.schemas import NotificationOut
from app.policy import scope
from app.sync.models import Change
from app.tasks.models import Task
from app.tasks.schemas import TaskOut
from app.visits.models import Visit
from app.visits.schemas import VisitOut

PHASES = ("household", "case", "visit", "task", "notification")
SNAPSHOT_VISIT_DAYS = 365


def feed(*, actor, cursor=None, limit=200):
    if cursor is None:
        return _snapshot(actor, 0, None, _head(), limit)
    # [phase index or -1, last key in phase, log seq, the actor's scope version]
    phase, after, seq, stamp = decode_cursor(cursor, 4)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (seq, phase, stamp)) \
            or not -1 <= phase < len(PHASES) or not 0 <= seq < 2**63:
        raise Invalid("cursor", TEXT["bad_cursor"])
    if stamp != actor.scope_version:  # what they may see changed: their copy starts again
        return {**_snapshot(actor, 0, None, _head(), limit), "reset": True}
    if phase >= 0:
        return _snapshot(actor, phase, after, seq, limit)
    return _incremental(actor, seq, limit)


def _head():
    return db.session.scalar(select(func.coalesce(func.max(Change.seq), 0)))


# ---- snapshot -----------------------------------------------------------------------------

def _phase_query(actor, name):
    """(statement, key column) of everything of one kind in the actor's scope."""
    if name == "household":
        return select(Household).where(scope.household_filter(actor)), Household.id
    if name == "case":
        return select(Case).where(scope.case_filter(actor)), Case.created_at
    if name == "visit":
        since = utcnow() - timedelta(days=SNAPSHOT_VISIT_DAYS)
        return (select(Visit).where(Visit.household_id.in_(scope.visible_households(actor)),
                                    Visit.visited_at >= since), Visit.recorded_at)
    if name == "task":
        return select(Task).where(scope.task_filter(actor)), Task.created_at
    return select(Notification).where(scope.notification_filter(actor)), Notification.id


def _snapshot(actor, phase, after, seq, limit):
    name = PHASES[phase]
    stmt, key = _phase_query(actor, name)
    model = stmt.column_descriptions[0]["entity"]
    keys = [key, model.id] if key is not model.id else [model.id]
    if after is not None:
        stmt = stmt.where(after_clause(keys, coerce_cursor(keys, after)))
    rows = db.session.scalars(stmt.order_by(*keys).limit(limit + 1)).all()
    more_here = len(rows) > limit
    rows = rows[:limit]
    changes = [{"type": name, "op": "upsert", "id": str(r.id), "record": r} for r in rows]
    changes = _dump(actor, changes)
    if more_here:
        last = rows[-1]
        nxt = [phase, [cursor_value(last, k) for k in keys], seq, actor.scope_version]
    elif phase + 1 < len(PHASES):
        nxt = [phase + 1, None, seq, actor.scope_version]
    else:
        nxt = [-1, None, seq, actor.scope_version]
    return {"changes": changes, "cursor": encode_cursor(nxt), "more": nxt[0] != -1}


# ---- incremental ---------------------------------------------------------------------------

def _changes_after(actor, seq, limit):
    """The next `limit` log rows in scope after `seq`: each branch of the scope read in order
    from its own index and merged (the database stops each at the page), then read by key."""
    clauses = scope.change_filter(actor)
    if len(clauses) == 1:
        return db.session.scalars(select(Change).where(Change.seq > seq, clauses[0])
                                  .order_by(Change.seq).limit(limit)).all()
    branches = [select(Change.seq).where(Change.seq > seq, clause).order_by(Change.seq).limit(limit).subquery()
                for clause in clauses]
    merged = union_all(*(select(b.c.seq) for b in branches)).subquery()
    seqs = db.session.scalars(select(merged.c.seq).order_by(merged.c.seq).limit(limit)).all()
    if not seqs:
        return []
    return db.session.scalars(select(Change).where(Change.seq.in_(seqs)).order_by(Change.seq)).all()


def _incremental(actor, seq, limit):
    rows = _changes_after(actor, seq, limit)
    latest = {}
    for row in rows:  # the newest mention of a record is enough: records are sent whole
        latest.pop((row.entity, row.entity_id), None)
        latest[(row.entity, row.entity_id)] = row
    changes = _load_current(actor, list(latest.values()))
    changes += _history_of_arrivals(actor, changes, seq)
    nxt = rows[-1].seq if rows else seq
    return {"changes": changes, "cursor": encode_cursor([-1, None, nxt, actor.scope_version]),
            "more": len(rows) == limit}


def _load_current(actor, rows):
    """Fetch each mentioned record as it is now, one query per kind; a moved household that
    is no longer visible becomes a removal."""
    wanted = {}
    for row in rows:
        kind = "household" if row.entity == "move" else row.entity
        wanted.setdefault(kind, set()).add(row.entity_id)
    found = {}
    for kind, ids in wanted.items():
        stmt, _ = _phase_query(actor, kind)
        model = stmt.column_descriptions[0]["entity"]
        typed = [int(i) if kind in ("household", "notification") else uuid.UUID(i) for i in ids]
        if kind == "visit":  # a visit of any age, as long as its household is in scope
            stmt = select(Visit).where(Visit.household_id.in_(scope.visible_households(actor)))
        for record in db.session.scalars(_by_key(model, typed, stmt.whereclause)):
            found[(kind, str(record.id))] = record
    changes = []
    for row in rows:
        kind = "household" if row.entity == "move" else row.entity
        record = found.get((kind, row.entity_id))
        if record is not None:
            changes.append({"type": kind, "op": "upsert", "id": row.entity_id, "record": record})
        elif row.entity in ("move", "case", "task"):  # logged in scope, out of it now: the phone drops it
            changes.append({"type": kind, "op": "remove", "id": row.entity_id, "record": None})
    return _dump(actor, _dedupe(changes))


def _by_key(model, ids, scope_clause):
    """The records among `ids` that `scope_clause` lets through, read by primary key. A scope
    that is an OR is asked term by term: as one OR, a term with a subquery (a task's case in
    scope) is answered by hashing that subquery's whole result, every case of a township."""
    terms = list(scope_clause.clauses) if getattr(scope_clause, "operator", None) is operators.or_ else [scope_clause]
    if len(terms) == 1:
        return select(model).where(model.id.in_(ids), scope_clause)
    return select(model).where(model.id.in_(union(*(select(model.id).where(model.id.in_(ids), t) for t in terms))))


def _history_of_arrivals(actor, changes, seq):
    """A household that moved to this phone comes with its cases and recent visits, which the
    phone has never been sent."""
    homes = [int(c["id"]) for c in changes if c["type"] == "household" and c["op"] == "upsert"]
    if not homes:
        return []
    moved = [int(i) for i in db.session.scalars(select(Change.entity_id).where(
        Change.entity == "move", Change.seq > seq, Change.household_id.in_(homes))).all()]
    if not moved:
        return []
    history = []
    for kind in ("case", "visit"):
        stmt, _ = _phase_query(actor, kind)
        model = stmt.column_descriptions[0]["entity"]
        for record in db.session.scalars(stmt.where(model.household_id.in_(moved))):
            history.append({"type": kind, "op": "upsert", "id": str(record.id), "record": record})
    return _dump(actor, history)


def _dedupe(changes):
    out = {}
    for change in changes:
        out.pop((change["type"], change["id"]), None)
        out[(change["type"], change["id"])] = change
    return list(out.values())


SCHEMAS = {"case": CaseOut(), "visit": VisitOut(), "task": TaskOut(), "notification": NotificationOut()}


def _dump(actor, changes):
    """Serialise records with the same schemas as the single routes; households in one batch."""
    homes = [c["record"] for c in changes if c["type"] == "household" and c["record"] is not None]
    views = {v["id"]: v for v in with_last_visits(homes)} if homes else {}
    now = utcnow()
    for change in changes:
        record = change["record"]
        if record is None:
            continue
        if change["type"] == "household":
            change["record"] = HouseholdOut().dump(views[record.id])
        elif change["type"] == "case":
            change["record"] = SCHEMAS["case"].dump(CaseView(record, now))
        else:
            change["record"] = SCHEMAS[change["type"]].dump(record)
    return changes
