"""The register's spreadsheet rows as schemas: one field per column, keyed by its Chinese header.

Dumping a household or resident gives the cells the exports write; loading a row of cells gives
the fields back, with every problem of every cell at once (marshmallow collects them all). One
definition serves both directions, so a file exported is read back as it was written.

Cells come from .xlsx as text, int, float or bool, and from .csv as text. What Excel turned into
a number is read back as text where that is unambiguous (an 11-digit mobile number); where it is
not (a landline that lost its leading 0, an ID number past 15 digits) the cell is reported.
"""
import re
from datetime import date

from marshmallow import EXCLUDE, Schema, ValidationError, fields

from app.common.fields import max_length
from app.common.time import LOCAL_TZ
from app.households import id_numbers
from app.messages import (
    CARE,
    GENDERS,
    HOUSEHOLD_COLUMNS,
    HOUSEHOLD_TAGS,
    IMPORT,
    REGISTER,
    RELATIONS,
    REPORTS,
    RESIDENT_COLUMNS,
)
from app.messages import (
    MARSHMALLOW as M,
)

SEPARATORS = re.compile(r"[、,，;；/\s]+")
MOBILE = re.compile(r"^1\d{10}$")
PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
# Digits that look like a landline whose leading 0 Excel dropped: 2-3 digits of area code, 7-8 digits.
ZEROS_DROPPED = re.compile(r"^[1-9]\d{8,10}$")
SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")
_ERRORS = {"required": M["required"], "null": M["null"], "validator_failed": M["invalid"]}


class MaskedId(str):
    """An ID number cell as the exports write it (110***********0011): "keep what is stored"."""


def same(stored, given):
    """A stored value and one read from a cell are the same: lists as sets, None as blank."""
    if isinstance(stored, list) or isinstance(given, list):
        return set(stored or []) == set(given or [])
    return (stored if stored is not None else "") == (given if given is not None else "")


def as_text(value):
    """A cell as text: numbers without a trailing .0, surrounding spaces (full-width too) dropped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return REPORTS["yes"] if value else REPORTS["no"]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().strip("\u3000\xa0").strip()


class Cell(fields.Field):
    """Text; empty cells load as "" (or None where `none_if_blank`)."""

    default_error_messages = {**_ERRORS, "invalid": M["invalid"]}

    def __init__(self, key, columns, *, none_if_blank=False, **kw):
        super().__init__(data_key=columns[key][0], **kw)
        self.none_if_blank = none_if_blank

    def _serialize(self, value, attr, obj, **kw):
        return "" if value is None else value

    def _deserialize(self, value, attr, data, **kw):
        text = as_text(value)
        if text == "":
            if self.required:
                raise self.make_error("required")
            return None if self.none_if_blank else ""
        return self.parse(text, value)

    def parse(self, text, raw):
        return text


class Number(Cell):
    default_error_messages = {**_ERRORS, "invalid": M["invalid_int"]}

    def _serialize(self, value, attr, obj, **kw):
        return value

    def parse(self, text, raw):
        if isinstance(raw, float) and not raw.is_integer() or not re.fullmatch(r"\d{1,9}", text):
            raise self.make_error("invalid")
        return int(text)


class Phone(Cell):
    def parse(self, text, raw):
        mobile = MOBILE.match(text)
        if not mobile and (isinstance(raw, (int, float)) or ZEROS_DROPPED.match(text)):
            raise ValidationError(IMPORT["phone_zeros"])
        if not PHONE.match(text):
            raise ValidationError(M["phone"])
        return text


class Choice(Cell):
    """A code shown by its Chinese name (户主, 男); the code itself is accepted too."""

    def __init__(self, key, columns, names, **kw):
        super().__init__(key, columns, **kw)
        self.names, self.codes = names, {name: code for code, name in names.items()}

    def _serialize(self, value, attr, obj, **kw):
        return self.names.get(value, value or "")

    def parse(self, text, raw):
        if text in self.codes or text in self.names:
            return self.codes.get(text, text)
        raise ValidationError(M["one_of"].format(choices="、".join(self.names.values())))


class Names(Cell):
    """A list of names joined by 、 (the tags of a household, the care categories of a resident)."""

    def __init__(self, key, columns, names, **kw):
        super().__init__(key, columns, **kw)
        self.names, self.codes = names, {name: code for code, name in names.items()}

    def _serialize(self, value, attr, obj, **kw):
        return "、".join(self.names.get(v, v) for v in value or [])

    def _deserialize(self, value, attr, data, **kw):
        items = [x for x in SEPARATORS.split(as_text(value)) if x]
        unknown = [x for x in items if x not in self.codes and x not in self.names]
        if unknown:
            raise ValidationError(M["one_of"].format(choices="、".join(self.names.values())))
        codes = [self.codes.get(x, x) for x in items]
        if len(set(codes)) != len(codes):
            raise ValidationError(M["unique"])
        return codes


class YesNo(Cell):
    def _serialize(self, value, attr, obj, **kw):
        return REPORTS["yes"] if value else REPORTS["no"]

    def _deserialize(self, value, attr, data, **kw):
        text = as_text(value)
        if text in ("", REPORTS["no"], "0", "FALSE", "false"):
            return False
        if text in (REPORTS["yes"], "1", "TRUE", "true"):
            return True
        raise ValidationError(M["one_of"].format(choices=f"{REPORTS['yes']}、{REPORTS['no']}"))


class IdNumber(Cell):
    def _serialize(self, value, attr, obj, **kw):
        return value or ""

    def parse(self, text, raw):
        if isinstance(raw, (int, float)) or SCIENTIFIC.match(text):
            raise ValidationError(IMPORT["id_as_number"])
        text = id_numbers.normalise(text)
        if id_numbers.MASKED.match(text):
            return MaskedId(text)
        problem = id_numbers.problem(text)
        if problem:
            raise ValidationError(problem)
        return text


class Info(Cell):
    """Filled by the exports for the reader (last visit, open cases); ignored by the import."""

    def __init__(self, key, columns, **kw):
        super().__init__(key, columns, dump_only=True, **kw)

    def _serialize(self, value, attr, obj, **kw):
        return value


class LocalTime(Info):
    """Excel has no time zones: China Standard Time, as the file's readers live in it."""

    def _serialize(self, value, attr, obj, **kw):
        return value.astimezone(LOCAL_TZ).replace(tzinfo=None, microsecond=0) if value is not None else None


class Row(Schema):
    class Meta:
        unknown = EXCLUDE  # a column of the file's own (备注 ...) is left alone

    @classmethod
    def headers(cls, *, info=True):
        return [f.data_key for f in cls._declared_fields.values() if info or not f.dump_only]

    def cells(self, obj):
        """The row an export writes for `obj`, in column order."""
        dumped = self.dump(obj)
        return [dumped[h] for h in self.headers()]


H, R = HOUSEHOLD_COLUMNS, RESIDENT_COLUMNS
NO_SHAPE = lambda v: not v or len(v) <= 20 and not re.search(r"\s", v) or _fail(REGISTER["no_format"])  # noqa: E731


def _fail(message):
    raise ValidationError(message)


def birth_year_ok(value):
    if value is not None and not 1900 <= value <= date.today().year:
        raise ValidationError(M["range"].format(min=1900, max=date.today().year))


class HouseholdRow(Row):
    household_no = Cell("household_no", H, validate=NO_SHAPE)
    village_name = Cell("village_name", H, validate=max_length(80))
    grid_name = Cell("grid_name", H, validate=max_length(80))
    head_name = Cell("head_name", H, required=True, validate=max_length(40))
    address = Cell("address", H, required=True, validate=max_length(200))
    people = Number("people", H, required=True, validate=lambda n: 1 <= n <= 30 or _fail(
        M["range"].format(min=1, max=30)))
    phone = Phone("phone", H)
    tags = Names("tags", H, {t: t for t in HOUSEHOLD_TAGS})
    hardship = YesNo("hardship", H)
    member_name = Cell("member_name", H, validate=max_length(40))
    member_phone = Phone("member_phone", H)
    last_visit_at = LocalTime("last_visit_at", H)
    open_cases = Info("open_cases", H)


class ResidentRow(Row):
    village_name = Cell("village_name", R, validate=max_length(80))
    household_no = Cell("household_no", R, required=True, validate=NO_SHAPE)
    name = Cell("name", R, required=True, validate=max_length(40))
    relation = Choice("relation", R, RELATIONS, required=True)
    gender = Choice("gender", R, GENDERS)
    birth_year = Number("birth_year", R, none_if_blank=True, validate=birth_year_ok)
    phone = Phone("phone", R)
    care = Names("care", R, CARE)
    id_number = IdNumber("id_number", R, none_if_blank=True)
    head_name = Info("head_name", R)
    member_name = Info("member_name", R)
    last_visit_at = LocalTime("last_visit_at", R)
