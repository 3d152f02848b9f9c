"""The zip the DataProtector SDK builds with JSZip, written byte for byte and streamed, never assembled.

Python's ``zipfile`` cannot be used: JSZip's headers differ (version made by ``0x0014`` = DOS 2.0,
version needed 1.0, UTC DOS timestamps, a ``0x10`` external attribute on folder entries, no extra fields)
and a byte-identical zip is what keeps the encrypted file, hence its checksum, reproducible against the
SDK. Every entry is stored (no compression), with its CRC-32 and sizes in the local header, so the CRC
must be known before the entry's bytes: files are checksummed in a first pass (``source.scan``).

Past 4 GiB (an entry's size, an entry's offset, or the central directory's position), JSZip writes
truncated numbers, i.e. a broken zip. There, and only there, this writer switches to ZIP64 fields:
version 4.5, ``0xFFFFFFFF`` placeholders and the ZIP64 extra field / end records of APPNOTE 4.5, so
every zip the SDK can produce is reproduced exactly and larger ones stay readable.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType

from desktop_app.core.protect.source import FileReader, ScannedFile

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_END64 = struct.Struct("<IQHHIIQQQQ")
_LOCATOR = struct.Struct("<IIQI")
_ZIP64_LOCAL_EXTRA = struct.Struct("<HHQQ")

_MAX16, _MAX32 = 0xFFFF, 0xFFFFFFFF
ZIP64_LIMIT = _MAX32
"""Sizes and offsets from this value on need ZIP64 fields (``0xFFFFFFFF`` itself means "see ZIP64")."""
_VERSION, _VERSION64 = 10, 45
_MADE_BY, _MADE_BY64 = 0x0014, 0x002D  # high byte 0 = MS-DOS, as JSZip's default platform
_DIR_ATTRIBUTE = 0x10


@dataclass(frozen=True)
class ZipEntry:
    """One entry: a folder (``content`` None, name ending in ``/``), in-memory bytes, or a scanned file."""

    name: str
    content: bytes | ScannedFile | None
    crc32: int

    @property
    def size(self) -> int:
        if self.content is None:
            return 0
        return self.content.size if isinstance(self.content, ScannedFile) else len(self.content)


def dos_timestamp(date: datetime) -> tuple[int, int]:
    """JSZip's (time, date) words: UTC fields, two-second resolution, truncated to 16 bits like it does."""
    d = date.astimezone(UTC)
    time = (d.hour << 11) | (d.minute << 5) | (d.second // 2)
    day = ((d.year - 1980) << 9) | (d.month << 5) | d.day
    return time & _MAX16, day & _MAX16


class ZipStream:
    """The zip's bytes as a stream: ``readinto`` fills the whole buffer unless the zip ends first."""

    def __init__(self, entries: Sequence[ZipEntry], date: datetime) -> None:
        self.entries = entries
        self._time, self._date = dos_timestamp(date)
        self._offsets: list[int] = []
        offset = 0
        for entry in entries:
            self._offsets.append(offset)
            offset += len(self._local_header(entry)) + entry.size
        self._directory_offset = offset
        directory_size = sum(
            len(self._central_header(e, o)) for e, o in zip(entries, self._offsets, strict=True)
        )
        self.size = offset + directory_size + len(self._end(directory_size))
        """The zip's length in bytes, known before a byte is produced."""
        self._directory_size = directory_size
        self._parts = self._generate()
        self._bytes = memoryview(b"")
        self._file: FileReader | None = None

    def readinto(self, view: memoryview) -> int:
        filled = 0
        while filled < len(view):
            if self._file is not None:
                n = self._file.readinto(view[filled:])
                filled += n
                if n == 0:
                    self._file.close()
                    self._file = None
                continue
            if not self._bytes:
                part = next(self._parts, None)
                if part is None:
                    break
                if isinstance(part, ScannedFile):
                    self._file = FileReader(part)
                    continue
                self._bytes = memoryview(part)
            n = min(len(self._bytes), len(view) - filled)
            view[filled : filled + n] = self._bytes[:n]
            self._bytes = self._bytes[n:]
            filled += n
        return filled

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> ZipStream:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _generate(self) -> Iterator[bytes | ScannedFile]:
        for entry in self.entries:
            yield self._local_header(entry)
            if entry.content is not None:
                yield entry.content
        for entry, offset in zip(self.entries, self._offsets, strict=True):
            yield self._central_header(entry, offset)
        yield self._end(self._directory_size)

    def _local_header(self, entry: ZipEntry) -> bytes:
        name = entry.name.encode("ascii")
        big = entry.size >= ZIP64_LIMIT
        extra = _ZIP64_LOCAL_EXTRA.pack(1, 16, entry.size, entry.size) if big else b""
        size = _MAX32 if big else entry.size
        header = _LOCAL.pack(
            0x04034B50,
            _VERSION64 if big else _VERSION,
            0,  # flags: no data descriptor, names are ASCII
            0,  # stored
            self._time,
            self._date,
            entry.crc32,
            size,
            size,
            len(name),
            len(extra),
        )
        return header + name + extra

    def _central_header(self, entry: ZipEntry, offset: int) -> bytes:
        name = entry.name.encode("ascii")
        big, far = entry.size >= ZIP64_LIMIT, offset >= ZIP64_LIMIT
        wide = [entry.size, entry.size] if big else []
        if far:
            wide.append(offset)
        extra = struct.pack(f"<HH{len(wide)}Q", 1, 8 * len(wide), *wide) if wide else b""
        size = _MAX32 if big else entry.size
        header = _CENTRAL.pack(
            0x02014B50,
            _MADE_BY64 if wide else _MADE_BY,
            _VERSION64 if wide else _VERSION,
            0,
            0,
            self._time,
            self._date,
            entry.crc32,
            size,
            size,
            len(name),
            len(extra),
            0,  # comment length
            0,  # disk number
            0,  # internal attributes
            _DIR_ATTRIBUTE if entry.content is None else 0,
            _MAX32 if far else offset,
        )
        return header + name + extra

    def _end(self, directory_size: int) -> bytes:
        count, start = len(self.entries), self._directory_offset
        many, big, far = count >= _MAX16, directory_size >= ZIP64_LIMIT, start >= ZIP64_LIMIT
        end = _END.pack(
            0x06054B50,
            0,
            0,
            _MAX16 if many else count,
            _MAX16 if many else count,
            _MAX32 if big else directory_size,
            _MAX32 if far else start,
            0,  # comment length
        )
        if not (many or big or far):
            return end
        end64_offset = start + directory_size
        end64 = _END64.pack(
            0x06064B50, _END64.size - 12, _MADE_BY64, _VERSION64, 0, 0, count, count, directory_size, start
        )
        return end64 + _LOCATOR.pack(0x07064B50, 0, end64_offset, 1) + end
