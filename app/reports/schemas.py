from marshmallow import EXCLUDE, fields

from app.common.fields import BaseSchema, Int, between
from app.messages import MARSHMALLOW
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


class Day(fields.Date):
    """A calendar day (China Standard Time), 2000–2100."""

    default_error_messages = {"required": MARSHMALLOW["required"], "null": MARSHMALLOW["null"],
                              "invalid": MARSHMALLOW["invalid_date"], "format": MARSHMALLOW["invalid_date"],
                              "out_of_range": MARSHMALLOW["year_range"]}

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if not 2000 <= value.year <= 2100:
            raise self.make_error("out_of_range")
        return value


class RatesQuery(BaseSchema):
    class Meta:
        unknown = EXCLUDE

    start = Day(data_key="from", load_default=None, metadata={"description": "开始日期（含），默认本月 1 日"})
    end = Day(data_key="to", load_default=None, metadata={"description": "结束日期（含），默认今天；不早于开始日期"})


class ResponseRate(BaseSchema):
    on_time = fields.Integer(metadata={"description": "按时：经办人在办理期限内（以服务器记录时间计）的一步"})
    due = fields.Integer(metadata={"description": "应响应：经办人应对了办理期限的各步"
                                                  "（上报、派单、接单、办结、退回、退单），"
                                                  "加上期限已过仍无人处理的次数（超时上交、超时提醒）"})
    rate = fields.Float(allow_none=True, metadata={"description": "响应率 on_time/due；无可计时为 null"})


class ResolutionRate(BaseSchema):
    closed = fields.Integer(metadata={"description": "销号：办结结果经核对后销号的次数"})
    judged = fields.Integer(metadata={
        "description": "办结后核对的次数：销号，加重新打开，加回访不满意（合并的重复问题不计）"})
    rate = fields.Float(allow_none=True, metadata={"description": "解决率 closed/judged；无可计时为 null"})


class SatisfactionRate(BaseSchema):
    satisfied = fields.Integer(metadata={"description": "回访中满意或基本满意的次数"})
    revisited = fields.Integer(metadata={"description": "回访次数"})
    rate = fields.Float(allow_none=True, metadata={"description": "满意率 satisfied/revisited；无可计时为 null"})


class Rates(BaseSchema):
    response = fields.Nested(ResponseRate, metadata={"description": "响应率"})
    resolution = fields.Nested(ResolutionRate, metadata={"description": "解决率"})
    satisfaction = fields.Nested(SatisfactionRate, metadata={"description": "满意率"})


class UnitRates(Rates, UnitRef):
    pass


class RatesOut(BaseSchema):
    start = fields.Date(data_key="from", attribute="from", metadata={"description": "开始日期（含）"})
    end = fields.Date(data_key="to", attribute="to", metadata={"description": "结束日期（含）"})
    since = fields.AwareDateTime(metadata={"description": "统计期开始（北京时间 from 当日 0 时）"})
    until = fields.AwareDateTime(metadata={"description": "统计期结束（北京时间 to 次日 0 时，不含）"})
    unit = fields.Nested(UnitRef, metadata={"description": "调用者所在组织"})
    total = fields.Nested(Rates, metadata={"description": "调用者范围内合计"})
    units = fields.List(fields.Nested(UnitRates), metadata={
        "description": "下一级组织（按户所在位置）：村、网格和乡镇自己办理的部分"})
    departments = fields.List(fields.Nested(UnitRates), metadata={
        "description": "部门：部门层级的每一步及其超时，以及对部门办结结果的核对和回访"})


class UnvisitedQuery(BaseSchema):
    class Meta:
        unknown = EXCLUDE

    days = Int(strict=False, load_default=None, validate=between(1, 365),
               metadata={"description": "多少天没有走访（1–365，默认配置 UNVISITED_REMINDER_DAYS，30）"})


class UnvisitedHousehold(BaseSchema):
    id = fields.Integer()
    head_name = fields.String()
    address = fields.String()
    last_visit_at = fields.AwareDateTime(allow_none=True, metadata={"description": "最近走访；从未走访为 null"})


class UnvisitedMember(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    org_unit = fields.Nested(UnitRef)
    count = fields.Integer(metadata={"description": "该党员包联户中超期未走访的户数"})
    reminded_at = fields.AwareDateTime(allow_none=True, metadata={"description": "最近一次走访提醒"})
    households = fields.List(fields.Nested(UnvisitedHousehold))


class UnvisitedOut(BaseSchema):
    days = fields.Integer()
    since = fields.AwareDateTime()
    count = fields.Integer(metadata={"description": "有包联党员、超期未走访的户数"})
    unassigned = fields.Integer(metadata={"description": "没有包联党员、超期未走访的户数"})
    more = fields.Boolean(metadata={"description": "户太多，未全部列出（最多 500 户）"})
    members = fields.List(fields.Nested(UnvisitedMember), metadata={
        "description": "按组织顺序（不排名）：有超期未走访户的党员"})
