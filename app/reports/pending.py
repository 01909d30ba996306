"""The summary deltas of a transaction not yet written: every flush adds to those of the
transaction or savepoint it runs in, and they are written once, before the transaction commits
or before a summary is read in it (summaries.flush_pending), instead of once per flush.

A savepoint released hands its deltas to the transaction around it; one rolled back drops them,
as the database drops its rows. Deltas of the transactions around a savepoint written while it
was open go back to them if it rolls back, since the database takes those writes back too.
"""
from sqlalchemy.orm import scoped_session

from app.reports.deltas import Deltas

_PENDING = "report_pending"  # transaction or savepoint -> its Deltas not yet written
_WRITTEN = "report_written"  # savepoint -> [(transaction around it, Deltas written inside it)]


def current(session):
    """The Deltas a flush running now adds to."""
    level = session.get_nested_transaction() or session.get_transaction()
    return session.info.setdefault(_PENDING, {}).setdefault(level, Deltas())


def take(session):
    """Every pending delta, the outer transactions' first, as one Deltas (None if there are
    none); what a savepoint open now takes of the outer ones is kept to give back."""
    pending = session.info.get(_PENDING)
    if not pending:
        return None
    inner = session.get_nested_transaction()
    combined = Deltas()
    for level, deltas in sorted(pending.items(), key=lambda item: _depth(item[0])):
        combined.merge(deltas)
        if inner is not None and level is not inner:
            session.info.setdefault(_WRITTEN, {}).setdefault(inner, []).append((level, deltas))
    pending.clear()
    return combined


def discard(session):
    """Forget every pending delta (a recount from the rows has just replaced the summaries)."""
    session = session() if isinstance(session, scoped_session) else session
    session.info.pop(_PENDING, None)
    session.info.pop(_WRITTEN, None)


def _depth(transaction):
    depth = 0
    while transaction.parent is not None:
        depth, transaction = depth + 1, transaction.parent
    return depth


def _around(savepoint):
    """The savepoint or transaction a savepoint's deltas go to when it is released."""
    outer = savepoint.parent
    while not outer.nested and outer.parent is not None:
        outer = outer.parent
    return outer


def after_commit(session):
    """A savepoint released: its deltas, and what it must give back if an outer one rolls back,
    go to the transaction around it."""
    savepoint = session.get_nested_transaction()
    if savepoint is None:
        return
    outer = _around(savepoint)
    pending = session.info.get(_PENDING, {})
    mine = pending.pop(savepoint, None)
    if mine is not None:
        pending[outer] = pending[outer].merge(mine) if outer in pending else mine
    written = session.info.get(_WRITTEN, {}).pop(savepoint, None)
    if written and outer.nested:
        session.info[_WRITTEN].setdefault(outer, []).extend(w for w in written if w[0] is not outer)


def after_transaction_end(session, transaction):
    """A savepoint rolled back drops its deltas and takes back what it wrote of the outer ones."""
    if transaction.parent is None:
        discard(session)
        return
    if not transaction.nested:
        return
    pending = session.info.setdefault(_PENDING, {})
    pending.pop(transaction, None)
    for level, deltas in session.info.get(_WRITTEN, {}).pop(transaction, ()):  # in the order written
        pending[level] = pending[level].merge(deltas) if level in pending else deltas
