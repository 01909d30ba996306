from marshmallow import fields

from app.cases.models import CATEGORIES, URGENCIES
from app.cases.service import CaseView
from app.common.views import renders
from app.org.schemas import UnitRef, UserRef
from app.policy.case_steps import ACTIONS
from app.policy.names import LEVELS, STATUSES, Role
from app.common.fields import (
    page_of,
    AwareDateTime, BaseSchema, Bool, Int, Page, Str, UUID, length_between, max_length, one_of,
)


class CaseIn(BaseSchema):
    id = UUID(required=True, metadata={"description": "手机生成的 UUID；重发同一内容只记一次"})
    household_id = Int(required=True)
    visit_id = UUID(allow_none=True, load_default=None)
    category = Str(required=True, validate=one_of(CATEGORIES))
    title = Str(required=True, validate=length_between(1, 100))
    description = Str(load_default="", validate=max_length(2000))
    urgency = Str(load_default="normal", validate=one_of(URGENCIES))
    opened_at = AwareDateTime(load_default=None, metadata={"description": "手机上的发现时间"})


class ActionIn(BaseSchema):
    """Every action may carry the phone's id for it (so a resend is applied once) and its time."""

    id = UUID(load_default=None)
    at = AwareDateTime(load_default=None)


class EscalateIn(ActionIn):
    reason = Str(load_default="", validate=max_length(500))


class DispatchIn(ActionIn):
    department_id = Int(required=True)
    reason = Str(load_default="", validate=max_length(500))


class ResolveIn(ActionIn):
    resolution = Str(required=True, validate=length_between(1, 2000))


class CommentIn(ActionIn):
    body = Str(required=True, validate=length_between(1, 2000))


class NoteIn(ActionIn):
    reason = Str(load_default="", validate=max_length(500))


class HouseholdRef(BaseSchema):
    id = fields.Integer()
    head_name = fields.String()
    address = fields.String()


class CaseBrief(BaseSchema):
    id = fields.UUID()
    title = fields.String()
    category = fields.String()
    urgency = fields.String()
    status = fields.String()
    level = fields.String()
    created_at = fields.AwareDateTime()
    closed_at = fields.AwareDateTime(allow_none=True)


@renders(CaseView)
class CaseOut(BaseSchema):
    id = fields.UUID()
    household_id = fields.Integer()
    household = fields.Nested(HouseholdRef)
    visit_id = fields.UUID(allow_none=True)
    category = fields.String()
    title = fields.String()
    description = fields.String()
    urgency = fields.String()
    status = fields.String()
    level = fields.String()
    holder = fields.Method("_holder", metadata={"description": "{id, name, role}：现在须处理的人（或部门）"})
    department = fields.Nested(UnitRef, allow_none=True)
    due_at = fields.AwareDateTime(allow_none=True)
    overdue = fields.Boolean()
    opened_by_id = fields.Integer()
    opened_at = fields.AwareDateTime()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    resolution = fields.String(allow_none=True)
    resolved_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)

    def _holder(self, case):
        if case.holder is not None:
            return {"id": case.holder.id, "name": case.holder.name, "role": case.holder.role, "kind": "user"}
        if case.holder_unit is not None:
            return {"id": case.holder_unit.id, "name": case.holder_unit.name, "role": Role.DEPARTMENT,
                    "kind": "unit"}
        return None


class EventOut(BaseSchema):
    id = fields.UUID()
    type = fields.String()
    actor = fields.Nested(UserRef, allow_none=True)
    at = fields.AwareDateTime()
    recorded_at = fields.AwareDateTime()
    data = fields.Dict()


class TaskBrief(BaseSchema):
    id = fields.UUID()
    title = fields.String()
    status = fields.String()
    assignee = fields.Nested(UserRef)
    due_at = fields.AwareDateTime(allow_none=True)


class CaseDetail(CaseOut):
    events = fields.List(fields.Nested(EventOut))
    tasks = fields.List(fields.Nested(TaskBrief))
    actions = fields.List(fields.String(), metadata={"description": f"调用者现在可做的操作，取值：{', '.join(ACTIONS)}"})


class CaseQuery(Page):
    awaiting = Str(validate=one_of(("me",)))
    status = Str(validate=one_of(STATUSES))
    category = Str(validate=one_of(CATEGORIES))
    level = Str(validate=one_of(LEVELS))
    urgency = Str(validate=one_of(URGENCIES))
    overdue = Bool(truthy={True, "true", "1"}, falsy={False, "false", "0"})
    org_unit_id = Int(strict=False)
    household_id = Int(strict=False)


CasePage = page_of(CaseOut)
