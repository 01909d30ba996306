"""Delivery channels behind one interface (see base.py). Web Push first; WeCom for cadres who
live in 企业微信; SMS is the next channel and plugs in the same way."""
from app.notify.channels.base import Outcome  # noqa: F401


def registry():
    """Every channel the code knows, by name; each says itself whether it is configured."""
    from app.notify.channels.webpush import WebPushChannel
    from app.notify.channels.wecom import WeComChannel

    return {c.name: c for c in (WebPushChannel(), WeComChannel())}
