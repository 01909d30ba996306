from app.common.fields import BaseSchema, Str, max_length


class LoginIn(BaseSchema):
    phone = Str(required=True, validate=max_length(20))
    password = Str(required=True, validate=max_length(200))


class PasswordIn(BaseSchema):
    old_password = Str(required=True, validate=max_length(200))
    new_password = Str(required=True, validate=max_length(200))


class CsrfOut(BaseSchema):
    csrf_token = Str()
