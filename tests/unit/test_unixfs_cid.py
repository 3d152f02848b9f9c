"""Our streaming UnixFS builder gives the CIDs kubo gives, checked against the official JS importer.

The JS reference (``ipfs-unixfs-importer``, run offline by node) is part of the project set-up, so a missing
node or node_modules fails these tests instead of skipping them: a skip would hide that the CIDs written
on-chain are no longer checked against anything.
"""

from __future__ import annotations

import base64
import random
from pathlib import Path

import base58
import pytest

from desktop_app.sandbox.ipfs.unixfs import CHUNK_SIZE, UnixFSFileBuilder, cid_of_bytes, parse_cid
from tests.support.unixfs_reference import reference

EMPTY_FILE_CID = "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"
HELLO_WORLD_CID = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"  # `echo "hello world" | ipfs add`

KUBO_SIZES = [
    0,
    1,
    11,
    CHUNK_SIZE - 1,
    CHUNK_SIZE,
    CHUNK_SIZE + 1,
    3 * CHUNK_SIZE + 7,
    pytest.param(175 * CHUNK_SIZE + 1, marks=pytest.mark.slow, id="two-levels"),
]
READ_SIZE = 100_003  # not a divisor of the chunk size, so chunks straddle reads


def write_random_file(path: Path, size: int, seed: int) -> Path:
    """Deterministic pseudo-random bytes, written in pieces so a large file never sits in memory."""
    rng = random.Random(seed)
    with path.open("wb") as out:
        for start in range(0, size, 1 << 20):
            out.write(rng.randbytes(min(1 << 20, size - start)))
    return path


def ours(path: Path, read_size: int = READ_SIZE, **builder_args: int) -> tuple[str, int]:
    builder = UnixFSFileBuilder(**builder_args)
    with path.open("rb") as f:
        while data := f.read(read_size):
            builder.update(data)
    return builder.cid, builder.dag_size


def test_published_vectors() -> None:
    assert cid_of_bytes(b"") == EMPTY_FILE_CID
    assert cid_of_bytes(b"hello world\n") == HELLO_WORLD_CID


def test_published_vectors_agree_with_the_js_reference(tmp_path: Path) -> None:
    empty, hello = tmp_path / "empty", tmp_path / "hello"
    empty.write_bytes(b"")
    hello.write_bytes(b"hello world\n")
    assert reference([empty, hello]) == [(EMPTY_FILE_CID, 6), (HELLO_WORLD_CID, 20)]


@pytest.mark.parametrize("size", KUBO_SIZES)
def test_cid_and_size_match_the_js_reference(tmp_path: Path, size: int) -> None:
    path = write_random_file(tmp_path / "data.bin", size, seed=size)
    assert ours(path) == reference([path])[0]


def test_deep_trees_match_the_js_reference(tmp_path: Path) -> None:
    """Three and four levels with kubo's fan-out would take gigabytes; tiny chunks and fan-out 3 do not.

    The leaf counts sit on and around the powers of 3 where the balanced layout adds a level or leaves a
    lone child node, which is where a bottom-up builder can go wrong.
    """
    leaf_counts = [2, 3, 4, 9, 10, 12, 27, 28, 30, 81, 82, 100, 244]
    paths = [
        write_random_file(tmp_path / f"{leaves}-{tail}.bin", leaves * 16 + tail, seed=leaves)
        for leaves in leaf_counts
        for tail in (0, 5)
    ]
    expected = reference(paths, "--chunk-size", "16", "--max-children", "3")
    assert [ours(path, read_size=7, chunk_size=16, max_links=3) for path in paths] == expected


def test_slicing_of_the_input_does_not_change_the_cid() -> None:
    data = random.Random(3).randbytes(3 * CHUNK_SIZE + 7)
    for slice_size in (1000, CHUNK_SIZE, CHUNK_SIZE + 1, len(data)):
        builder = UnixFSFileBuilder()
        for start in range(0, len(data), slice_size):
            builder.update(data[start : start + slice_size])
        assert builder.cid == cid_of_bytes(data)


def test_update_after_reading_the_cid_is_refused() -> None:
    builder = UnixFSFileBuilder()
    builder.update(b"abc")
    assert builder.cid == cid_of_bytes(b"abc")
    with pytest.raises(RuntimeError):
        builder.update(b"more")


def cid_v1(codec: int, cid_v0: str) -> str:
    """The base32 CIDv1 with ``codec`` over the multihash of ``cid_v0``."""
    raw = bytes([1, codec]) + base58.b58decode(cid_v0)
    return "b" + base64.b32encode(raw).decode().lower().rstrip("=")


def test_parse_cid_accepts_v0_and_its_base32_v1_spelling() -> None:
    assert parse_cid(HELLO_WORLD_CID) == HELLO_WORLD_CID
    assert parse_cid(cid_v1(0x70, HELLO_WORLD_CID)) == HELLO_WORLD_CID


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "Qm0OIl",  # not base58
        "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5",  # one character short
        cid_v1(0x55, HELLO_WORLD_CID),  # a raw-leaf CIDv1: never the root of a file added here
        "b!!!",
    ],
)
def test_parse_cid_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_cid(text)
