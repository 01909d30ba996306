"""Keyset (cursor) pagination: the cost of a page never grows with the table."""
import base64
import json
import uuid
from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import BigInteger, SmallInteger, and_, bindparam, or_, select, tuple_, union_all

from app.errors import Invalid
from app.messages import TEXT


def encode_cursor(values):
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


MAX_CURSOR_LENGTH = 512


def decode_cursor(cursor, size):
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError, RecursionError):
        raise Invalid("cursor", TEXT["bad_cursor"]) from None
    if not isinstance(values, list) or len(values) != size:
        raise Invalid("cursor", TEXT["bad_cursor"])
    return values


def page_size(limit):
    cfg = current_app.config
    return min(limit or cfg["PAGE_SIZE"], cfg["PAGE_SIZE_MAX"])


def coerce_cursor(keys, values):
    """A cursor comes from the client: rebuild typed values or refuse it."""
    if not isinstance(values, list) or len(values) != len(keys):
        raise Invalid("cursor", TEXT["bad_cursor"])
    try:
        return [_typed(key.type, value) for key, value in zip(keys, values)]
    except (TypeError, ValueError, OverflowError):
        raise Invalid("cursor", TEXT["bad_cursor"]) from None


def _typed(column_type, value):
    """The value as the column would store it; anything the database could not take (a date
    that overflows when turned into UTC, an integer past the column) is refused here."""
    kind = column_type.python_type
    if kind is datetime:
        value = datetime.fromisoformat(_text(value))
        if value.tzinfo is None:
            raise ValueError
        return value.astimezone(timezone.utc)  # year 1 at +05:00 has no UTC: OverflowError
    if kind is uuid.UUID:
        return uuid.UUID(_text(value))
    if kind is int:
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) > int_max(column_type):
            raise ValueError
        return value
    return kind(_text(value))


def int_max(column_type):
    """The largest value an integer column holds on every database we run on."""
    if isinstance(column_type, BigInteger):
        return 2**63 - 1
    if isinstance(column_type, SmallInteger):
        return 2**15 - 1
    return 2**31 - 1


def _text(value):
    if not isinstance(value, str):
        raise TypeError
    return value


def paginate(session, stmt, *, keys, cursor=None, limit=None, descending=False):
    """Run `stmt` ordered by `keys` (unique together), starting after `cursor`.

    Returns (rows, next_cursor).
    """
    size = page_size(limit)
    if cursor:
        values = coerce_cursor(keys, decode_cursor(cursor, len(keys)))
        stmt = stmt.where(after_clause(keys, values, descending))
    order = [k.desc() if descending else k.asc() for k in keys]
    rows = session.scalars(stmt.order_by(*order).limit(size + 1)).all()
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = None
    if more:
        last = rows[-1]
        next_cursor = encode_cursor([cursor_value(last, k) for k in keys])
    return rows, next_cursor


def cursor_value(row, column):
    value = getattr(row, column.key)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value.isoformat() if hasattr(value, "isoformat") else value


def after_clause(keys, values, descending=False):
    """(a, b) > (x, y) written portably: a > x OR (a = x AND b > y)."""
    clauses = []
    for i, key in enumerate(keys):
        eq = [keys[j] == values[j] for j in range(i)]
        cmp = key < values[i] if descending else key > values[i]
        clauses.append(and_(*eq, cmp))
    return or_(*clauses)


def paginate_by_ids(session, stmt, *, entity, keys, cursor=None, limit=None, descending=False):
    """`paginate`, with the page chosen by a statement of the keys alone, then its rows (and
    their eager-loaded relations) loaded by joining that page.

    A scope filter next to half a dozen eager joins is past what PostgreSQL reorders, so it
    would join every row of the table before filtering; a page of keys is planned on its
    own, on the scope's indexes.
    """
    size = page_size(limit)
    page = stmt.with_only_columns(*keys)
    if cursor:
        values = coerce_cursor(keys, decode_cursor(cursor, len(keys)))
        page = page.where(after_clause(keys, values, descending))
    order = [k.desc() if descending else k.asc() for k in keys]
    page = page.order_by(*order).limit(size + 1).subquery()
    rows = session.scalars(
        select(entity).select_from(page).join(entity, and_(*(k == page.c[k.key] for k in keys)))
        .order_by(*order)
    ).unique().all()
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = encode_cursor([cursor_value(rows[-1], k) for k in keys]) if more else None
    return rows, next_cursor


def paginate_branches_by_ids(session, stmts, *, entity, keys, cursor=None, limit=None, descending=False):
    """`paginate_by_ids` over the union of `stmts` (disjoint parts of one scope, each served
    by an index in key order): each part gives at most a page of keys, in order, from its own
    index; the pages are merged and cut to one, then its rows loaded. The cost is one page per
    part, whatever the size of the table or of the parts."""
    size = page_size(limit)
    order = [k.desc() if descending else k.asc() for k in keys]
    bounds = []
    if cursor:
        values = coerce_cursor(keys, decode_cursor(cursor, len(keys)))
        # As one row comparison, which the index is entered at (ties on the first key included).
        row, at = tuple_(*keys), tuple_(*(bindparam(None, v, type_=k.type) for k, v in zip(keys, values)))
        bounds = [row < at if descending else row > at]
    parts = [stmt.with_only_columns(*keys).where(*bounds).order_by(*order).limit(size + 1).subquery()
             for stmt in stmts]
    if not parts:
        return [], None
    merged = union_all(*(select(*(part.c[k.key] for k in keys)) for part in parts)).subquery()
    merged_order = [merged.c[k.key].desc() if descending else merged.c[k.key].asc() for k in keys]
    page = select(merged).order_by(*merged_order).limit(size + 1).subquery()
    rows = session.scalars(
        select(entity).select_from(page).join(entity, and_(*(k == page.c[k.key] for k in keys)))
        .order_by(*order)
    ).unique().all()
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = encode_cursor([cursor_value(rows[-1], k) for k in keys]) if more else None
    return rows, next_cursor
