"""A small JSON-Schema subset validator for the Pipedrive simulator.

Supports what the extracted Pipedrive schemas use: type (integer is not number
is not boolean), required, enum, properties, additionalProperties / unknown
fields, items, nullable, oneOf/anyOf, minimum/maximum, minLength/maxLength,
and the formats date, date-time, uuid and pipedrive-datetime
("YYYY-MM-DD HH:MM:SS", also accepting the ISO 8601 `T` form).
"""

import re
from datetime import datetime

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
RFC3339_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)
PIPEDRIVE_DATETIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?Z?$"
)
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class Violation:
    """One way a value breaks its schema.

    kind is one of: required, type, enum, unknown, format, minimum, maximum,
    minLength, maxLength, oneOf, anyOf.
    """

    def __init__(self, where, kind, message, field=None):
        self.where = where
        self.kind = kind
        self.message = message
        self.field = field if field is not None else where

    def __str__(self):
        return "%s: %s" % (self.where or "(root)", self.message)

    def __repr__(self):
        return "Violation(%r, %r, %r)" % (self.where, self.kind, self.message)


def type_name(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def matches_type(value, expected):
    actual = type_name(value)
    if expected == "number":
        return actual in ("integer", "number")
    return actual == expected


def valid_date(text):
    if not DATE_RE.match(text):
        return False
    try:
        datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        return False
    return True


def valid_rfc3339(text, allow_fraction=True):
    m = RFC3339_RE.match(text)
    if not m:
        return False
    if m.group(7) and not allow_fraction:
        return False
    try:
        datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4)), int(m.group(5)), int(m.group(6)))
    except ValueError:
        return False
    return True


def valid_pipedrive_datetime(text):
    m = PIPEDRIVE_DATETIME_RE.match(text)
    if not m:
        return False
    try:
        datetime(*(int(m.group(i)) for i in range(1, 7)))
    except ValueError:
        return False
    return True


def check_format(value, fmt):
    """Returns an error message, or None when value fits the format."""
    if fmt == "date":
        return None if valid_date(value) else "must be a date in YYYY-MM-DD format"
    if fmt == "date-time":
        return None if valid_rfc3339(value) else "must be a valid RFC 3339 date-time"
    if fmt == "pipedrive-datetime":
        return None if valid_pipedrive_datetime(value) else "must be a UTC date-time in YYYY-MM-DD HH:MM:SS format"
    if fmt == "uuid":
        return None if UUID_RE.match(value) else "must be a valid UUID"
    return None


def join(where, name):
    if isinstance(name, int):
        return "%s[%d]" % (where, name)
    return "%s.%s" % (where, name) if where else name


def validate(value, schema, where="", reject_unknown=True):
    """Validates value against schema; returns a list of Violation."""
    out = []
    _validate(value, schema or {}, where, reject_unknown, out)
    return out


def _validate(value, schema, where, reject_unknown, out):
    if value is None:
        if schema.get("nullable") or schema.get("type") in (None, "null"):
            return
        out.append(Violation(where, "type", "must be %s, not null" % schema.get("type")))
        return
    for key in ("oneOf", "anyOf"):
        if key in schema:
            results = [validate(value, s, where, reject_unknown) for s in schema[key]]
            passing = sum(1 for r in results if not r)
            if passing == 0 or (key == "oneOf" and passing > 1):
                out.append(Violation(where, key, "must match %s one of the allowed schemas" % ("exactly" if key == "oneOf" else "at least")))
            if len(schema) == 1 or set(schema) <= {"oneOf", "anyOf", "nullable"}:
                return
    expected = schema.get("type")
    if expected and not matches_type(value, expected):
        article = "an" if expected[0] in "aeiou" else "a"
        out.append(Violation(where, "type", "must be %s %s, not %s" % (article, expected, type_name(value))))
        return
    if "enum" in schema and value not in schema["enum"]:
        out.append(Violation(where, "enum", "must be one of [%s]" % ", ".join(str(v) for v in schema["enum"])))
    if isinstance(value, str):
        if "format" in schema:
            problem = check_format(value, schema["format"])
            if problem:
                out.append(Violation(where, "format", problem))
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            out.append(Violation(where, "maxLength", "must be at most %d characters long" % schema["maxLength"]))
        if "minLength" in schema and len(value) < schema["minLength"]:
            out.append(Violation(where, "minLength", "must be at least %d characters long" % schema["minLength"]))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            out.append(Violation(where, "minimum", "must be greater than or equal to %s" % schema["minimum"]))
        if "maximum" in schema and value > schema["maximum"]:
            out.append(Violation(where, "maximum", "must be less than or equal to %s" % schema["maximum"]))
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        for name in schema.get("required", []):
            if name not in value:
                out.append(Violation(join(where, name), "required", "is required"))
        extra = schema.get("additionalProperties")
        for name, sub in value.items():
            if name in props:
                _validate(sub, props[name], join(where, name), reject_unknown, out)
            elif isinstance(extra, dict):
                _validate(sub, extra, join(where, name), reject_unknown, out)
            elif extra is True or (extra is None and not props and not reject_unknown):
                continue
            elif extra is None and not props and "type" not in schema:
                continue
            elif extra is False or reject_unknown:
                out.append(Violation(join(where, name), "unknown", "is not allowed"))
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            _validate(item, schema["items"], join(where, i), reject_unknown, out)
