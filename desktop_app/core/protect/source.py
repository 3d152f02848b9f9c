"""Reading a user's file twice (CRC-32 pass, then the encryption pass) without trusting it to stay put.

The zip header holds the file's CRC-32 *before* its bytes, as the SDK's zip does (no data descriptor), so
a file is read once to checksum it and once more to encrypt it. If it changes in between, the header
would not match the content and the protected data would be silently corrupt; hence each read compares
the file's identity, size and modification time with the first look, and a mismatch stops everything.

Files are opened read-only, and nothing here ever writes to them.
"""

from __future__ import annotations

import errno
import os
import stat
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from desktop_app.core.errors import UserFacingError
from desktop_app.core.protect.mime import HEAD_SIZE

SCAN_CHUNK = 1 << 20


class FileChanged(UserFacingError):
    """The file's size, modification time or identity moved between (or during) the two reads."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"The file {path} changed while it was being protected.",
            "try again when it is not being written to",
        )
        self.path = path


class Snapshot(NamedTuple):
    """What must not change between the two reads of a file."""

    device: int
    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, st: os.stat_result) -> Snapshot:
        return cls(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


@dataclass(frozen=True)
class ScannedFile:
    """A file after the first pass: what the zip header needs, and what the second pass must find again."""

    path: Path
    snapshot: Snapshot
    crc32: int
    head: bytes
    """The first bytes, enough for ``mime.detect_mime``."""

    @property
    def size(self) -> int:
        return self.snapshot.size


def open_read_only(path: Path) -> int:
    """A read-only descriptor on the regular file ``path``, or an error that says why not.

    ``O_NONBLOCK`` keeps a named pipe from blocking the open; it does nothing to reads of regular files.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError as exc:
        raise read_error(path, exc) from exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UserFacingError(f"{path} is not a regular file.", "choose files and folders only")
    return fd


def read_error(path: Path, exc: OSError) -> UserFacingError:
    """A plain-words error for a file that cannot be read."""
    if exc.errno == errno.ENOENT:
        return UserFacingError(f"{path} does not exist.", "check the path and try again")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return UserFacingError(f"{path} cannot be read: permission denied.", "check the file's permissions")
    if exc.errno == errno.ELOOP:
        return UserFacingError(f"{path} is a symbolic link loop.", "remove or fix the link")
    return UserFacingError(f"{path} cannot be read: {exc.strerror or exc}.")


def scan(path: Path, on_bytes: Callable[[int], None]) -> ScannedFile:
    """First pass: CRC-32 and leading bytes of ``path``, calling ``on_bytes(n)`` after each chunk."""
    fd = open_read_only(path)
    try:
        before = Snapshot.of(os.fstat(fd))
        buffer = bytearray(SCAN_CHUNK)
        view = memoryview(buffer)
        crc, done, head = 0, 0, b""
        while n := _readinto(fd, path, view):
            if len(head) < HEAD_SIZE:
                head += view[: min(n, HEAD_SIZE - len(head))]
            crc = zlib.crc32(view[:n], crc)
            done += n
            on_bytes(n)
        if done != before.size or Snapshot.of(os.fstat(fd)) != before:
            raise FileChanged(path)
        return ScannedFile(path, before, crc, head)
    finally:
        os.close(fd)


class FileReader:
    """Second pass over a scanned file: yields exactly its bytes, or raises ``FileChanged``."""

    def __init__(self, scanned: ScannedFile) -> None:
        self._scanned = scanned
        self._fd = open_read_only(scanned.path)
        self._left = scanned.size
        if Snapshot.of(os.fstat(self._fd)) != scanned.snapshot:
            self.close()
            raise FileChanged(self._scanned.path)

    def readinto(self, view: memoryview) -> int:
        """Fill ``view`` with the next bytes of the file (all of it unless the file's end comes first)."""
        want = min(len(view), self._left)
        done = 0
        while done < want:
            n = _readinto(self._fd, self._scanned.path, view[done:want])
            if n == 0:
                raise FileChanged(self._scanned.path)
            done += n
        self._left -= done
        if self._left == 0 and Snapshot.of(os.fstat(self._fd)) != self._scanned.snapshot:
            raise FileChanged(self._scanned.path)
        return done

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _readinto(fd: int, path: Path, view: memoryview) -> int:
    try:
        return os.readv(fd, [view])
    except OSError as exc:
        raise read_error(path, exc) from exc
