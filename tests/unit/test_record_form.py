"""The record form: typed fields become the record the SDK would get, and each mistake names its row."""

from __future__ import annotations

import pytest

from desktop_app.core.protect import record as record_format
from desktop_app.flows.record_form import Field, FieldError, FieldKind, build_record


def test_fields_become_a_record_with_the_sdk_types() -> None:
    fields = [
        Field("email", FieldKind.TEXT, "alice@example.com"),
        Field("age", FieldKind.NUMBER, "42"),
        Field("score", FieldKind.NUMBER, " 12.5 "),
        Field("consent", FieldKind.YES_NO, "Yes"),
        Field("note", FieldKind.TEXT, ""),
    ]
    record = build_record(fields)
    assert record == {"email": "alice@example.com", "age": 42, "score": 12.5, "consent": True, "note": ""}
    schema = record_format.schema_json(record_format.parse(record), lambda leaf: leaf.type or "?")
    assert schema == '{"email":"string","age":"f64","score":"f64","consent":"bool","note":"string"}'


def test_an_integer_stays_exact_and_the_keys_keep_the_sdk_order() -> None:
    record = build_record([Field("b", FieldKind.NUMBER, "1_000"), Field("7", FieldKind.TEXT, "x")])
    assert record == {"b": 1000, "7": "x"}
    assert [k for k, _ in record_format.parse(record).entries] == ["7", "b"]  # JavaScript order


@pytest.mark.parametrize(
    ("fields", "row", "words"),
    [
        ([], -1, "nothing in it"),
        ([Field("  ", FieldKind.TEXT, "x")], 0, "has no name"),
        ([Field("a", FieldKind.TEXT, "x"), Field("a", FieldKind.TEXT, "y")], 1, "used twice"),
        ([Field("a", FieldKind.TEXT, "x"), Field("e mail", FieldKind.TEXT, "y")], 1, "characters other"),
        ([Field("age", FieldKind.NUMBER, "forty")], 0, "forty is not a number"),
        ([Field("age", FieldKind.NUMBER, "")], 0, "an empty value is not a number"),
        ([Field("x", FieldKind.NUMBER, "inf")], 0, "finite"),
        ([Field("x", FieldKind.NUMBER, str(2**53 + 1))], 0, "too large"),
        ([Field("ok", FieldKind.YES_NO, "maybe")], 0, "yes or no"),
    ],
)
def test_a_mistake_names_its_row_and_says_what_to_do(fields: list[Field], row: int, words: str) -> None:
    with pytest.raises(FieldError) as caught:
        build_record(fields)
    assert caught.value.row == row
    assert words in str(caught.value)
