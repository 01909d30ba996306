from marshmallow import fields

from app.common.fields import BaseSchema, Int, Page, Str, one_of, page_of
from app.org.models import ORG_KINDS, ROLES


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


class ChainLink(UserRef):
    phone = fields.String()
    role_name = fields.String()


class MeOut(UserOut):
    org_path = fields.List(fields.Nested(UnitRef), metadata={"description": "从区到本人所在组织"})
    chain = fields.List(fields.Nested(ChainLink), metadata={"description": "向上的链条，最近的在前"})


class LoginOut(MeOut):
    csrf_token = fields.String(metadata={"description": "新会话的 CSRF 令牌"})


class UserQuery(Page):
    role = Str(validate=one_of(ROLES))
    org_unit_id = Int(strict=False)


class OrgUnitQuery(Page):
    kind = Str(validate=one_of(ORG_KINDS))


UserPage = page_of(UserOut)


OrgUnitPage = page_of(OrgUnitOut)
