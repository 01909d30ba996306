"""Times a phone reports for a step: kept on the timeline as what the phone said, but never
allowed to run backwards past the step before it or ahead of the server's clock. Reports use
the server's own times."""
from datetime import timedelta

from flask import current_app

from app.common.time import utcnow
from app.errors import Invalid
from app.messages import TEXT


def step_time(at, *, after=None, field="at"):
    """The device time of a step, checked: not before `after` (the previous step) and not after
    the server's now plus the allowed skew. A missing time is the server's now."""
    now = utcnow()
    if at is None:
        return now
    skew = timedelta(minutes=current_app.config["VISIT_FUTURE_TOLERANCE_MINUTES"])
    if at > now + skew:
        raise Invalid(field, TEXT["step_in_future"])
    if after is not None and at < after:
        raise Invalid(field, TEXT["step_before_previous"])
    return at
