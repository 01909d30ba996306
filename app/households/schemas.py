from marshmallow import ValidationError, fields, validates

from app.cases.schemas import CaseBrief
from app.common.fields import (
    BaseSchema,
    Bool,
    Int,
    List,
    Page,
    PatchSchema,
    Str,
    between,
    length_between,
    max_length,
    not_blank,
    one_of,
    page_of,
    phone_number,
    unique,
)
from app.common.views import renders
from app.households import id_numbers
from app.households.service import HouseholdDetailView
from app.households.sheets import HouseholdRow, ResidentRow, birth_year_ok  # noqa: F401  (public: the exports write the rows)
from app.messages import ARCHIVE_REASONS, CARE, GENDERS, HOUSEHOLD_TAGS, REGISTER, RELATIONS
from app.org.schemas import UnitRef
from app.visits.schemas import VisitOut


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
    household_no = fields.String(metadata={"description": "户编号：本村唯一，表格按它匹配已有住户"})
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
    archived_at = fields.AwareDateTime(allow_none=True, metadata={"description": "归档时间；未归档为 null"})
    archive_reason = fields.String(allow_none=True, metadata={"description": "、".join(
        f"{k} {v}" for k, v in ARCHIVE_REASONS.items())})
    archive_note = fields.String()
    updated_at = fields.AwareDateTime()


@renders(HouseholdDetailView)
class HouseholdDetail(HouseholdOut):
    recent_visits = fields.List(fields.Nested(VisitOut))
    cases = fields.List(fields.Nested(CaseBrief))


HouseholdPage = page_of(HouseholdOut)


def household_page(items, nxt):
    """HouseholdPage's dump of the list's plain rows, written out: the phone app's hot path
    skips marshmallow's per-field work, with the same fields and values (times as AwareDateTime
    writes them, visit ids as text). tests/households/test_list_dump.py holds them equal."""
    for item in items:
        for key in ("archived_at", "updated_at"):
            if item[key] is not None:
                item[key] = item[key].isoformat()
        visit = item["last_visit"]
        if visit is not None:
            visit["id"] = str(visit["id"])
            visit["visited_at"] = visit["visited_at"].isoformat() if visit["visited_at"] is not None else None
    return {"items": items, "next": nxt}

YES_NO = {"truthy": {True, "true", "1"}, "falsy": {False, "false", "0"}}


class HouseholdQuery(Page):
    q = Str(validate=max_length(40), metadata={"description": "户主姓名、住址、电话或户编号中包含的文字"})
    hardship = Bool(**YES_NO)
    tag = Str(validate=one_of(HOUSEHOLD_TAGS))
    member_id = Int(strict=False)
    archived = Bool(**YES_NO, metadata={"description": "1：只列已归档的户（村党支部书记及以上）"})
    unvisited_days = Int(strict=False, validate=between(1, 3650), metadata={"description": "只列最近 N 天没有走访的户"})
    awaiting_handover = Bool(**YES_NO, metadata={"description": "1：包联党员已停用、待交接的户"})


def household_no_shape(value):
    if not 1 <= len(value) <= 20 or any(c.isspace() for c in value):
        raise ValidationError(REGISTER["no_format"])


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
    household_no = Str(validate=household_no_shape)
    org_unit_id = Int(metadata={"description": "调整到本村另一个网格"})


class HouseholdNew(HouseholdProfile):
    """新增住户: name, address and size are required; without 户编号 the next number of the village."""

    household_no = Str(validate=household_no_shape)
    org_unit_id = Int(metadata={"description": "网格（或村）；填了包联党员时可省略，取党员所在网格"})
    member_id = Int(allow_none=True)
    REQUIRED = ("head_name", "address", "people")

    def on_bind_field(self, field_name, field_obj):
        field_obj.required = field_name in self.REQUIRED


class ArchiveIn(BaseSchema):
    reason = Str(required=True, validate=one_of(ARCHIVE_REASONS), metadata={"description": "、".join(
        f"{k} {v}" for k, v in ARCHIVE_REASONS.items())})
    note = Str(validate=max_length(200))


# --- residents (家庭成员) ---------------------------------------------------------------------


def _phone_or_blank(value):
    if value:
        phone_number()(value)


class ResidentFields(BaseSchema):
    name = Str(validate=[length_between(1, 40), not_blank])
    relation = Str(validate=one_of(RELATIONS))
    gender = Str(validate=one_of(("", *GENDERS)))
    birth_year = Int(allow_none=True, validate=birth_year_ok)
    phone = Str(validate=_phone_or_blank)
    care = List(Str(validate=one_of(CARE)), validate=[max_length(len(CARE)), unique])
    id_number = Str(allow_none=True, metadata={"description": "18 位身份证号；回显时脱敏"})

    @validates("id_number")
    def _id_number(self, value, **_kw):
        problem = value and id_numbers.problem(id_numbers.normalise(value))
        if problem:
            raise ValidationError(problem)


class ResidentNew(ResidentFields):
    REQUIRED = ("name", "relation")

    def on_bind_field(self, field_name, field_obj):
        field_obj.required = field_name in self.REQUIRED


class ResidentPatch(PatchSchema, ResidentFields):
    pass


class ResidentOut(BaseSchema):
    id = fields.Integer()
    household_id = fields.Integer()
    name = fields.String()
    relation = fields.String()
    gender = fields.String()
    birth_year = fields.Integer(allow_none=True)
    phone = fields.String()
    care = fields.List(fields.String())
    id_number = fields.String(allow_none=True, metadata={
        "description": "脱敏（前 3 位和后 4 位），只给村党支部书记及以上；其他人为 null"})
    updated_at = fields.AwareDateTime()


class ResidentHousehold(BaseSchema):
    id = fields.Integer()
    household_no = fields.String()
    head_name = fields.String()
    address = fields.String()
    org_unit = fields.Nested(UnitRef)


class ResidentListed(ResidentOut):
    household = fields.Nested(ResidentHousehold)
    member = fields.Nested(MemberRef, allow_none=True)
    last_visit_at = fields.AwareDateTime(allow_none=True)


ResidentList = page_of(ResidentOut)
ResidentPage = page_of(ResidentListed)


class ResidentQuery(Page):
    care = Str(validate=one_of(CARE), metadata={"description": "重点人群类别"})
    q = Str(validate=max_length(40), metadata={"description": "姓名或电话中包含的文字"})


class RevealOut(BaseSchema):
    id = fields.Integer()
    id_number = fields.String(allow_none=True, metadata={"description": "完整身份证号（本次查看已记录）"})


# --- import -----------------------------------------------------------------------------------


class ImportQuery(BaseSchema):
    dry_run = Bool(load_default=False, **YES_NO, metadata={"description": "1：只预览，不写入"})


class ImportProblem(BaseSchema):
    sheet = fields.String(metadata={"description": "工作表：住户 或 家庭成员"})
    row = fields.Integer(metadata={"description": "Excel 中的行号（表头为第 1 行）"})
    column = fields.String(allow_none=True, metadata={"description": "文件中的列名；整行的问题为 null"})
    message = fields.String()


class ImportChange(BaseSchema):
    sheet = fields.String()
    row = fields.Integer()
    action = fields.String(metadata={"description": "created 或 updated"})
    household_no = fields.String(allow_none=True)
    name = fields.String()
    columns = fields.List(fields.String(), metadata={"description": "将修改的列"})


class ImportResult(BaseSchema):
    rows = fields.Integer(metadata={"description": "读到的数据行数（住户与家庭成员）"})
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    errors = fields.List(fields.Nested(ImportProblem))
    changes = fields.List(fields.Nested(ImportChange), metadata={"description": "将新增或修改的行（最多列出 1000 行）"})
    changes_listed = fields.Integer(metadata={"description": "changes 列出的行数；小于 created + updated 时其余未列出"})


# --- exports (the routes are in app/reports) ---------------------------------------------------


class HouseholdsExportQuery(BaseSchema):
    class Meta:
        unknown = "exclude"  # cache-busting parameters

    unvisited_days = Int(strict=False, validate=between(1, 3650),
                         metadata={"description": "只导出最近 N 天没有走访的户"})


class ResidentsExportQuery(BaseSchema):
    class Meta:
        unknown = "exclude"

    care = Str(validate=one_of(CARE), metadata={"description": "只导出这一类重点人群"})


class PlaceGrid(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    village = fields.Nested(UnitRef)


class PlaceMember(MemberRef):
    org_unit_id = fields.Integer()
    covered = fields.Integer(metadata={"description": "包联的户数（不含已归档）"})


class PlacesOut(BaseSchema):
    grids = fields.List(fields.Nested(PlaceGrid))
    members = fields.List(fields.Nested(PlaceMember))
    cap = fields.Integer(metadata={"description": "每名党员包联户数的上限"})

