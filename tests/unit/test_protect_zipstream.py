"""The JSZip-identical zip writer: JSZip's header fields, readable zips, and ZIP64 past 4 GiB.

Byte-for-byte equality with JSZip itself is tests/compat/test_sdk_serialization.py.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from desktop_app.core.protect import zipstream
from desktop_app.core.protect.zipstream import ZipEntry, ZipStream, dos_timestamp

DATE = datetime(2024, 3, 5, 13, 7, 41, tzinfo=UTC)


def entry(name: str, data: bytes | None) -> ZipEntry:
    return ZipEntry(name, data, zlib.crc32(data or b""))


def read_all(stream: ZipStream, chunk: int = 7) -> bytes:
    out, buffer = bytearray(), memoryview(bytearray(chunk))
    while n := stream.readinto(buffer):
        out += buffer[:n]
    return bytes(out)


def test_dos_timestamp_is_jszips_utc_two_second_encoding() -> None:
    time, day = dos_timestamp(DATE)
    assert time == (13 << 11) | (7 << 5) | 20
    assert day == (44 << 9) | (3 << 5) | 5
    assert dos_timestamp(DATE.astimezone(timezone(timedelta(hours=5)))) == (time, day)


def test_headers_carry_jszips_fields() -> None:
    data = read_all(ZipStream([entry("d/", None), entry("d/x", b"hello")], DATE))
    local = struct.unpack_from("<IHHHHHIIIHH", data, 0)
    assert local[:4] == (0x04034B50, 10, 0, 0), "version 1.0, no flags, stored"
    directory = data.index(b"PK\x01\x02")
    folder = struct.unpack_from("<IHHHHHHIIIHHHHHII", data, directory)
    assert folder[1:3] == (0x0014, 10), "made by MS-DOS 2.0, needs 1.0"
    assert folder[15] == 0x10, "folder entries carry the DOS directory attribute"
    second = data.index(b"PK\x01\x02", directory + 1)
    file = struct.unpack_from("<IHHHHHHIIIHHHHHII", data, second)
    assert (file[7], file[8], file[15], file[16]) == (zlib.crc32(b"hello"), 5, 0, 32)
    assert data.endswith(struct.pack("<HHII", 2, 2, len(data) - 22 - directory, directory) + b"\x00\x00")


def test_the_stream_is_a_valid_zip_whatever_the_read_size() -> None:
    entries = [entry("a/", None), entry("a/b", b"x" * 1000), entry("c", b""), entry("d", bytes(range(256)))]
    stream = ZipStream(entries, DATE)
    data = read_all(stream, chunk=3)
    assert len(data) == stream.size
    assert read_all(ZipStream(entries, DATE), chunk=1 << 20) == data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == ["a/", "a/b", "c", "d"]
        assert archive.read("d") == bytes(range(256))
        assert archive.getinfo("a/").is_dir()
        assert archive.getinfo("c").date_time == (2024, 3, 5, 13, 7, 40)


def test_zip64_fields_appear_only_past_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # 4 GiB is too big for a unit test: lower the limit so that the second entry's size, the third
    # entry's offset and the central directory's offset all cross it.
    monkeypatch.setattr(zipstream, "ZIP64_LIMIT", 100)
    entries = [entry("small", b"s" * 10), entry("big", b"b" * 150), entry("after", b"a" * 5)]
    stream = ZipStream(entries, DATE)
    data = read_all(stream)
    assert len(data) == stream.size
    assert struct.unpack_from("<HHHHHHIII", data, 4)[0] == 10, "the first entry stays plain"
    big = data.index(b"PK\x03\x04", 1)
    version, *_, csize, usize, _, extra_length = struct.unpack_from("<HHHHHIIIHH", data, big + 4)
    assert (version, csize, usize, extra_length) == (45, 0xFFFFFFFF, 0xFFFFFFFF, 20)
    assert b"PK\x06\x06" in data and b"PK\x06\x07" in data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert [archive.read(name) for name in archive.namelist()] == [b"s" * 10, b"b" * 150, b"a" * 5]


def test_zip64_end_record_for_more_than_65534_entries() -> None:
    entries = [entry(f"k{i}", b"") for i in range(70_000)]
    data = read_all(ZipStream(entries, DATE), chunk=1 << 20)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert len(archive.infolist()) == 70_000
        assert archive.infolist()[-1].filename == "k69999"
