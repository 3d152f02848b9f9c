"""The IPFS service's own store: each added file kept whole on disk under its root CID.

The sandbox only ever serves files by the root CID an add returned, so there is no block store: the file's
bytes are written once, as they arrive, to a temporary file beside their final place, while the CID is
computed on the same stream. Once the CID is known the temporary file is renamed into ``blobs/<cid>``;
renaming within one directory is atomic, so a reader (or a restart) sees a whole file or none.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from desktop_app.sandbox.ipfs.unixfs import UnixFSFileBuilder

_UPLOAD_PREFIX = ".upload-"
_UPLOAD_SUFFIX = ".part"


@dataclass(frozen=True, slots=True)
class StoredFile:
    cid: str
    dag_size: int  # what kubo reports as "Size" for the add


class BlobStore:
    """Files addressed by CIDv0, one regular file each in ``<root>/blobs``."""

    def __init__(self, root: Path) -> None:
        self._blobs = root / "blobs"
        self._blobs.mkdir(parents=True, exist_ok=True)
        self._remove_abandoned_uploads()

    def path_of(self, cid: str) -> Path | None:
        """Where the file named by a (parsed, canonical) CIDv0 is, or None if it was never added."""
        path = self._blobs / cid
        return path if path.is_file() else None

    def begin_upload(self) -> Upload:
        return Upload(self._blobs)

    def _remove_abandoned_uploads(self) -> None:
        """Uploads cut short by a crash left temporary files no one will finish."""
        for leftover in self._blobs.glob(f"{_UPLOAD_PREFIX}*{_UPLOAD_SUFFIX}"):
            leftover.unlink(missing_ok=True)


class Upload:
    """One file being added: bytes go to a temporary file and into the CID builder together.

    Use it as a context manager: leaving the block without a :meth:`commit` (an error, the size limit, a
    client that went away) removes the temporary file.
    """

    def __init__(self, blobs: Path) -> None:
        self._blobs = blobs
        fd, name = tempfile.mkstemp(dir=blobs, prefix=_UPLOAD_PREFIX, suffix=_UPLOAD_SUFFIX)
        self._temp = Path(name)
        self._file: BinaryIO = os.fdopen(fd, "wb")
        self._builder = UnixFSFileBuilder()
        self._committed = False
        self.size = 0

    def write(self, data: bytes) -> None:
        self._file.write(data)
        self._builder.update(data)
        self.size += len(data)

    def commit(self) -> StoredFile:
        """Move the file to its CID's name; content already stored just drops the duplicate."""
        self._file.close()
        cid = self._builder.cid
        final = self._blobs / cid
        if final.exists():
            self._temp.unlink()
        else:
            self._temp.replace(final)
        self._committed = True
        return StoredFile(cid, self._builder.dag_size)

    def _discard(self) -> None:
        self._file.close()
        self._temp.unlink(missing_ok=True)

    def __enter__(self) -> Upload:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self._committed:
            self._discard()
