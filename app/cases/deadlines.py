"""Response deadlines per level, from the configuration."""
from datetime import timedelta

from flask import current_app


def deadline(level, urgency, start):
    hours = current_app.config["CASE_DEADLINE_HOURS"][level]
    if urgency == "urgent":
        hours /= 2
    return start + timedelta(hours=hours)
