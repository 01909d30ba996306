from marshmallow import fields

from app.common.fields import (
    UUID,
    AwareDateTime,
    BaseSchema,
    Int,
    List,
    Nested,
    Str,
    between,
    length_between,
    one_of,
)
from app.sync.apply import MUTATION_TYPES


class MutationIn(BaseSchema):
    id = UUID(required=True, metadata={"description": "手机生成的 UUID：记录或操作的编号"})
    type = Str(required=True, validate=one_of(MUTATION_TYPES))
    at = AwareDateTime(load_default=None, metadata={"description": "手机上的操作时间"})
    data = fields.Dict(required=True)


class SyncIn(BaseSchema):
    mutations = List(Nested(MutationIn), required=True, validate=length_between(1, 500))


class ResultOut(BaseSchema):
    id = fields.String()
    status = fields.String(metadata={"description": "applied | duplicate | conflict | rejected"})
    record = fields.Dict(allow_none=True)
    error = fields.Dict(allow_none=True)


class SyncOut(BaseSchema):
    results = fields.List(fields.Nested(ResultOut))


class FeedQuery(BaseSchema):
    class Meta:
        unknown = "exclude"

    cursor = Str(load_default=None)
    limit = Int(strict=False, load_default=200, validate=between(1, 1000))


class ChangeOut(BaseSchema):
    type = fields.String()
    op = fields.String(metadata={"description": "upsert | remove"})
    id = fields.String()
    record = fields.Dict(allow_none=True)


class FeedOut(BaseSchema):
    changes = fields.List(fields.Nested(ChangeOut))
    cursor = fields.String()
    more = fields.Boolean()
    reset = fields.Boolean(metadata={"description": "真：您可见的范围变了，这是新的快照的第一页，先清空本机副本"})
