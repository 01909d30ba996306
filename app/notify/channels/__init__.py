"""Delivery channels behind one interface (see base.py). Web Push first; WeCom for cadres who
live in 企业微信; SMS is the next channel and plugs in the same way."""
from app.notify.channels.base import Outcome  # noqa: F401
from app.notify.channels.safety import install_log_filter
from app.notify.channels.webpush import WebPushChannel
from app.notify.channels.wecom import WeComChannel

install_log_filter()


def registry():
    """Every channel the code knows, by name; each says itself whether it is configured."""
    return {c.name: c for c in (WebPushChannel(), WeComChannel())}
