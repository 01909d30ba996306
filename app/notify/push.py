"""Web Push subscriptions per device: validated, one row per endpoint."""
from flask import current_app
from sqlalchemy import select, update

from app.errors import Forbidden, Invalid
from app.extensions import db
from app.messages import NOTIFY_TEXT
from app.notify.channels import webpush
from app.notify.models import Delivery, PushSubscription


def server_key():
    return webpush.public_key(current_app.config)


def subscribe(*, actor, data):
    """Store (or move to this user) the browser's subscription; the endpoint must be allowed."""
    endpoint = data["endpoint"]
    if not webpush.endpoint_allowed(current_app.config, endpoint):
        raise Invalid("endpoint", NOTIFY_TEXT["endpoint_refused"])
    bad = webpush.bad_key(data["keys"])
    if bad is not None:
        raise Invalid(bad, NOTIFY_TEXT[f"bad_{bad}"])
    sub = db.session.scalars(select(PushSubscription).where(PushSubscription.endpoint == endpoint)).first()
    created = sub is None
    if created:
        sub = PushSubscription(endpoint=endpoint)
        db.session.add(sub)
    elif sub.user_id != actor.id:
        # A phone that changed hands: what was still on its way to the last person stays theirs.
        db.session.execute(update(Delivery).where(
            Delivery.channel == "webpush", Delivery.target == str(sub.id), Delivery.status == "pending",
        ).values(status="gone", last_error="device now used by another person"))
    sub.user_id, sub.p256dh, sub.auth = actor.id, data["keys"]["p256dh"], data["keys"]["auth"]
    db.session.flush()
    return sub, created


def unsubscribe(*, actor, endpoint):
    """Forget a device; another person's subscription is not theirs to remove."""
    sub = db.session.scalars(select(PushSubscription).where(PushSubscription.endpoint == endpoint)).first()
    if sub is None:
        return False
    if sub.user_id != actor.id:
        raise Forbidden(NOTIFY_TEXT["not_your_device"])
    db.session.delete(sub)
    db.session.flush()
    return True
