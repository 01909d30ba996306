"""Ids of the records phones could have made (visits, cases, events, tasks): UUIDs that share
one random run number, so every pass over the plan names the same record the same way, and
two runs never collide."""
import secrets
import uuid


def new_run():
    return secrets.randbits(62)


def record_id(run, kind, n):
    """The n-th record of one kind in this run."""
    return uuid.UUID(int=(run << 66) | (kind << 58) | n)
