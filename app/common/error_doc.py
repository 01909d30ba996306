"""The error shape as the OpenAPI document declares it: the same one every error answers with
(app/errors.py), `{"error": {"code", "message", "fields"?, ...}}`."""
from apispec import BasePlugin
from marshmallow import Schema, fields


class ErrorBody(Schema):
    class Meta:
        unknown = "include"

    code = fields.String(required=True, metadata={"description": "机器可读的错误代码，如 not_found、invalid"})
    message = fields.String(required=True, metadata={"description": "给用户看的中文说明（指出哪个字段）"})
    fields_ = fields.Dict(data_key="fields", metadata={"description": "字段 → 问题列表"})
    current = fields.Raw(metadata={"description": "冲突时：服务器上现有的记录"})
    status = fields.Integer(metadata={"description": "离线同步的逐条结果中：对应的 HTTP 状态码"})


class ErrorEnvelope(Schema):
    error = fields.Nested(ErrorBody, required=True)


class ErrorContentPlugin(BasePlugin):
    """An error answer documented with a description only (`alt_response(409, description=…)`)
    still answers the error shape: say so, so clients and checkers can rely on it."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            for status, response in operation.get("responses", {}).items():
                if str(status)[:1] in "45" and isinstance(response, dict) and "$ref" not in response:
                    response.setdefault("content", {"application/json": {
                        "schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}})
