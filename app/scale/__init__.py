"""A province-shaped dataset beside the demo district, for measuring that every list stays flat.

Usage:

    flask --app wsgi seed-scale --households 1000000     # default 10^6; refuses if scale data exists
    flask --app wsgi seed-scale --households 100000 --append   # add more counties to it
    flask --app wsgi seed-scale --households 2000 --residents  # also one resident per household

From Python (inside an app context; flushes, never commits; answers ({table: rows}, seconds)):

    from app.scale import seed_scale, scale_user
    counts, seconds = seed_scale(100_000)
    db.session.commit()
    member = scale_user(Role.MEMBER)          # the first scale member (a User), for logging in
    officer = scale_user(Role.TOWNSHIP)       # password: app.org.demo.DEMO_PASSWORD

Shape (shape.py): 10 households per member, 3 members per informant, 3 informants per grid
(90 households, plus a grid leader), 5 grids per village (450, a secretary), 20 villages per
township (9,000, two officers), 10 townships per county (a county is a root unit of kind
district with its own admin and the six departments, two staff each). About two visits per
household, a case on 10 % of households still open at every level and status, 5 % closed out
(with 回访), 1 % resolved awaiting 回访; timelines, tasks, the inbox and the sync change log
as the app writes them (derived.py says what else is kept consistent and why).

Scale rows are told from the demo by their root units' names (SCALE_PREFIX, 规模001区 ...)
and their logins (SCALE_PHONE_PREFIX, 100xxxxxxxx). Every scale login shares one password
hash, made once per run: the demo password. PostgreSQL takes the rows by COPY, SQLite by
multi-row INSERTs (fine for small N).
"""
from sqlalchemy import select

from app.extensions import db
from app.org.models import User
from app.scale.plan import SCALE_PHONE_PREFIX, SCALE_PREFIX
from app.scale.seed import ScaleDataExists, scale_logins, scale_roots, seed_scale

__all__ = ["SCALE_PHONE_PREFIX", "SCALE_PREFIX", "ScaleDataExists", "scale_logins", "scale_roots", "scale_user",
           "seed_scale"]


def scale_user(role, n=0):
    """The n-th scale user of a role, in id order (the first member covers the first ten households)."""
    return db.session.scalars(select(User).where(User.phone.startswith(SCALE_PHONE_PREFIX), User.role == role)
                              .order_by(User.id).offset(n).limit(1)).first()
