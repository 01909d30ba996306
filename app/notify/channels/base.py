"""The channel interface.

A channel answers three questions: is it configured (`enabled`), where can it reach a person
(`targets`, fixed when the notification is written), and what happened when it tried
(`send` returns an Outcome). The dispatcher owns retries, backoff and the delivery log.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | retry | failed | gone
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


class Channel:
    name = ""

    def enabled(self, config):
        raise NotImplementedError

    def targets(self, user):
        """Target strings for this user now (empty: the channel cannot reach them)."""
        raise NotImplementedError

    def send(self, *, config, target, payload):
        """Deliver `payload` ({type, id, title, body, kind}) to one target; never raise."""
        raise NotImplementedError
