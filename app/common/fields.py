"""Marshmallow fields and validators whose messages come from the server catalogue.

Every schema builds on these, so a bad field always answers in Chinese.
"""
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate, validates_schema

from app.messages import MARSHMALLOW as M

_BASE = {"required": M["required"], "null": M["null"], "validator_failed": M["invalid"]}


class BaseSchema(Schema):
    class Meta:
        unknown = RAISE

    error_messages = {"unknown": M["unknown"], "type": M["invalid"]}


class Str(fields.String):
    default_error_messages = {**_BASE, "invalid": M["invalid_string"], "invalid_utf8": M["invalid_utf8"],
                              "nul": M["nul"]}

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in value:  # PostgreSQL cannot store it; nobody types it
            raise self.make_error("nul")
        return value


DB_INT_MAX = 2**31 - 1  # ids and counts are 32-bit integers on PostgreSQL


class Int(fields.Integer):
    default_error_messages = {**_BASE, "invalid": M["invalid_int"], "too_large": M["too_large"]}

    def __init__(self, *, max_value=DB_INT_MAX, **kw):
        kw.setdefault("strict", True)
        self.max_value = max_value
        super().__init__(**kw)

    def _validated(self, value):
        value = super()._validated(value)
        if self.max_value is not None and value is not None and abs(value) > self.max_value:
            raise self.make_error("too_large", input=value)
        return value


class Bool(fields.Boolean):
    default_error_messages = {**_BASE, "invalid": M["invalid_bool"]}

    truthy = {True}
    falsy = {False}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, (bool, str)):  # 1 == True in Python, but JSON 1 is no boolean
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class List(fields.List):
    default_error_messages = {**_BASE, "invalid": M["invalid_list"]}


class UUID(fields.UUID):
    default_error_messages = {**_BASE, "invalid_uuid": M["invalid_uuid"]}


class AwareDateTime(fields.AwareDateTime):
    default_error_messages = {
        **_BASE,
        "invalid": M["invalid_datetime"],
        "invalid_awareness": M["naive_datetime"],
        "format": M["invalid_datetime"],
        "out_of_range": M["year_range"],
    }
    YEARS = (2000, 2100)  # wide for any real record, narrow enough that no arithmetic overflows

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if not self.YEARS[0] <= value.year <= self.YEARS[1]:
            raise self.make_error("out_of_range")
        return value


class Nested(fields.Nested):
    default_error_messages = {**_BASE, "type": M["invalid"]}


def one_of(choices):
    return validate.OneOf(list(choices), error=M["one_of"].format(choices="、".join(choices)))


def max_length(n):
    return validate.Length(max=n, error=M["length_max"].format(max=n))


def length_between(lo, hi):
    return validate.Length(min=lo, max=hi, error=M["length_between"].format(min=lo, max=hi))


def between(lo, hi):
    return validate.Range(min=lo, max=hi, error=M["range"].format(min=lo, max=hi))


def not_blank(value):
    if not value.strip():
        raise ValidationError(M["blank"])


def unique(values):
    if len(set(values)) != len(values):
        raise ValidationError(M["unique"])


def phone_number():
    return validate.Regexp(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$", error=M["phone"])


class Page(BaseSchema):
    """Query arguments of every list: an opaque cursor and a page size."""

    class Meta:
        unknown = EXCLUDE  # tolerate cache-busting and tracking parameters

    cursor = Str(load_default=None)
    limit = Int(load_default=None, strict=False, validate=between(1, 200))


def page_of(item_schema):
    """The shape every list answers: {"items": [...], "next": cursor or null}."""
    name = item_schema.__name__.removesuffix("Out") + "Page"
    return type(name, (BaseSchema,), {
        "items": fields.List(fields.Nested(item_schema)),
        "next": fields.String(allow_none=True, metadata={"description": "下一页的游标；没有更多时为 null"}),
    })


class PatchSchema(BaseSchema):
    """A partial update: any subset of its fields, but not none of them."""

    @validates_schema
    def _not_empty(self, data, **_kwargs):
        if not data:
            raise ValidationError(M["empty_patch"], field_name="_schema")
