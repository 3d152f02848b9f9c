"""What a file or a folder chosen by the user becomes as a DataProtector record.

- A file is ``{"file": <its bytes>}``, the shape of the SDK's own examples (``protectData({ data: {
  file } })``) and the key iApps that take "a protected file" read.
- A folder is its contents, mirrored: each regular file is a binary leaf, each sub-folder a nested
  record (an empty one stays, as an empty folder entry). The folder's own name is not part of it.

Record keys only allow ``A-Z a-z 0-9 - _``, so a name is sanitized by replacing every other character
(``.``, spaces, accents, anything non-ASCII) with ``_``: ``report.pdf`` is stored as ``report_pdf``. Two
names that sanitize alike (``a.b`` and ``a_b``) are an error rather than a silent overwrite, and so is
a name that is not valid UTF-8 (it could not be shown to the user to rename). Hidden files are kept:
what is in the folder is what gets protected. Symbolic links are followed; a link that leads back to a
folder being walked is reported as a loop, a dangling one as missing. Sockets, pipes and devices are
refused. Entries are visited in name order so that the same folder always gives the same record.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from desktop_app.core.errors import UserFacingError
from desktop_app.core.protect.record import FileContent, Value
from desktop_app.core.protect.source import read_error

FILE_KEY = "file"
_NOT_KEY = re.compile(r"[^A-Za-z0-9_-]")


def file_record(path: Path) -> dict[str, Value]:
    """The record for one file: ``{"file": <content>}``; refuses an empty file (nothing to protect)."""
    st = _stat(path)
    if stat.S_ISDIR(st.st_mode):
        raise UserFacingError(f"{path} is a folder.", "protect it as a folder")
    if not stat.S_ISREG(st.st_mode):
        raise UserFacingError(f"{path} is not a regular file.", "choose files and folders only")
    if st.st_size == 0:
        raise UserFacingError(f"{path} is empty: there is nothing to protect.")
    return {FILE_KEY: FileContent(path)}


def folder_record(path: Path) -> dict[str, Value]:
    """The record mirroring a folder's tree; refuses a folder without a single file in it."""
    st = _stat(path)
    if not stat.S_ISDIR(st.st_mode):
        raise UserFacingError(f"{path} is not a folder.")
    record = _folder(path, frozenset({(st.st_dev, st.st_ino)}))
    if not _has_file(record):
        raise UserFacingError(f"The folder {path} has no files: there is nothing to protect.")
    return record


def sanitize(name: str) -> str:
    """The record key a file name is stored under."""
    return _NOT_KEY.sub("_", name)


def _folder(path: Path, ancestors: frozenset[tuple[int, int]]) -> dict[str, Value]:
    try:
        children = sorted(path.iterdir())
    except OSError as exc:
        raise read_error(path, exc) from exc
    record: dict[str, Value] = {}
    origin: dict[str, str] = {}
    for child in children:
        name = child.name
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            raise UserFacingError(
                f"The name of {child} is not valid UTF-8 text.", "rename it and try again"
            ) from None
        key = sanitize(name)
        if key in origin:
            raise UserFacingError(
                f"{origin[key]!r} and {name!r} in {path} would both be stored as {key!r}.",
                "rename one of them",
            )
        origin[key] = name
        st = _stat(child)
        if stat.S_ISDIR(st.st_mode):
            identity = (st.st_dev, st.st_ino)
            if identity in ancestors:
                raise UserFacingError(f"{child} is a symbolic link loop.", "remove or fix the link")
            record[key] = _folder(child, ancestors | {identity})
        elif stat.S_ISREG(st.st_mode):
            record[key] = FileContent(child)
        else:
            raise UserFacingError(
                f"{child} is not a regular file (a pipe, socket or device).", "move it out of the folder"
            )
    return record


def _stat(path: Path) -> os.stat_result:
    try:
        return path.stat()
    except OSError as exc:
        if path.is_symlink() and isinstance(exc, FileNotFoundError):
            raise UserFacingError(
                f"{path} is a symbolic link to something that does not exist.", "remove or fix the link"
            ) from exc
        raise read_error(path, exc) from exc


def _has_file(record: dict[str, Value]) -> bool:
    return any(isinstance(v, FileContent) or (isinstance(v, dict) and _has_file(v)) for v in record.values())
