"""The result digest a TEE task commits on chain, computed as iExec's post-compute does (spec §5).

The enclave signs it, PoCo stores it as ``task.resultDigest``, and the data owner recomputes it from the
decrypted result to prove the file they hold is the one the enclave produced: the worker and the verifier
must compute it the same way, hence one function for both.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK = 1 << 20


def _sha256_file(path: Path) -> bytes:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.digest()


def result_digest(deterministic_output: Path) -> bytes:
    """A file: its SHA-256. A folder: keccak256 of its direct files' SHA-256s, by path (not recursive)."""
    if deterministic_output.is_file():
        return _sha256_file(deterministic_output)
    if deterministic_output.is_dir():
        from eth_utils.crypto import keccak  # deferred: startup budget, see ui/app.py

        entries = sorted(p for p in deterministic_output.iterdir() if p.is_file())
        return keccak(b"".join(_sha256_file(p) for p in entries))
    raise FileNotFoundError(f"deterministic output {deterministic_output} does not exist")
