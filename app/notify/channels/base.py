"""The channel interface.

A channel answers three questions: is it configured (`enabled`), where can it reach a person
(`targets`, fixed when the notification is written), and what happened when it tried
(`send` returns an Outcome). The dispatcher owns retries, backoff and the delivery log.

A channel object lives for one pass of the dispatcher. `send` runs while the pass holds its
claimed outbox rows locked, so it must not lock anything else (another worker may hold the
same rows in another order: a deadlock); bookkeeping such as forgetting a dead device waits
for `settle`, which runs after the outcomes are committed, in a short transaction of its own.

A reason is short text for the delivery log that admins read: never an exception's message or
a URL (see safety.py; the dispatcher redacts every reason once more).
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | retry | failed | gone | superseded
    reason: str = ""
    retry_after: float | None = None  # seconds, from the service's Retry-After

    @classmethod
    def sent(cls):
        return cls("sent")

    @classmethod
    def retry(cls, reason, retry_after=None):
        return cls("retry", reason, retry_after)

    @classmethod
    def failed(cls, reason):
        return cls("failed", reason)

    @classmethod
    def gone(cls, reason):
        return cls("gone", reason)

    @classmethod
    def superseded(cls, reason):
        """The target now belongs to someone else: final, and nothing was sent."""
        return cls("superseded", reason)


class Channel:
    name = ""

    def enabled(self, config):
        raise NotImplementedError

    def carries(self, config, kind):
        """Whether a notification of this kind goes out on this channel at all."""
        return True

    def daily_limit(self, config):
        """Most deliveries to one target per day (China time); None: no limit."""
        return None

    def first_attempt(self, config, now):
        """When a delivery queued now may first be tried (a channel may hold it for the morning)."""
        return now

    def targets(self, users):
        """{user id: [target strings]} for these users now (none: the channel cannot reach them)."""
        raise NotImplementedError

    def send(self, *, config, target, payload, recipient):
        """Deliver `payload` ({type, id, title, body, kind}) to one target of the user
        `recipient` (an id: the target must still be theirs); never raise."""
        raise NotImplementedError

    def settle(self, now):
        """After the pass's outcomes are committed: write what the sends learned (the
        dispatcher commits). `send` itself writes nothing."""
