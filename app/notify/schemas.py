from marshmallow import EXCLUDE, fields

from app.common.fields import BaseSchema, Bool, Int, Nested, Page, PatchSchema, Str, length_between, one_of, page_of
from app.notify.channels import registry


class RefOut(BaseSchema):
    type = fields.String()
    id = fields.String()


class NotificationOut(BaseSchema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    body = fields.String()
    ref = fields.Method("_ref", metadata={"description": "{type, id}：相关的任务或问题"})
    created_at = fields.AwareDateTime()
    read_at = fields.AwareDateTime(allow_none=True)

    def _ref(self, row):
        return {"type": row.ref_type, "id": row.ref_id} if row.ref_type else None


class NotificationQuery(Page):
    unread = Bool(truthy={True, "true", "1"}, falsy={False, "false", "0"}, load_default=False)


class NotificationPage(page_of(NotificationOut)):
    unread = fields.Integer(metadata={"description": "未读条数"})


class PushKeys(BaseSchema):
    p256dh = Str(required=True, validate=length_between(80, 100))
    auth = Str(required=True, validate=length_between(16, 32))


class SubscriptionIn(BaseSchema):
    """The browser's PushSubscription.toJSON()."""

    class Meta:
        unknown = EXCLUDE

    endpoint = Str(required=True, validate=length_between(10, 1000))
    keys = Nested(PushKeys, required=True)
    # the browser's own name for it; milliseconds, so past 32 bits
    expirationTime = Int(allow_none=True, load_default=None, strict=False, max_value=None)  # noqa: N815


class SubscriptionOut(BaseSchema):
    id = fields.Integer()
    endpoint = fields.String()
    created_at = fields.AwareDateTime()


class EndpointIn(BaseSchema):
    class Meta:
        unknown = EXCLUDE

    endpoint = Str(required=True, validate=length_between(10, 1000))


class KeyOut(BaseSchema):
    public_key = fields.String(metadata={"description": "VAPID 公钥（base64url），用作 applicationServerKey"})


class PreferencesIn(PatchSchema):
    webpush = Bool()
    wecom = Bool()
    sms = Bool()


class PreferencesOut(BaseSchema):
    webpush = fields.Boolean()
    wecom = fields.Boolean()
    sms = fields.Boolean()
    available = fields.List(fields.String(), metadata={"description": "本系统已开通的渠道：webpush、wecom、sms"})


class DeliveryOut(BaseSchema):
    id = fields.Integer()
    notification_id = fields.Integer()
    channel = fields.String()
    target = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    next_attempt_at = fields.AwareDateTime()
    last_error = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    sent_at = fields.AwareDateTime(allow_none=True)


class DeliveryQuery(Page):
    status = Str(validate=one_of(("pending", "sent", "failed", "gone", "superseded")))
    channel = Str(validate=one_of(tuple(registry())))
    notification_id = Int(strict=False)


DeliveryPage = page_of(DeliveryOut)
