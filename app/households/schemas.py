from marshmallow import fields

from app.common.fields import (
    page_of,
    BaseSchema, Bool, Int, List, Page, Str, between, length_between, max_length, not_blank, one_of,
    phone_number, unique,
)
from app.messages import HOUSEHOLD_TAGS
from app.cases.schemas import CaseBrief
from app.org.schemas import UnitRef
from app.visits.schemas import VisitOut
from app.common.views import renders
from app.households.service import HouseholdDetailView


class MemberRef(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    phone = fields.String()


class LastVisit(BaseSchema):
    id = fields.UUID()
    visited_at = fields.AwareDateTime()
    mode = fields.String()
    hardship = fields.String()


class HouseholdOut(BaseSchema):
    id = fields.Integer()
    head_name = fields.String()
    address = fields.String()
    people = fields.Integer()
    phone = fields.String()
    tags = fields.List(fields.String())
    hardship = fields.Boolean()
    version = fields.Integer()
    org_unit = fields.Nested(UnitRef)
    member = fields.Nested(MemberRef, allow_none=True)
    last_visit = fields.Nested(LastVisit, allow_none=True)
    open_cases = fields.Integer(metadata={"description": "未办结的问题数"})
    updated_at = fields.AwareDateTime()


@renders(HouseholdDetailView)
class HouseholdDetail(HouseholdOut):
    recent_visits = fields.List(fields.Nested(VisitOut))
    cases = fields.List(fields.Nested(CaseBrief))


HouseholdPage = page_of(HouseholdOut)


class HouseholdQuery(Page):
    q = Str(validate=max_length(40), metadata={"description": "户主姓名、住址或电话中包含的文字"})
    hardship = Bool(truthy={True, "true", "1"}, falsy={False, "false", "0"})
    tag = Str(validate=one_of(HOUSEHOLD_TAGS))
    member_id = Int(strict=False)


class HouseholdProfile(BaseSchema):
    """The editable profile; PATCH sends any subset of it."""

    head_name = Str(validate=[length_between(1, 40), not_blank])
    address = Str(validate=[length_between(1, 200), not_blank])
    people = Int(validate=between(1, 30))
    phone = Str(validate=phone_number())
    tags = List(Str(validate=one_of(HOUSEHOLD_TAGS)), validate=[max_length(10), unique])
    hardship = Bool()


class HouseholdPatch(HouseholdProfile):
    version = Int(required=True, validate=between(1, 2**31 - 1))
    member_id = Int(allow_none=True)


class HouseholdNew(HouseholdProfile):
    """A new household (import): name, address and size are required."""

    REQUIRED = ("head_name", "address", "people")

    def on_bind_field(self, field_name, field_obj):
        field_obj.required = field_name in self.REQUIRED
