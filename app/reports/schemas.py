from marshmallow import EXCLUDE, fields

from app.common.fields import BaseSchema, Int, between
from app.org.schemas import UnitRef

BINARY = {"type": "string", "format": "binary"}


class CoverageQuery(BaseSchema):
    class Meta:
        unknown = EXCLUDE  # tolerate cache-busting parameters, as lists do

    days = Int(strict=False, load_default=30, validate=between(1, 365),
               metadata={"description": "统计最近多少天内的走访（1–365，默认 30）"})


class CoverageCounts(BaseSchema):
    households = fields.Integer(metadata={"description": "户数"})
    visited = fields.Integer(metadata={"description": "统计期内走访过的户数"})
    never_visited = fields.Integer(metadata={"description": "从未走访的户数"})
    coverage = fields.Float(allow_none=True,
                            metadata={"description": "走访覆盖率 visited/households；无户时为 null"})


class CoverageTotal(CoverageCounts):
    unassigned = fields.Integer(metadata={"description": "没有包联党员的户数"})


class UnitCoverage(CoverageCounts, UnitRef):
    pass


class NamedRef(BaseSchema):
    id = fields.Integer()
    name = fields.String()


class MemberCoverage(CoverageCounts):
    id = fields.Integer()
    name = fields.String()
    org_unit = fields.Nested(UnitRef)


class NeverVisitedItem(BaseSchema):
    id = fields.Integer()
    head_name = fields.String()
    address = fields.String()
    org_unit = fields.Nested(UnitRef)
    member = fields.Nested(NamedRef, allow_none=True)


class NeverVisited(BaseSchema):
    count = fields.Integer()
    items = fields.List(fields.Nested(NeverVisitedItem), metadata={"description": "按编号排序，最多 500 户"})
    more = fields.Boolean(metadata={"description": "还有未列出的户"})


class CoverageOut(BaseSchema):
    days = fields.Integer()
    since = fields.AwareDateTime()
    unit = fields.Nested(UnitRef, metadata={"description": "调用者所在组织"})
    total = fields.Nested(CoverageTotal)
    units = fields.List(fields.Nested(UnitCoverage), metadata={"description": "下一级组织（网格、村或乡镇）"})
    members = fields.List(fields.Nested(MemberCoverage), metadata={"description": "每名党员（仅村级）"})
    never_visited = fields.Nested(NeverVisited)


class UnitCases(UnitRef):
    total = fields.Integer()
    open = fields.Integer()
    overdue = fields.Integer()
    resolved = fields.Integer()
    closed = fields.Integer()


def _tally(description):
    return fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": description})


class CasesReportOut(BaseSchema):
    as_of = fields.AwareDateTime()
    unit = fields.Nested(UnitRef)
    total = fields.Integer()
    open = fields.Integer(metadata={"description": "未办结（open、escalated、dispatched、in_progress）"})
    overdue = fields.Integer()
    resolved = fields.Integer()
    closed = fields.Integer()
    by_status = _tally("按状态")
    by_category = _tally("按类别")
    by_level = _tally("按层级")
    by_urgency = _tally("按紧急程度")
    median_hours_to_close = fields.Float(allow_none=True, metadata={"description": "从上报到销号的中位小时数"})
    units = fields.List(fields.Nested(UnitCases), metadata={"description": "下一级组织"})
