"""Our zip and schema equal the DataProtector SDK's (createZipFromObject, extractDataSchema), byte for byte.

Both sides stamp the zip entries with the same pinned date (JSZip would use the current time).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop_app.core.protect import pipeline
from desktop_app.core.protect.inputs import file_record, folder_record
from desktop_app.core.protect.record import BigInt, FileContent, Value
from tests.compat.sdk import read_all, sdk_serialize

DATE = datetime(2025, 11, 30, 23, 59, 59, 999_000, tzinfo=UTC)
PAD = bytes(range(64))

# One synthetic file per MIME family the SDK recognises (header + filler), plus the fallback.
BINARIES: dict[str, bytes] = {
    "png": b"\x89PNG\r\n\x1a\n" + PAD,
    "jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + PAD,
    "gif87": b"GIF87a" + PAD,
    "gif89": b"GIF89a" + PAD,
    "bmp": b"BM" + PAD,
    "webp": b"RIFF\x24\x00\x00\x00WEBPVP8 " + PAD,
    "wav": b"RIFF\x24\x00\x00\x00WAVEfmt " + PAD,
    "avi": b"RIFF\x24\x00\x00\x00AVI LIST" + PAD,
    "pdf": b"%PDF-1.7\n" + PAD,
    "bom_pdf": b"\xef\xbb\xbf%PDF-1.4\n" + PAD,
    "xml": b'<?xml version="1.0"?><a/>',
    "zip": b"PK\x03\x04\x14\x00" + PAD,
    "midi": b"MThd\x00\x00\x00\x06\x00\x01" + PAD,
    "mp3_id3": b"ID3\x04\x00\x00" + PAD,
    "mp3_frame": b"\xff\xfb\x90\x64" + PAD,
    "mpeg_ps": b"\x00\x00\x01\xba\x44" + PAD,
    "mpeg_ts": b"G\x40\x11\x10" + PAD,
    "mp4": b"\x00\x00\x00\x18ftypmp42" + PAD,
    "heic": b"\x00\x00\x00\x18ftypheic" + PAD,
    "octet": os.urandom(100),
    "empty": b"",
}

RECORDS: dict[str, dict[str, Value]] = {
    "strings": {"empty": "", "accents": "hé là", "emoji": "🔐 ok", "long": "x" * 70_000, "nul": "a\x00b"},
    "numbers": {
        "zero": 0,
        "negative_zero": -0.0,
        "half": 1.5,
        "tiny": 5e-324,
        "huge": -1.7976931348623157e308,
        "safe": 2**53,
        "int": 42,
    },
    "booleans": {"yes": True, "no": False},
    "big_integers": {
        "zero": BigInt(0),
        "minus_one": BigInt(-1),
        "min": BigInt(-(2**127)),
        "max": BigInt(2**127 - 1),
        "wide": BigInt(2**64 + 7),
    },
    "nested": {
        "z": {},
        "a": {"b": {"c": "deep", "0": 1.0}},
        "10": {"2": True, "1": False},
        "x-y_Z": 1.0,
        "2": "index keys come first",
        "007": "but not this one",
    },
    "binaries": dict(BINARIES),
    "mixed": {"email": "ada@example.com", "profile": {"age": 36, "photo": BINARIES["jpeg"], "vip": True}},
}


@pytest.fixture(scope="module")
def sdk_records() -> dict[str, tuple[bytes, str]]:
    replies = sdk_serialize(list(RECORDS.values()), DATE)
    return dict(zip(RECORDS, replies, strict=True))


@pytest.mark.parametrize("name", list(RECORDS))
def test_records_serialize_exactly_as_the_sdk(name: str, sdk_records: dict[str, tuple[bytes, str]]) -> None:
    stream, schema = pipeline.serialize(RECORDS[name], date=DATE)
    zip_bytes, sdk_schema = sdk_records[name]
    assert schema == sdk_schema
    assert read_all(stream) == zip_bytes


def test_binary_schema_types_are_the_sdks(sdk_records: dict[str, tuple[bytes, str]]) -> None:
    # Spelled out, so that a change on either side shows which type moved.
    assert sdk_records["binaries"][1] == (
        '{"png":"image/png","jpeg":"image/jpeg","gif87":"image/gif","gif89":"image/gif","bmp":"image/bmp",'
        '"webp":"image/webp","wav":"audio/x-wav","avi":"video/x-msvideo","pdf":"application/pdf",'
        '"bom_pdf":"application/pdf","xml":"application/xml","zip":"application/zip","midi":"audio/midi",'
        '"mp3_id3":"audio/mpeg","mp3_frame":"audio/mpeg","mpeg_ps":"video/mpeg","mpeg_ts":"video/mpeg",'
        '"mp4":"video/mp4","heic":"application/octet-stream","octet":"application/octet-stream",'
        '"empty":"application/octet-stream"}'
    )


def test_files_and_folders_serialize_as_the_sdk_given_their_bytes(tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    big.write_bytes(BINARIES["png"] + os.urandom(3 << 20))
    folder = tmp_path / "folder"
    (folder / "sub dir" / "empty").mkdir(parents=True)
    (folder / "sub dir" / "clip.mp4").write_bytes(BINARIES["mp4"])
    (folder / "10.txt").write_bytes(b"ten")
    (folder / "2.txt").write_bytes(b"")
    (folder / "3").write_bytes(b"three")
    records: list[dict[str, Value]] = [
        file_record(big),
        folder_record(folder),
        {"same": FileContent(big), "again": FileContent(big), "n": 1.0},
    ]
    for record, (zip_bytes, schema) in zip(records, sdk_serialize(records, DATE), strict=True):
        ours, our_schema = pipeline.serialize(record, date=DATE)
        assert our_schema == schema
        assert read_all(ours) == zip_bytes
