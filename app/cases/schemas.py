from marshmallow import fields

from app.attachments.schemas import AttachmentOut, attachment_ids
from app.cases.models import CATEGORIES, REVISIT_MODES, SATISFACTIONS, URGENCIES
from app.cases.service import TIMELINE_PAGE, CaseView
from app.common.fields import (
    UUID,
    AwareDateTime,
    BaseSchema,
    Bool,
    Int,
    Page,
    Str,
    length_between,
    max_length,
    not_blank,
    one_of,
    page_of,
)
from app.common.views import renders
from app.org.schemas import UnitRef, UserRef
from app.policy.case_steps import ACTIONS
from app.policy.names import LEVELS, STATUSES, Role


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
    """Every action may carry the phone's id for it (so a resend is applied once), its time, and
    the photos taken for it (uploaded first, like a visit's)."""

    id = UUID(load_default=None)
    at = AwareDateTime(load_default=None)
    attachments = attachment_ids()


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


def _reason(description):
    return Str(required=True, validate=[length_between(1, 500), not_blank], metadata={"description": description})


class ReasonIn(ActionIn):
    """退回、退单、撤回: the reason is required."""

    reason = _reason("理由（必填）：如请党员补充情况、不属本部门职责")


class ReassignIn(ActionIn):
    holder_id = Int(required=True, metadata={"description": "新的经办人；详情的 reassign_to 列出可选的人"})
    reason = _reason("改派理由（必填）：如原经办人外出")


class RevisitIn(ActionIn):
    id = UUID(required=True, metadata={"description": "手机生成的 UUID（回访记录的编号）；重发同一内容只记一次"})
    satisfaction = Str(required=True, validate=one_of(SATISFACTIONS),
                       metadata={"description": "satisfied 满意、basic 基本满意、"
                                                "unsatisfied 不满意（不满意即重新打开）"})
    mode = Str(load_default="door", validate=one_of(REVISIT_MODES), metadata={"description": "door 入户、phone 电话"})
    notes = Str(load_default="", validate=max_length(2000))


class MergeIn(ActionIn):
    into_case_id = UUID(required=True, metadata={"description": "并入的问题；本问题随即销号，并留下指向它的链接"})
    reason = Str(load_default="", validate=max_length(500))


class CloseIn(NoteIn):
    no_revisit_reason = Str(load_default=None, validate=[length_between(1, 500), not_blank],
                            metadata={"description": "未回访原因：没有满意或基本满意的回访时必填"})


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
    satisfaction = fields.String(allow_none=True, metadata={"description": "本次办结后的回访结果；未回访为 null"})
    merged_into_id = fields.UUID(allow_none=True, metadata={"description": "合并后并入的问题"})

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
    due_at = fields.AwareDateTime(allow_none=True, metadata={
        "description": "经办人这一步所应对的办理期限；recorded_at 不晚于它即按时（响应率）"})
    data = fields.Dict()
    attachments = fields.List(fields.Nested(AttachmentOut), metadata={"description": "这一步的照片（拍照）"})


class TaskBrief(BaseSchema):
    id = fields.UUID()
    title = fields.String()
    status = fields.String()
    assignee = fields.Nested(UserRef)
    due_at = fields.AwareDateTime(allow_none=True)


class CaseDetail(CaseOut):
    events = fields.List(fields.Nested(EventOut), metadata={
        "description": f"时间线最新的一页（至多 {TIMELINE_PAGE} 条），按发生先后排列"})
    events_next = fields.String(allow_none=True, metadata={
        "description": "更早的记录：GET /api/cases/<id>/events?cursor=<events_next>；没有更早的为 null"})
    tasks = fields.List(fields.Nested(TaskBrief))
    actions = fields.List(fields.String(),
                          metadata={"description": f"调用者现在可做的操作，取值：{', '.join(ACTIONS)}"})
    similar_open = fields.List(fields.Nested(CaseBrief), metadata={
        "description": "同一户、同一类别、尚未办结的其他问题（可能重复：可合并到其中之一）"})
    reassign_to = fields.List(fields.Nested(UserRef), metadata={"description": "调用者可改派给的人"})


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
EventPage = page_of(EventOut)


class CaseStep(CaseOut):
    """What a sync result says of a case: the case without its timeline, with the step this
    mutation made (its photos too) and what the caller may do now. The rest of the timeline is
    fetched with the case (GET /api/cases/<id>), so a batch of 200 comments stays small."""

    event = fields.Nested(EventOut, allow_none=True, metadata={"description": "这次操作记下的一步；开案时为 opened"})
    actions = fields.List(fields.String())


# The body each step on a case takes: the single routes and the sync applier read it alike.
ACTION_SCHEMAS = {"escalate": EscalateIn, "dispatch": DispatchIn, "accept": NoteIn, "resolve": ResolveIn,
                  "close": CloseIn, "reopen": NoteIn, "comment": CommentIn, "return": ReasonIn,
                  "reject": ReasonIn, "recall": ReasonIn, "reassign": ReassignIn, "revisit": RevisitIn,
                  "merge": MergeIn}
