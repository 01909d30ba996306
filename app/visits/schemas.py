from marshmallow import fields

from app.attachments.schemas import AttachmentOut, attachment_ids
from app.common.fields import UUID, AwareDateTime, BaseSchema, Int, List, Page, Str, max_length, one_of, page_of
from app.common.views import renders
from app.messages import CATEGORIES
from app.visits.models import HARDSHIP_LEVELS, MODES, Visit


class VisitIn(BaseSchema):
    id = UUID(required=True, metadata={"description": "手机生成的 UUID；重发同一内容只记一次"})
    household_id = Int(required=True)
    visited_at = AwareDateTime(required=True, metadata={"description": "手机上的走访时间，带时区"})
    mode = Str(required=True, validate=one_of(MODES))
    notes = Str(load_default="", validate=max_length(2000))
    needs = List(Str(validate=one_of(CATEGORIES)), load_default=list, validate=max_length(len(CATEGORIES)))
    hardship = Str(required=True, validate=one_of(HARDSHIP_LEVELS))
    attachments = attachment_ids()


class AuthorRef(BaseSchema):
    id = fields.Integer()
    name = fields.String()


@renders(Visit)
class VisitOut(BaseSchema):
    id = fields.UUID()
    household_id = fields.Integer()
    author = fields.Nested(AuthorRef)
    visited_at = fields.AwareDateTime()
    recorded_at = fields.AwareDateTime()
    mode = fields.String()
    notes = fields.String()
    needs = fields.List(fields.String())
    hardship = fields.String()
    attachments = fields.List(fields.Nested(AttachmentOut), metadata={"description": "照片（拍照），按上传时的顺序"})


class VisitQuery(Page):
    household_id = Int(required=True, strict=False)


VisitPage = page_of(VisitOut)
