"""Web Push subscriptions per device: validated, one row per endpoint.

A phone that changes hands (decided after a security audit). A phone browser has one push
endpoint per origin, and the app posts it (often with the same keys) for whoever is logged
in. Nobody can prove they own an endpoint (endpoints are not secret), and the browser did
issue it to the person now logged in, so posting a known endpoint re-binds it to the poster:
the device now belongs to the new login. What that must not cost the previous owner:

- their notifications stay in their inbox (inbox rows are separate from deliveries);
- their push deliveries still pending for that device end as "superseded", with the reason
  in the delivery log: not "gone" (the push service said nothing of the kind) and not sent;
- none of their notifications is ever encrypted to the device's keys once it is re-bound:
  every send checks that the subscription row (owner and keys read together) still belongs
  to the recipient, so a row a worker held during the re-binding is superseded then.

A send already under way when the phone is re-bound finishes (to the keys that were the
previous owner's when it was read); nothing can recall a message a push service has.

Removing a subscription answers 204 whether it was the caller's, someone else's (kept), or
unknown: the answer must not tell whose an endpoint is, and removing what one does not have
is idempotent.
"""
from flask import current_app
from sqlalchemy import delete, select, update

from app.errors import Invalid
from app.extensions import db
from app.messages import NOTIFY_TEXT
from app.notify.channels import endpoints, webpush
from app.notify.models import Delivery, Notification, PushSubscription


def server_key():
    return webpush.public_key(current_app.config)


def subscribe(*, actor, data):
    """Store (or re-bind to this user) the browser's subscription; the endpoint must be allowed."""
    endpoint = endpoints.target(current_app.config, data["endpoint"])
    if endpoint is None:
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
        supersede_pending(sub, actor)
    sub.user_id, sub.p256dh, sub.auth = actor.id, data["keys"]["p256dh"], data["keys"]["auth"]
    db.session.flush()
    return sub, created


def supersede_pending(sub, actor):
    """Others' pending pushes to this device end as superseded. Rows a worker holds are
    skipped, not waited for (a request must not wait on a slow push service): the send
    itself then finds the device re-bound and records the same."""
    pending = (select(Delivery.id).join(Notification, Notification.id == Delivery.notification_id)
               .where(Delivery.channel == "webpush", Delivery.target == str(sub.id), Delivery.status == "pending",
                      Notification.user_id != actor.id))
    if db.session.get_bind().dialect.name == "postgresql":
        pending = pending.with_for_update(skip_locked=True, of=Delivery)
    ids = db.session.scalars(pending).all()
    if ids:
        db.session.execute(update(Delivery).where(Delivery.id.in_(ids))
                           .values(status="superseded", last_error=webpush.SUPERSEDED)
                           .execution_options(synchronize_session=False))


def unsubscribe(*, actor, endpoint):
    """Forget the caller's device; anyone else's is left alone, and the answer is the same."""
    endpoint = endpoints.canonical(endpoint) or endpoint
    db.session.execute(delete(PushSubscription).where(PushSubscription.endpoint == endpoint,
                                                      PushSubscription.user_id == actor.id)
                       .execution_options(synchronize_session=False))
    db.session.flush()
