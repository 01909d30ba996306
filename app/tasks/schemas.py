from marshmallow import fields

from app.common.fields import (
    UUID,
    AwareDateTime,
    BaseSchema,
    Int,
    Page,
    Str,
    length_between,
    max_length,
    one_of,
    page_of,
)
from app.common.views import renders
from app.org.schemas import UserRef
from app.tasks.models import TASK_STATUSES, Task


class TaskIn(BaseSchema):
    id = UUID(required=True, metadata={"description": "手机生成的 UUID"})
    case_id = UUID(allow_none=True, load_default=None)
    assignee_id = Int(required=True)
    title = Str(required=True, validate=length_between(1, 100))
    due_at = AwareDateTime(allow_none=True, load_default=None)


class TaskActionIn(BaseSchema):
    id = UUID(load_default=None)
    at = AwareDateTime(load_default=None)
    note = Str(load_default="", validate=max_length(1000))


@renders(Task)
class TaskOut(BaseSchema):
    id = fields.UUID()
    case_id = fields.UUID(allow_none=True)
    assignee_id = fields.Integer()
    assignee = fields.Nested(UserRef)
    assigner = fields.Nested(UserRef)
    title = fields.String()
    due_at = fields.AwareDateTime(allow_none=True)
    status = fields.String()
    note = fields.String()
    created_at = fields.AwareDateTime()
    accepted_at = fields.AwareDateTime(allow_none=True)
    done_at = fields.AwareDateTime(allow_none=True)


class TaskQuery(Page):
    mine = Str(load_default="assigned", validate=one_of(("assigned", "given")),
               metadata={"description": "assigned：交给我的；given：我布置的"})
    status = Str(validate=one_of(TASK_STATUSES))
    case_id = UUID()


TaskPage = page_of(TaskOut)
