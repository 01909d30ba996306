from flask_smorest.fields import Upload
from marshmallow import fields

from app.attachments.models import PER_RECORD, Attachment
from app.common.fields import UUID, BaseSchema, Int, List, Str, between, max_length, unique
from app.common.views import renders
from app.messages import MARSHMALLOW as M

TRUE, FALSE = ("1", "true", "on"), ("0", "false", "off", "")


class FormFlag(Str):
    """A checkbox in a multipart form: 1/true/on or 0/false/off (absent: false)."""

    default_error_messages = {**Str.default_error_messages, "flag": M["invalid_bool"]}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip().lower()
        if text not in TRUE + FALSE:
            raise self.make_error("flag")
        return text in TRUE


class UploadForm(BaseSchema):
    id = UUID(required=True, metadata={"description": "手机生成的 UUID；重发同一文件只存一次"})
    keep_location = FormFlag(load_default=False, metadata={
        "description": "1：保留照片里的拍摄位置（GPS）；默认去掉"})


class UploadFile(BaseSchema):
    file = Upload(required=True, error_messages={"required": M["required"], "null": M["null"],
                                                 "invalid": M["invalid"]},
                  metadata={"description": "照片（JPEG、PNG 或 WebP）；类型按内容判断"})


class UploadDoc(UploadForm, UploadFile):
    """The whole multipart body, for the API document (the route reads it as form + files)."""


class ReadQuery(BaseSchema):
    class Meta:
        unknown = "exclude"  # cache-busting parameters

    thumb = Int(load_default=0, strict=False, validate=between(0, 1),
                metadata={"description": "1：缩略图（JPEG，最长边 320 像素）"})


def attachment_ids():
    """`attachments: [ids]` on a visit, a case step or a 回访."""
    return List(UUID(), load_default=list, validate=[max_length(PER_RECORD), unique],
                metadata={"description": f"已上传照片的编号（最多 {PER_RECORD} 张）"})


@renders(Attachment)
class AttachmentOut(BaseSchema):
    id = fields.UUID()
    content_type = fields.String()
    size = fields.Integer()
    width = fields.Integer()
    height = fields.Integer()
    keep_location = fields.Boolean(metadata={"description": "是否保留了拍摄位置"})
    created_at = fields.AwareDateTime()
    owner_type = fields.String(allow_none=True,
                               metadata={"description": "visit、case_step 或 revisit；未关联时为 null"})
    owner_id = fields.UUID(allow_none=True)
    url = fields.String()
    thumb_url = fields.String()

