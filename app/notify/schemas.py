from marshmallow import fields

from app.common.fields import BaseSchema, Bool, Page


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


class NotificationPage(BaseSchema):
    items = fields.List(fields.Nested(NotificationOut))
    next = fields.String(allow_none=True)
    unread = fields.Integer(metadata={"description": "未读条数"})
