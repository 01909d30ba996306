"""Delivery channels behind one interface (see base.py). Web Push first; WeCom for cadres who
live in 企业微信; SMS for every phone, smartphone or not, for work waiting and lateness only."""
from app.notify.channels.base import Outcome  # noqa: F401
from app.notify.channels.safety import install_log_filter
from app.notify.channels.sms import SmsChannel
from app.notify.channels.webpush import WebPushChannel
from app.notify.channels.wecom import WeComChannel

install_log_filter()


def registry():
    """Every channel the code knows, by name; each says itself whether it is configured."""
    return {c.name: c for c in (WebPushChannel(), WeComChannel(), SmsChannel())}
