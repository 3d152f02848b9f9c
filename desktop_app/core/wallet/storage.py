"""Where wallet files live and how they are written: private (0600/0700) and atomic.

Every write goes to a temporary file in the same folder, is flushed to disk, then renamed over (or linked
to) its final name. A crash, a full disk or a permission error therefore leaves either the old file or
the new one, never a truncated keystore, and the temporary file is removed on failure.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from desktop_app.core.paths import app_data_dir
from desktop_app.core.wallet.errors import unwritable

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def default_wallet_dir() -> Path:
    return app_data_dir() / "wallet"


def ensure_private_dir(directory: Path) -> None:
    """Create the wallet folder readable by its owner only; an existing folder is left as the user set it."""
    try:
        if not directory.is_dir():
            directory.mkdir(mode=PRIVATE_DIR_MODE, parents=True)
            directory.chmod(PRIVATE_DIR_MODE)  # mkdir's mode is filtered by the umask
    except OSError as exc:
        raise unwritable(directory, exc) from exc


def write_private_file(path: Path, data: bytes, *, replace: bool) -> None:
    """Write ``data`` to ``path`` atomically with mode 0600.

    With ``replace=False`` an existing file is never overwritten (a hard link cannot clobber): the
    collision raises ``FileExistsError`` for the caller to word. Other OS errors become a ``UserFacingError``.
    """
    ensure_private_dir(path.parent)
    try:
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise unwritable(path.parent, exc) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(PRIVATE_FILE_MODE)
        if replace:
            tmp.replace(path)
        else:
            _link_without_clobbering(tmp, path)
    except FileExistsError:
        raise
    except OSError as exc:
        raise unwritable(path.parent, exc) from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    _sync_dir(path.parent)


def write_private_json(path: Path, document: Any, *, replace: bool) -> None:
    data = (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()
    write_private_file(path, data, replace=replace)


def _link_without_clobbering(tmp: Path, path: Path) -> None:
    """Publish ``tmp`` as ``path`` only if ``path`` does not exist, atomically where hard links work."""
    try:
        path.hardlink_to(tmp)
    except FileExistsError:
        raise
    except OSError:
        # Some file systems (FAT, a few network mounts) have no hard links: check, then rename.
        if path.exists():
            raise FileExistsError(str(path)) from None
        tmp.replace(path)


def _sync_dir(directory: Path) -> None:
    """Make the rename itself durable; only POSIX can open a directory for fsync."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
