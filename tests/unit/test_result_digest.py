from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from web3 import Web3

from desktop_app.core.iexec.result_digest import result_digest


def test_a_file_digest_is_its_sha256(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_bytes(b'{"count": 3}')
    assert result_digest(path) == hashlib.sha256(b'{"count": 3}').digest()


def test_a_folder_digest_is_keccak_of_its_direct_files_in_path_order(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_bytes(b"bee")
    (tmp_path / "a.txt").write_bytes(b"ay")
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "ignored.txt").write_bytes(b"not a direct entry")
    expected = Web3.keccak(hashlib.sha256(b"ay").digest() + hashlib.sha256(b"bee").digest())
    assert result_digest(tmp_path) == bytes(expected)


def test_a_missing_output_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        result_digest(tmp_path / "absent")
