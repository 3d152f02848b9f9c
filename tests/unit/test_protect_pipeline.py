"""Protecting end to end: outputs, progress, cancellation, files that change, and what is left behind."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop_app.core.errors import UserCancelled, UserFacingError
from desktop_app.core.protect import encrypt, pipeline
from desktop_app.core.protect.pipeline import ProtectedData, Stage, protect, protect_path
from desktop_app.core.protect.record import BigInt, FileContent, Value
from desktop_app.core.protect.source import FileChanged

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 9000  # a little over 2 MiB: several chunks


def opened(result: ProtectedData) -> zipfile.ZipFile:
    """The protected zip, decrypted with the returned key."""
    blob = result.path.read_bytes()
    assert result.size == len(blob)
    assert result.checksum == "0x" + hashlib.sha256(blob).hexdigest()
    plain = io.BytesIO()
    encrypt.decrypt(io.BytesIO(blob), plain, result.key)
    return zipfile.ZipFile(plain)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


def test_a_file_is_protected_as_the_file_record(tmp_path: Path) -> None:
    source = tmp_path / "photo.png"
    source.write_bytes(PNG)
    before = source.stat()
    result = protect_path(source, tmp_path / "out.enc")
    assert result.schema == '{"file":"image/png"}'
    with opened(result) as archive:
        assert archive.namelist() == ["file"]
        assert archive.read("file") == PNG
    after = source.stat()
    assert source.read_bytes() == PNG
    assert (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size)
    assert len(encrypt.key_bytes(result.key)) == 32


def test_a_folder_and_a_record_with_every_kind_of_leaf(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "doc.pdf").write_bytes(b"%PDF-1.7 ...")
    (folder / "notes.txt").write_bytes(b"hello")
    with opened(protect_path(folder, tmp_path / "f.enc")) as archive:
        assert archive.namelist() == ["notes_txt", "sub/", "sub/doc_pdf"]
        assert archive.read("sub/doc_pdf") == b"%PDF-1.7 ..."

    record: dict[str, Value] = {
        "name": "Ada",
        "age": 36,
        "big": BigInt(2**100),
        "ok": True,
        "doc": FileContent(folder / "notes.txt"),
    }
    result = protect(record, tmp_path / "r.enc", date=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert (
        result.schema
        == '{"name":"string","age":"f64","big":"i128","ok":"bool","doc":"application/octet-stream"}'
    )
    with opened(result) as archive:
        assert archive.read("name") == b"\x03\x00\x00\x00Ada"
        assert archive.read("doc") == b"hello"
        assert archive.getinfo("ok").date_time == (2030, 1, 2, 3, 4, 4)


def test_progress_reports_both_stages_up_to_their_totals(tmp_path: Path) -> None:
    source = tmp_path / "in.png"
    source.write_bytes(PNG)
    reports: list[tuple[Stage, int, int]] = []
    result = protect_path(source, tmp_path / "out.enc", on_progress=lambda *r: reports.append(r))
    stages = [stage for stage, _, _ in reports]
    assert stages == sorted(stages, key=["scan", "encrypt"].index)
    assert ("scan", 0, len(PNG)) in reports and ("scan", len(PNG), len(PNG)) in reports
    last_stage, last_done, total = reports[-1]
    assert last_stage == "encrypt" and last_done == total and result.size == encrypt.encrypted_size(total)
    for stage in ("scan", "encrypt"):
        done = [d for s, d, _ in reports if s == stage]
        assert done == sorted(done)


def hook(when: Callable[[int], bool], action: Callable[[], object]) -> Callable[[], bool]:
    """A ``should_cancel`` (polled on every chunk) running ``action`` at the polls where ``when`` holds."""
    polls = [0]

    def check() -> bool:
        polls[0] += 1
        if when(polls[0]):
            action()
        return False

    return check


def test_cancelling_removes_the_partial_output(tmp_path: Path) -> None:
    source = tmp_path / "in.bin"
    source.write_bytes(PNG)
    polls = [0]

    def cancel_in_encrypt() -> bool:
        polls[0] += 1
        return polls[0] == 5  # 3 scan chunks, then the encryption's second chunk

    with pytest.raises(UserCancelled):
        protect_path(source, tmp_path / "out.enc", should_cancel=cancel_in_encrypt)
    with pytest.raises(UserCancelled):
        protect_path(source, tmp_path / "out.enc", should_cancel=lambda: True)
    assert not (tmp_path / "out.enc").exists()
    assert leftovers(tmp_path) == []
    assert source.read_bytes() == PNG


@pytest.mark.parametrize(
    ("poll", "change"),
    [
        (1, lambda p: p.write_bytes(PNG[:-1])),  # during the CRC pass
        (4, lambda p: p.write_bytes(PNG + b"!")),  # grows while being encrypted
        (5, lambda p: os.truncate(p, len(PNG) - 10)),  # shrinks while being encrypted
        (5, lambda p: os.utime(p, ns=(1, 1))),  # same size, touched while being encrypted
    ],
)
def test_a_file_changing_while_protected_stops_everything(
    tmp_path: Path, poll: int, change: Callable[[Path], object]
) -> None:
    source = tmp_path / "in.bin"
    source.write_bytes(PNG)
    with pytest.raises(FileChanged, match="changed while it was being protected") as caught:
        protect_path(
            source, tmp_path / "out.enc", should_cancel=hook(lambda n: n == poll, lambda: change(source))
        )
    assert "not being written to" in str(caught.value)
    assert not (tmp_path / "out.enc").exists()
    assert leftovers(tmp_path) == []


def test_a_file_changing_between_the_two_passes_is_caught_before_encrypting(tmp_path: Path) -> None:
    source = tmp_path / "in.bin"
    source.write_bytes(PNG)

    def edit_when_encryption_starts(stage: Stage, done: int, total: int) -> None:
        if stage == "encrypt" and done == 0:
            source.write_bytes(PNG[::-1])  # same size, new content, new mtime
            os.utime(source, ns=(2, 2))

    with pytest.raises(FileChanged):
        protect_path(source, tmp_path / "out.enc", on_progress=edit_when_encryption_starts)
    assert leftovers(tmp_path) == []


def test_the_output_may_not_replace_an_input(tmp_path: Path) -> None:
    source = tmp_path / "in.bin"
    source.write_bytes(PNG)
    with pytest.raises(UserFacingError, match="cannot replace"):
        protect_path(source, source)
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "f").write_bytes(b"x")
    with pytest.raises(UserFacingError, match="inside the folder"):
        protect_path(tmp_path / "dir", tmp_path / "dir" / "out.enc")
    assert source.read_bytes() == PNG


def test_write_failures_are_explained_and_cleaned_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "in.bin"
    source.write_bytes(PNG)
    with pytest.raises(UserFacingError, match="cannot be written"):
        protect_path(source, tmp_path / "missing" / "out.enc")

    def full(out: object, data: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(encrypt, "write_all", full)
    with pytest.raises(UserFacingError, match="not enough disk space"):
        protect_path(source, tmp_path / "out.enc")
    assert leftovers(tmp_path) == []
    assert not (tmp_path / "out.enc").exists()


def test_an_unreadable_file_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests may run as root, for whom permissions do not apply: refuse the open itself.
    source = tmp_path / "secret.bin"
    source.write_bytes(PNG)
    real_open = os.open

    def deny(path: object, flags: int, *args: int) -> int:
        if Path(str(path)) == source:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", deny)
    with pytest.raises(UserFacingError, match="permission denied"):
        protect_path(source, tmp_path / "out.enc")


def test_serialize_gives_the_plain_zip_and_schema(tmp_path: Path) -> None:
    stream, schema = pipeline.serialize({"a": {"b": "c"}})
    with stream:
        buffer = memoryview(bytearray(stream.size + 10))
        size = stream.readinto(buffer)
    assert size == stream.size
    assert schema == '{"a":{"b":"string"}}'
    assert zipfile.ZipFile(io.BytesIO(bytes(buffer[:size]))).namelist() == ["a/", "a/b"]


class _Collecting:
    """A ``CiphertextSink`` that keeps everything it is handed."""

    def __init__(self) -> None:
        self.sizes: list[int] = []
        self.data = bytearray()

    def begin(self, size: int) -> None:
        assert not self.data, "begin comes before the first byte"
        self.sizes.append(size)

    def write(self, data: memoryview) -> None:
        self.data += data


def test_a_sink_gets_the_encrypted_file_as_it_is_written(tmp_path: Path) -> None:
    source = tmp_path / "photo.png"
    source.write_bytes(PNG)
    sink = _Collecting()
    result = protect_path(source, tmp_path / "out.enc", sink=sink)
    assert sink.sizes == [result.size]
    assert bytes(sink.data) == result.path.read_bytes()
