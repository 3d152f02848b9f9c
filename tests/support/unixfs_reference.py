"""The official JS UnixFS importer (``ipfs-unixfs-importer``, run offline by node) as a CID oracle.

It is part of the project set-up, so a missing node or node_modules fails the calling test instead of
skipping it: a skip would hide that the CIDs written on chain are no longer checked against anything.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "tests" / "support" / "unixfs_reference.mjs"


def reference(paths: list[Path], *extra_args: str) -> list[tuple[str, int]]:
    """``(cid, cumulative DAG size)`` per path, as kubo's defaults would give them."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: the project set-up installs Node 20 for the JS reference importer")
    if not (REPO / "node_modules" / "ipfs-unixfs-importer").is_dir():
        pytest.fail("node_modules/ipfs-unixfs-importer is missing: run `npm ci` in the project root")
    argv = [node, str(SCRIPT), *extra_args, *map(str, paths)]
    out = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=240).stdout
    return [(cid, int(size)) for cid, size in (line.split() for line in out.splitlines())]
