"""Protecting data locally: record → SDK zip → AES-256-CBC file + checksum + schema, ready to upload.

This is the part of the SDK's ``protectData`` that happens before any network call, done as a stream:
files are read twice (CRC-32 for the zip headers, then encryption) and never loaded, so memory stays
flat whatever their size. The result goes to a temporary file next to ``output`` and is renamed into
place only when complete; on failure or cancellation the temporary file is removed, and the user's
files are only ever opened read-only.

Progress is reported per stage: ``"scan"`` (the CRC-32 pass over files, bytes of files) then
``"encrypt"`` (bytes of the zip encrypted). ``should_cancel`` is polled between chunks (pass
``event.is_set`` for a ``threading.Event``); a cancellation raises ``UserCancelled``.

A ``sink`` receives the encrypted bytes as they are written (the upload streams them to IPFS meanwhile);
they still go to ``output`` too, which an interrupted protect resumes from.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Literal, Protocol

from desktop_app.core.errors import UserCancelled, UserFacingError
from desktop_app.core.protect import encrypt, inputs, record
from desktop_app.core.protect.mime import HEAD_SIZE, detect_mime
from desktop_app.core.protect.source import ScannedFile, scan
from desktop_app.core.protect.zipstream import ZipEntry, ZipStream

Stage = Literal["scan", "encrypt"]
ProgressCallback = Callable[[Stage, int, int], None]
"""``(stage, bytes done, bytes total)``, from the protecting thread: each stage's start and end, and in
between at most every 50 ms."""
CancelCheck = Callable[[], bool]

_REPORT_EVERY = 0.05


class CiphertextSink(Protocol):
    """Where the encrypted bytes also go, from the encryption's writer thread (e.g. ``CiphertextChannel``)."""

    def begin(self, size: int) -> None:
        """Called once, before the first ``write``, with the size of the whole encrypted file."""

    def write(self, data: memoryview) -> None:
        """The next bytes, in order; ``data`` is reused afterwards, so copy what is kept."""


@dataclass(frozen=True)
class ProtectedData:
    """What the rest of ``protectData`` needs: the file to upload, and what goes on chain and to the SMS."""

    path: Path
    """The encrypted file (IV ‖ AES-256-CBC of the zip)."""
    key: str
    """The AES key, base64: pushed to the SMS once the dataset exists; keep it out of logs."""
    checksum: str
    """``0x`` + sha256 of the encrypted file, lowercase: the dataset's on-chain checksum."""
    schema: str
    """The schema JSON, as ``createDatasetWithSchema`` takes it."""
    size: int
    """Size of the encrypted file in bytes."""


def protect_path(
    path: Path,
    output: Path,
    *,
    on_progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
    date: datetime | None = None,
    sink: CiphertextSink | None = None,
) -> ProtectedData:
    """Protect a file (as ``{"file": …}``) or a folder (its tree, see ``inputs``) into ``output``."""
    if path.is_dir():
        if output.resolve().is_relative_to(path.resolve()):
            raise UserFacingError("The protected file cannot be saved inside the folder being protected.")
        data = inputs.folder_record(path)
    else:
        data = inputs.file_record(path)
    return protect(data, output, on_progress=on_progress, should_cancel=should_cancel, date=date, sink=sink)


def protect(
    data: record.Record,
    output: Path,
    *,
    on_progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
    date: datetime | None = None,
    sink: CiphertextSink | None = None,
) -> ProtectedData:
    """Serialize ``data`` as the SDK does, encrypt it with a new key into ``output``, and describe it.

    ``date`` is the zip entries' timestamp (JSZip uses the current time); tests pin it.
    """
    progress = _Progress(on_progress, should_cancel)
    stream, schema = _serialize(data, date, progress)
    for entry in stream.entries:
        if isinstance(entry.content, ScannedFile) and _same_file(entry.content.path, output):
            raise UserFacingError("The protected file cannot replace one of the files being protected.")
    key = encrypt.generate_key()
    progress.start("encrypt", stream.size)
    if sink is not None:
        sink.begin(encrypt.encrypted_size(stream.size))
    try:
        handle, name = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".partial")
    except OSError as exc:
        raise _write_error(output, exc) from exc
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb", buffering=0) as out, stream:
            target = out if sink is None else _Tee(out, sink)
            checksum = encrypt.encrypt(stream, target, key, on_chunk=progress.advance)
        temporary.replace(output)
    except OSError as exc:
        _remove(temporary)
        raise _write_error(output, exc) from exc
    except BaseException:
        _remove(temporary)
        raise
    return ProtectedData(output, key, checksum, schema, encrypt.encrypted_size(stream.size))


def serialize(data: record.Record, *, date: datetime | None = None) -> tuple[ZipStream, str]:
    """The SDK's zip of ``data`` as a stream (unencrypted; a context manager), and its schema JSON.

    Files in ``data`` are read once here for their CRC-32 and MIME type, then again as the stream is read.
    """
    return _serialize(data, date, _Progress(None, None))


def _serialize(data: record.Record, date: datetime | None, progress: _Progress) -> tuple[ZipStream, str]:
    folder = record.parse(data)
    # The same file may appear under several keys: it is scanned once. A dict keeps the record's order.
    files = {
        leaf.content: None
        for _, leaf in record.walk(folder)
        if leaf and isinstance(leaf.content, record.FileContent)
    }
    if files:
        progress.start("scan", sum(_size(f.path) for f in files))
    scanned = {f: scan(f.path, progress.advance) for f in files}

    def head(leaf: record.Leaf) -> bytes:
        content = leaf.content
        return scanned[content].head if isinstance(content, record.FileContent) else content[:HEAD_SIZE]

    entries = []
    for name, leaf in record.walk(folder):
        if leaf is None:
            entries.append(ZipEntry(name, None, 0))
        elif isinstance(leaf.content, record.FileContent):
            found = scanned[leaf.content]
            entries.append(ZipEntry(name, found, found.crc32))
        else:
            entries.append(ZipEntry(name, leaf.content, zlib.crc32(leaf.content)))
    schema = record.schema_json(folder, lambda leaf: leaf.type or detect_mime(head(leaf)))
    return ZipStream(entries, date or datetime.now(UTC)), schema


class _Tee:
    """Writes to the file, and hands what was written to the sink."""

    def __init__(self, file: BinaryIO, sink: CiphertextSink) -> None:
        self._file, self._sink = file, sink

    def write(self, data: memoryview, /) -> int:
        n = self._file.write(data)
        self._sink.write(data[:n])
        return n


class _Progress:
    """Throttles progress reports and polls for cancellation on every chunk."""

    def __init__(self, report: ProgressCallback | None, should_cancel: CancelCheck | None) -> None:
        self._report = report
        self._should_cancel = should_cancel
        self._stage: Stage = "scan"
        self._done = self._total = 0
        self._last = 0.0

    def start(self, stage: Stage, total: int) -> None:
        self._stage, self._done, self._total = stage, 0, total
        self._emit()

    def advance(self, n: int) -> None:
        if self._should_cancel is not None and self._should_cancel():
            raise UserCancelled
        self._done += n
        if self._done >= self._total or time.monotonic() - self._last >= _REPORT_EVERY:
            self._emit()

    def _emit(self) -> None:
        self._last = time.monotonic()
        if self._report is not None:
            self._report(self._stage, self._done, self._total)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # the scan that follows reports the problem in words


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _write_error(output: Path, exc: OSError) -> UserFacingError:
    if exc.errno == errno.ENOSPC:
        return UserFacingError(
            f"There is not enough disk space to write {output}.", "free some space or choose another folder"
        )
    return UserFacingError(f"{output} cannot be written: {exc.strerror or exc}.")
