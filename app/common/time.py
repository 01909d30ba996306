"""Time: stored in UTC, always handed out timezone-aware."""
from datetime import datetime, time, timedelta, timezone

from sqlalchemy.types import DateTime, TypeDecorator

_source = None  # tests set a controllable clock here
LOCAL_TZ = timezone(timedelta(hours=8))  # China Standard Time, no daylight saving: the users' day


def utcnow():
    return _source() if _source is not None else datetime.now(timezone.utc)


def local_midnight(moment):
    """The start of `moment`'s day in China, as an aware datetime."""
    return datetime.combine(moment.astimezone(LOCAL_TZ).date(), time(), LOCAL_TZ)


def next_in_hours(moment, hours):
    """`moment` if its China-time hour is within [start, end), else the next start of that
    window: for what should not wake a household at night."""
    start, end = hours
    local = moment.astimezone(LOCAL_TZ)
    if start <= local.hour < end:
        return moment
    day = local.date() + timedelta(days=1 if local.hour >= end else 0)
    return datetime.combine(day, time(start), LOCAL_TZ).astimezone(timezone.utc)


class UTCDateTime(TypeDecorator):
    """SQLite forgets offsets; normalise to UTC on the way in, re-attach it on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self):  # TypeDecorator answers `object`; pagination rebuilds cursors from this
        return datetime

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused; pass an aware one")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
