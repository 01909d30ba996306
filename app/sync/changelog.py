"""Every flush of a synced record appends to the change log: one mechanism, no call sites.

Rows are collected per flush (dropped again if their savepoint rolls back) and written in
one insert just before the commit. On PostgreSQL a transaction-scoped advisory lock (one per
schema) is taken first, so sequence numbers become visible in commit order and a reader's
cursor never skips a row that commits late.

Each row of a household's records also carries where the household is at commit (its member,
org unit, whether archived), and a move rewrites those on all its earlier rows, so the feed
reads a scope's rows in seq order from one index and sees what the records' own scope sees.
"""
from sqlalchemy import event, inspect, select, text, update
from sqlalchemy.orm import Session, object_session

from app.cases.models import Case
from app.households.models import Household
from app.notify.models import Notification
from app.sync.models import Change
from app.tasks.models import Task
from app.visits.models import Visit


def _entries(obj):
    """The log rows a changed object calls for."""
    if isinstance(obj, Household):
        return [dict(entity="household", entity_id=str(obj.id), household_id=obj.id), *_moved(obj)]
    if isinstance(obj, Visit):
        return [dict(entity="visit", entity_id=str(obj.id), household_id=obj.household_id)]
    if isinstance(obj, Case):
        return [dict(entity="case", entity_id=str(obj.id), household_id=obj.household_id,
                     department_id=obj.department_id)]
    if isinstance(obj, Task):
        rows = [dict(entity="task", entity_id=str(obj.id), user_id=uid) for uid in {obj.assignee_id, obj.assigner_id}]
        case = obj.case_id and object_session(obj).get(Case, obj.case_id)
        if case:  # whoever sees the case sees its tasks
            rows.append(dict(entity="task", entity_id=str(obj.id), household_id=case.household_id,
                             department_id=case.department_id))
        return rows
    if isinstance(obj, Notification):
        return [dict(entity="notification", entity_id=str(obj.id), user_id=obj.user_id)]
    return []


def _moved(household):
    """A household given to another member or grid, archived or restored: remember where it
    was, so the phones that had it drop it and the phones that get it receive its history."""
    state = inspect(household)
    member, unit = state.attrs.member_id.history, state.attrs.org_unit_id.history
    archived = state.attrs.archived_at.history
    if not (member.deleted or unit.deleted or archived.deleted or (archived.added and archived.added[0] is not None)):
        return []
    return [dict(entity="move", entity_id=str(household.id), household_id=household.id,
                 old_member_id=(member.deleted or [household.member_id])[0],
                 old_org_unit_id=(unit.deleted or [household.org_unit_id])[0])]


def _after_flush(session, _context):
    """new/dirty and attribute history still show the flushed changes here; the rows wait
    for the commit, so a batch of 500 writes costs one insert."""
    changed = list(session.new) + [o for o in session.dirty if session.is_modified(o)]
    session.info.setdefault(_ROWS, []).extend(row for obj in changed for row in _entries(obj))


def _before_commit(session):
    if session.in_nested_transaction():
        return
    session.flush()  # commit flushes after this hook: log those changes too
    rows = session.info.pop(_ROWS, [])
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('baolian-sync:' || current_schema()))"))
    places = _placements(session, {r["household_id"] for r in rows if r.get("household_id") is not None})
    conn.execute(Change.__table__.insert(), [{**BLANK, **r, **_placed(r, places)} for r in rows])
    moved = {r["household_id"] for r in rows if r["entity"] == "move"}
    table = Change.__table__
    for hid in sorted(moved & places.keys()):  # its earlier rows follow it: read where it is now
        conn.execute(update(table).where(table.c.household_id == hid, table.c.entity != "move")
                     .values(**places[hid]))


BLANK = dict(old_member_id=None, old_org_unit_id=None, household_id=None, user_id=None, department_id=None,
             member_id=None, org_unit_id=None, village_id=None, archived=False)


def _placed(row, places):
    """A move is filed under where the household was; anything else under where it is."""
    place = places.get(row.get("household_id"), {})
    if row["entity"] == "move":  # its village never changes, only its grid and member
        return dict(place, member_id=row["old_member_id"], org_unit_id=row["old_org_unit_id"])
    return place


def _placements(session, hids):
    """{household id: its member, unit, village and archived flag}, read after the lock: a move
    committed meanwhile by another writer is seen, and its rows and these agree."""
    if not hids:
        return {}
    rows = session.connection().execute(select(Household.id, Household.member_id, Household.org_unit_id,
                                               Household.village_id, Household.archived_at)
                                        .where(Household.id.in_(sorted(hids))))
    return {hid: dict(member_id=member_id, org_unit_id=org_unit_id, village_id=village_id,
                      archived=archived_at is not None)
            for hid, member_id, org_unit_id, village_id, archived_at in rows}


def _savepoint_started(session, transaction):
    if transaction.nested:
        session.info.setdefault(_MARKS, {})[transaction] = len(session.info.get(_ROWS, []))


def _rolled_back(session, transaction):
    """Changes undone by a rollback are not logged: back to where the savepoint began."""
    mark = session.info.get(_MARKS, {}).pop(transaction, None) if transaction.nested else 0
    if mark is not None and _ROWS in session.info:
        del session.info[_ROWS][mark:]


def _ended(session, transaction):
    if transaction.parent is None:
        session.info.pop(_ROWS, None)
        session.info.pop(_MARKS, None)


_ROWS, _MARKS = "sync_rows", "sync_marks"
HOOKS = (("after_flush", _after_flush), ("before_commit", _before_commit),
         ("after_transaction_create", _savepoint_started), ("after_soft_rollback", _rolled_back),
         ("after_transaction_end", _ended))


def install():
    if not event.contains(Session, "after_flush", _after_flush):
        for name, hook in HOOKS:
            event.listen(Session, name, hook)
