"""A record typed into a form: named fields of text, number or yes/no become a protectable ``Record``.

The form is how an owner protects a few values that are not a file (an email address, an age, a
consent flag). What they type is text; this module gives each field the type the owner chose, with
the same meaning the DataProtector SDK gives a JavaScript value, and validates the whole record
against the SDK's rules (``core.protect.record.parse``) before anything starts, so a mistake is shown
beside the field instead of failing the protect later. Qt-free: the dialog only draws it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from desktop_app.core.protect.record import KEY_PATTERN, Record, RecordError, Value, parse


class FieldKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    YES_NO = "yes/no"


@dataclass(frozen=True)
class Field:
    key: str
    kind: FieldKind
    text: str  # what was typed; for YES_NO, "yes" or "no"


class FieldError(RecordError):
    """A field that cannot be protected as typed: ``row`` says which one and ``in_name`` whether its name
    or its value is at fault, for the form to point at it."""

    def __init__(self, row: int, key: str, problem: str, hint: str = "", *, in_name: bool = False) -> None:
        super().__init__((key,) if key else (), problem, hint)
        self.row = row
        self.in_name = in_name


def build_record(fields: Sequence[Field]) -> Record:
    """The record the fields describe, validated as the SDK would; ``FieldError`` names the first fault."""
    if not fields:
        raise FieldError(-1, "", "there is nothing in it", "add at least one value")
    record: dict[str, Value] = {}
    for row, field in enumerate(fields):
        key = field.key.strip()
        if not key:
            raise FieldError(
                row, "", "a value has no name", "give each value a name, such as email", in_name=True
            )
        if not KEY_PATTERN.fullmatch(key):
            raise FieldError(row, key, "the name has characters other than letters, digits, '-' and '_'",
                             "use only A-Z, a-z, 0-9, '-' and '_'", in_name=True)  # fmt: skip
        if key in record:
            raise FieldError(row, key, "the name is used twice", "give each value its own name", in_name=True)
        record[key] = _value(row, key, field)
    try:
        parse(record)  # the names are valid by now: what it refuses is a value
    except RecordError as e:
        key = e.key_path[0] if e.key_path else ""
        row = next((i for i, f in enumerate(fields) if f.key.strip() == key), -1)
        raise FieldError(row, key, _problem(e), e.hint) from None
    return record


def _value(row: int, key: str, field: Field) -> Value:
    if field.kind == FieldKind.TEXT:
        return field.text
    if field.kind == FieldKind.YES_NO:
        answer = field.text.strip().lower()
        if answer not in ("yes", "no"):
            raise FieldError(row, key, "the answer must be yes or no")
        return answer == "yes"
    return _number(row, key, field.text)


def _number(row: int, key: str, text: str) -> int | float:
    """A number as JSON would read it: an integer stays exact (and must be safe), anything else a float."""
    cleaned = text.strip().replace("_", "")
    try:
        value: int | float = int(cleaned)
    except ValueError:
        try:
            value = float(cleaned)
        except ValueError:
            raise FieldError(row, key, f"{text.strip() or 'an empty value'} is not a number",
                             "type digits, with a dot for decimals (e.g. 12.5)") from None  # fmt: skip
    if isinstance(value, float) and not math.isfinite(value):
        raise FieldError(row, key, "only finite numbers can be protected")
    return value


def _problem(error: RecordError) -> str:
    """The core's sentence without its "Cannot protect <key>: " lead, which the form shows by the field."""
    return error.what.split(": ", 1)[-1].rstrip(".")
