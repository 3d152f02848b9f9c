"""Records: the SDK's validation rules, its schema types, and JavaScript's key order."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from desktop_app.core.protect import borsh
from desktop_app.core.protect.record import (
    BigInt,
    FileContent,
    Folder,
    Leaf,
    RecordError,
    js_key_order,
    parse,
    schema_json,
    walk,
)


def types(folder: Folder) -> str:
    return schema_json(folder, lambda leaf: leaf.type or "binary")


def test_each_python_value_gets_the_sdks_type_and_borsh_bytes() -> None:
    folder = parse(
        {
            "b": True,
            "f": 1.5,
            "n": 42,
            "i": BigInt(-2),
            "s": "hé",
            "raw": b"\x00\x01",
            "doc": FileContent(Path("x")),
        }
    )
    leaves = dict(folder.entries)
    assert leaves["b"] == Leaf(b"\x01", "bool")
    assert leaves["f"] == Leaf(borsh.encode_f64(1.5), "f64")
    assert leaves["n"] == Leaf(borsh.encode_f64(42.0), "f64"), "a Python int is a JSON/JS number"
    assert leaves["i"] == Leaf(bytes.fromhex("fe" + "ff" * 15), "i128")
    assert leaves["s"] == Leaf(bytes.fromhex("0300000068c3a9"), "string")
    assert leaves["raw"] == Leaf(b"\x00\x01", None)
    assert leaves["doc"] == Leaf(FileContent(Path("x")), None)


def test_schema_is_compact_json_mirroring_the_record() -> None:
    folder = parse({"email": "a@b.c", "n": {"x": 1.0, "deep": {"t": False}}, "empty": {}})
    assert types(folder) == '{"email":"string","n":{"x":"f64","deep":{"t":"bool"}},"empty":{}}'


def test_keys_follow_javascript_property_order() -> None:
    keys = ["b", "10", "2", "007", "a", "0", "4294967294", "4294967295", "-1", "1e3"]
    assert js_key_order(keys) == ["0", "2", "10", "4294967294", "b", "007", "a", "4294967295", "-1", "1e3"]
    folder = parse(dict.fromkeys(keys, True))
    assert [key for key, _ in folder.entries] == js_key_order(keys)


def test_walk_lists_folders_before_their_contents_in_order() -> None:
    folder = parse({"z": 1.0, "a": {"2": "x", "1": {"deep": True}}, "e": {}})
    assert [name for name, _ in walk(folder)] == ["z", "a/", "a/1/", "a/1/deep", "a/2", "e/"]
    assert [leaf is None for _, leaf in walk(folder)] == [False, True, True, False, False, True]


@pytest.mark.parametrize("key", ["", "a b", "a.b", "é", "a/b", "x\n"])
def test_keys_outside_the_sdk_pattern_are_refused(key: str) -> None:
    with pytest.raises(RecordError) as caught:
        parse({"ok": {key: 1.0}})
    assert caught.value.key_path == ("ok", key)
    assert "letters, digits" in caught.value.what


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ([1, 2], "lists are not supported"),
        ((1,), "lists are not supported"),
        (None, "null"),
        (math.inf, "finite"),
        (math.nan, "finite"),
        (2**53 + 1, "too large"),
        (BigInt(2**127), "128 bits"),
        (BigInt(-(2**127) - 1), "128 bits"),
        ({1, 2}, "type set"),
        ("\ud800", "not valid Unicode"),
    ],
)
def test_values_the_sdk_refuses_are_refused(value: object, words: str) -> None:
    with pytest.raises(RecordError, match=words) as caught:
        parse({"n": {"v": value}})  # type: ignore[dict-item]
    assert caught.value.key_path == ("n", "v")


def test_extreme_values_that_fit_are_accepted() -> None:
    folder = parse({"a": BigInt(2**127 - 1), "b": BigInt(-(2**127)), "c": 2**53, "d": -0.0})
    assert dict(folder.entries)["b"] == Leaf(b"\x00" * 15 + b"\x80", "i128")
    assert dict(folder.entries)["d"] == Leaf(bytes.fromhex("0000000000000080"), "f64")


def test_an_empty_record_or_a_non_mapping_is_refused() -> None:
    with pytest.raises(RecordError, match="nothing in it"):
        parse({})
    with pytest.raises(RecordError, match="set of named values"):
        parse([("a", 1)])  # type: ignore[arg-type]
