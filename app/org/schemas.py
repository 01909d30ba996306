from marshmallow import ValidationError, fields, validate, validates_schema

from app.common.fields import (
    BaseSchema,
    Bool,
    Int,
    List,
    Nested,
    Page,
    PatchSchema,
    Str,
    length_between,
    max_length,
    not_blank,
    one_of,
    page_of,
)
from app.messages import MARSHMALLOW as M
from app.policy.capabilities import CAPABILITIES
from app.policy.names import ORG_KINDS, ROLES


class UnitRef(BaseSchema):
    id = fields.Integer()
    kind = fields.String()
    name = fields.String()


class UserRef(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    role = fields.String()


class OrgUnitOut(UnitRef):
    parent_id = fields.Integer(allow_none=True)
    path = fields.String()


class UserOut(UserRef):
    phone = fields.String()
    role_name = fields.String()
    org_unit = fields.Nested(UnitRef)
    informant_id = fields.Integer(allow_none=True)
    active = fields.Boolean()


class ChainLink(UserRef):
    phone = fields.String()
    role_name = fields.String()


class Appointable(BaseSchema):
    role = fields.String()
    unit_kind = fields.String(metadata={"description": "这一角色所在的组织类型"})
    informant_role = fields.String(allow_none=True, metadata={"description": "须指定的联系人角色（党员：信息员）"})


class Capabilities(BaseSchema):
    can = fields.List(fields.String(validate=one_of(CAPABILITIES)),
                      metadata={"description": f"本人可做的事，取值：{', '.join(CAPABILITIES)}"})
    case_level = fields.String(allow_none=True, metadata={"description": "本人上报的问题从哪一级开始；不能上报为 null"})
    manages = fields.List(fields.Nested(Appointable), metadata={"description": "本人可以新增和管理的角色"})


class MeOut(UserOut):
    org_path = fields.List(fields.Nested(UnitRef), metadata={"description": "从区到本人所在组织"})
    chain = fields.List(fields.Nested(ChainLink), metadata={"description": "向上的链条，最近的在前"})
    capabilities = fields.Nested(Capabilities, metadata={"description": "手机端据此决定显示哪些页签和按钮"})
    must_change_password = fields.Boolean(
        metadata={"description": "用临时密码登录：改密码之前，其他接口都答 403 password_change_required"})


class LoginOut(MeOut):
    csrf_token = fields.String(metadata={"description": "新会话的 CSRF 令牌"})


class UserQuery(Page):
    q = Str(validate=max_length(40))
    role = Str(validate=one_of(ROLES))
    org_unit_id = Int(strict=False)
    active = Bool(truthy={True, "true", "1"}, falsy={False, "false", "0"},
                  metadata={"description": "省略时只列在岗人员"})
    managed = Bool(truthy={True, "true", "1"}, falsy={False, "false", "0"},
                   metadata={"description": "只列我管理的人员（人员页），在岗与停用的都列出"})


class OrgUnitQuery(Page):
    kind = Str(validate=one_of(ORG_KINDS))


UserPage = page_of(UserOut)


OrgUnitPage = page_of(OrgUnitOut)


PHONE = r"^1\d{10}$"


class UserIn(BaseSchema):
    name = Str(required=True, validate=[length_between(1, 40), not_blank])
    phone = Str(required=True, validate=validate.Regexp(PHONE, error=M["mobile"]))
    role = Str(required=True, validate=one_of(ROLES))
    org_unit_id = Int(required=True)
    informant_id = Int(load_default=None, allow_none=True)
    wecom_id = Str(load_default=None, allow_none=True, validate=max_length(64))


class UserPatch(PatchSchema):
    name = Str(validate=[length_between(1, 40), not_blank])
    phone = Str(validate=validate.Regexp(PHONE, error=M["mobile"]))
    role = Str(validate=one_of(ROLES))
    org_unit_id = Int()
    informant_id = Int(allow_none=True)
    active = Bool()
    wecom_id = Str(allow_none=True, validate=max_length(64))


class UserCreated(UserOut):
    temporary_password = fields.String(metadata={"description": "一次性临时密码：只显示这一次，登录后须修改"})


class PasswordReset(BaseSchema):
    temporary_password = fields.String(metadata={"description": "一次性临时密码：只显示这一次"})


class Assignment(BaseSchema):
    household_id = Int(required=True)
    member_id = Int(required=True)


class HandoverIn(BaseSchema):
    to_member_id = Int(load_default=None, allow_none=True)
    assignments = List(Nested(Assignment), validate=validate.Length(min=1, max=100, error=M["list_length"]))

    @validates_schema
    def _one_way(self, data, **_):
        if (data.get("to_member_id") is None) == (not data.get("assignments")):
            raise ValidationError(M["handover_target"], field_name="to_member_id")
        homes = [a["household_id"] for a in data.get("assignments") or []]
        if len(set(homes)) != len(homes):
            raise ValidationError(M["unique"], field_name="assignments")


class HandoverOut(BaseSchema):
    moved = fields.Integer(metadata={"description": "交接的包联户数"})


class OrgUnitIn(BaseSchema):
    kind = Str(required=True, validate=one_of(ORG_KINDS))
    name = Str(required=True, validate=[length_between(1, 80), not_blank])
    parent_id = Int(required=True)


class OrgUnitPatch(BaseSchema):
    name = Str(required=True, validate=[length_between(1, 80), not_blank])


class AdminChangeOut(BaseSchema):
    id = fields.Integer()
    actor = fields.Nested(UserRef)
    action = fields.String()
    target_type = fields.String()
    target_id = fields.Integer()
    org_unit_id = fields.Integer()
    changes = fields.Dict()
    address = fields.String(allow_none=True)
    at = fields.AwareDateTime()


AdminChangePage = page_of(AdminChangeOut)
