"""A protected record: the nested key/value object the DataProtector SDK serializes, validated as it does.

The SDK takes a JavaScript object; this module takes the Python equivalent and checks it against the same
rules, so nothing the SDK would refuse can be protected here and each leaf gets the SDK's schema type:

==========================  =======================  =========================================
Python value                JavaScript equivalent    schema type
==========================  =======================  =========================================
``bool``                    boolean                  ``bool``
``float``, ``int``          number                   ``f64`` (an ``int`` at most 2**53 in size)
``BigInt(n)``               bigint                   ``i128``
``str``                     string                   ``string``
``bytes``, ``FileContent``  Uint8Array               MIME type of the content (see ``mime``)
``Mapping[str, ...]``       nested object            the nested schema
==========================  =======================  =========================================

A Python ``int`` is a JSON number, hence ``f64`` as in the SDK: the same JSON typed into this app or given
to the SDK must protect to the same schema. ``BigInt`` is the explicit way to ask for ``i128``.

Where the SDK is looser than its own format, it is not followed: it lets the bigint 2**127 through and
stores it as -2**127 (an off-by-one in its range check); that value is refused here.

Keys follow the JavaScript property order the SDK's ``Object.entries`` sees: keys that are array indices
(``"0"``, ``"7"``, ``"42"``; not ``"007"``) first in numeric order, then the others as inserted. The order
decides both the zip layout and the schema JSON, so it has to be the SDK's, not Python's.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

from desktop_app.core.errors import UserFacingError
from desktop_app.core.protect import borsh

KEY_PATTERN = re.compile(r"[a-zA-Z0-9\-_]+")
_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]*")
_MAX_ARRAY_INDEX = 2**32 - 2
_MAX_SAFE_INTEGER = 2**53


@dataclass(frozen=True)
class BigInt:
    """An integer protected as ``i128``, like a JavaScript ``bigint`` given to the SDK."""

    value: int


@dataclass(frozen=True)
class FileContent:
    """A binary leaf whose bytes are streamed from a file at serialization time, never held in memory."""

    path: Path


Value: TypeAlias = "bool | int | float | str | bytes | BigInt | FileContent | Mapping[str, Value]"
Record: TypeAlias = Mapping[str, Value]


class RecordError(UserFacingError):
    """A record the DataProtector cannot represent; ``key_path`` names the offending entry."""

    def __init__(self, key_path: tuple[str, ...], problem: str, hint: str = "") -> None:
        where = ".".join(key_path) or "the data"
        super().__init__(f"Cannot protect {where}: {problem}.", hint)
        self.key_path = key_path


@dataclass(frozen=True)
class Leaf:
    """One zip entry's content: borsh bytes with a known type, or binary content typed by its MIME."""

    content: bytes | FileContent
    type: str | None
    """The schema type, or None for binary content (typed by ``mime.detect_mime`` once it is read)."""


@dataclass(frozen=True)
class Folder:
    """A nested object: its entries in the order the SDK visits them."""

    entries: tuple[tuple[str, Leaf | Folder], ...]


def parse(record: Record) -> Folder:
    """Validate ``record`` against the SDK's rules and put every level in JavaScript key order."""
    if not isinstance(record, Mapping):
        raise RecordError((), "the data must be a set of named values")
    folder = _parse_folder(record, ())
    if not folder.entries:
        raise RecordError((), "there is nothing in it", "add at least one value")
    return folder


def walk(folder: Folder, prefix: str = "") -> Iterator[tuple[str, Leaf | None]]:
    """Zip entry names in the SDK's order: a folder (``None``, name ending in ``/``) before its contents."""
    for key, node in folder.entries:
        name = prefix + key
        if isinstance(node, Folder):
            yield name + "/", None
            yield from walk(node, name + "/")
        else:
            yield name, node


def schema_json(folder: Folder, type_of: Callable[[Leaf], str]) -> str:
    """The schema exactly as the SDK's ``JSON.stringify`` writes it (no spaces, JavaScript key order)."""

    def mirror(node: Folder) -> dict[str, object]:
        return {
            key: mirror(child) if isinstance(child, Folder) else type_of(child) for key, child in node.entries
        }

    return json.dumps(mirror(folder), separators=(",", ":"))


def js_key_order(keys: list[str]) -> list[str]:
    """Keys in the order JavaScript enumerates an object's own properties (array indices first)."""
    indices = sorted((k for k in keys if _is_array_index(k)), key=int)
    return indices + [k for k in keys if not _is_array_index(k)]


def _is_array_index(key: str) -> bool:
    return _ARRAY_INDEX.fullmatch(key) is not None and int(key) <= _MAX_ARRAY_INDEX


def _parse_folder(mapping: Mapping[str, Value], at: tuple[str, ...]) -> Folder:
    for key in mapping:
        if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
            raise RecordError(
                (*at, str(key)),
                "the name is empty or has characters other than letters, digits, '-' and '_'",
                "rename it using only A-Z, a-z, 0-9, '-' and '_'",
            )
    return Folder(tuple((key, _parse_value(mapping[key], (*at, key))) for key in js_key_order(list(mapping))))


def _parse_value(value: object, at: tuple[str, ...]) -> Leaf | Folder:
    # bool before int: a Python bool is an int.
    if isinstance(value, bool):
        return Leaf(borsh.encode_bool(value), "bool")
    if isinstance(value, int | float):
        return Leaf(_number(value, at), "f64")
    if isinstance(value, BigInt):
        if not borsh.I128_MIN <= value.value <= borsh.I128_MAX:
            raise RecordError(at, "the integer does not fit in 128 bits (signed)")
        return Leaf(borsh.encode_i128(value.value), "i128")
    if isinstance(value, str):
        try:
            return Leaf(borsh.encode_string(value), "string")
        except UnicodeEncodeError:
            raise RecordError(at, "the text contains characters that are not valid Unicode") from None
    if isinstance(value, bytes | bytearray | memoryview):
        return Leaf(bytes(value), None)
    if isinstance(value, FileContent):
        return Leaf(value, None)
    if isinstance(value, Mapping):
        return _parse_folder(value, at)
    if value is None:
        raise RecordError(at, "empty (null) values are not supported")
    if isinstance(value, list | tuple):
        raise RecordError(at, "lists are not supported", "give each item its own name instead")
    raise RecordError(at, f"values of type {type(value).__name__} are not supported")


def _number(value: int | float, at: tuple[str, ...]) -> bytes:
    if isinstance(value, int) and abs(value) > _MAX_SAFE_INTEGER:
        raise RecordError(at, "the number is too large to be stored exactly", "store it as a big integer")
    if not math.isfinite(value):
        raise RecordError(at, "only finite numbers can be protected")
    return borsh.encode_f64(float(value))
