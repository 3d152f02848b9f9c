"""The sandbox's IPFS service driven over loopback the way kubo-rpc-client and gateway clients drive kubo."""

from __future__ import annotations

import base64
import hashlib
import random
import socket
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import base58
import httpx
import pytest

from desktop_app.sandbox.ipfs.server import create_app
from desktop_app.sandbox.ipfs.unixfs import CHUNK_SIZE, cid_of_bytes
from tests.support.servers import serve
from tests.support.unixfs_reference import reference

KUBO_RPC_CLIENT_PARAMS = {"stream-channels": "true", "progress": "false", "pin": "true"}
UNKNOWN_CID = "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"  # the empty file, never added here
CONTENT = random.Random(7).randbytes(3 * CHUNK_SIZE + 7)
CONTENT_CID = cid_of_bytes(CONTENT)


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "ipfs"


@pytest.fixture
def client(store_dir: Path) -> Iterator[httpx.Client]:
    with serve(create_app(store_dir)) as base, httpx.Client(base_url=base, timeout=60) as c:
        yield c


def add(client: httpx.Client, content: Any, filename: str = "data.bin", **params: str) -> httpx.Response:
    params = {**KUBO_RPC_CLIENT_PARAMS, **params}
    return client.post("/api/v0/add", params=params, files={"file": (filename, content)})


def assert_kubo_error(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"Message", "Code", "Type"}
    assert body["Type"] == "error"
    assert isinstance(body["Message"], str) and body["Message"]
    assert isinstance(body["Code"], int)


def stored_names(store_dir: Path) -> list[str]:
    return sorted(p.name for p in (store_dir / "blobs").iterdir())


def wait_for(condition: Callable[[], bool], timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


# --- add -------------------------------------------------------------------------------------------------


def test_add_answers_what_kubo_answers(client: httpx.Client, tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(CONTENT)
    response = add(client, CONTENT, filename="data.bin")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.text.endswith("\n")
    ((cid, size),) = reference([path])
    assert response.json() == {"Name": "data.bin", "Hash": cid, "Size": str(size)}
    assert cid == CONTENT_CID


def test_add_of_one_small_chunk(client: httpx.Client) -> None:
    response = add(client, b"hello world\n", filename="hello.txt")
    assert response.json() == {
        "Name": "hello.txt",
        "Hash": "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
        "Size": "20",
    }


def test_a_nameless_add_is_named_by_its_cid(client: httpx.Client) -> None:
    assert add(client, b"x", filename="").json()["Name"] == cid_of_bytes(b"x")


def test_filename_sent_url_encoded_is_decoded(client: httpx.Client) -> None:
    """kubo-rpc-client sends ``encodeURIComponent(path)`` as the filename."""
    assert add(client, b"x", filename="my%20file.txt").json()["Name"] == "my file.txt"


def test_duplicate_add_keeps_one_copy(client: httpx.Client, store_dir: Path) -> None:
    first, second = add(client, CONTENT), add(client, CONTENT)
    assert first.json()["Hash"] == second.json()["Hash"] == CONTENT_CID
    assert stored_names(store_dir) == [CONTENT_CID]


def test_default_options_spelled_out_are_accepted(client: httpx.Client) -> None:
    response = add(client, b"x", **{"cid-version": "0", "raw-leaves": "false", "chunker": "size-262144"})
    assert response.json()["Hash"] == cid_of_bytes(b"x")


# --- cat and gateway -------------------------------------------------------------------------------------


@pytest.mark.parametrize("arg", [CONTENT_CID, f"/ipfs/{CONTENT_CID}"])
def test_cat_round_trip(client: httpx.Client, arg: str) -> None:
    add(client, CONTENT)
    response = client.post("/api/v0/cat", params={"arg": arg})
    assert response.status_code == 200
    assert response.content == CONTENT


def test_cat_offset_and_length(client: httpx.Client) -> None:
    add(client, CONTENT)
    response = client.post("/api/v0/cat", params={"arg": CONTENT_CID, "offset": "1000", "length": "300000"})
    assert response.content == CONTENT[1000:301000]


def test_gateway_get_whole_file(client: httpx.Client) -> None:
    add(client, CONTENT)
    response = client.get(f"/ipfs/{CONTENT_CID}")
    assert response.status_code == 200
    assert response.content == CONTENT
    assert response.headers["content-length"] == str(len(CONTENT))
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["etag"] == f'"{CONTENT_CID}"'


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),  # first bytes
        (f"bytes={CHUNK_SIZE - 5}-{CHUNK_SIZE + 4}", CHUNK_SIZE - 5, CHUNK_SIZE + 4),  # middle, across chunks
        ("bytes=-10", len(CONTENT) - 10, len(CONTENT) - 1),  # suffix
        ("bytes=1000-", 1000, len(CONTENT) - 1),  # open-ended
        (f"bytes=5-{10 * len(CONTENT)}", 5, len(CONTENT) - 1),  # a last position past the end is clamped
    ],
)
def test_gateway_range(client: httpx.Client, header: str, first: int, last: int) -> None:
    add(client, CONTENT)
    response = client.get(f"/ipfs/{CONTENT_CID}", headers={"Range": header})
    assert response.status_code == 206
    assert response.content == CONTENT[first : last + 1]
    assert response.headers["content-range"] == f"bytes {first}-{last}/{len(CONTENT)}"
    assert response.headers["content-length"] == str(last - first + 1)


@pytest.mark.parametrize("header", [f"bytes={len(CONTENT)}-", "bytes=-0", "bytes=20-10", "bytes=abc"])
def test_gateway_unsatisfiable_range(client: httpx.Client, header: str) -> None:
    add(client, CONTENT)
    response = client.get(f"/ipfs/{CONTENT_CID}", headers={"Range": header})
    assert_kubo_error(response, 416)
    assert response.headers["content-range"] == f"bytes */{len(CONTENT)}"


@pytest.mark.parametrize("header", ["items=0-5", "bytes=0-5,10-20"])
def test_gateway_ignores_ranges_it_does_not_serve(client: httpx.Client, header: str) -> None:
    add(client, CONTENT)
    response = client.get(f"/ipfs/{CONTENT_CID}", headers={"Range": header})
    assert response.status_code == 200
    assert response.content == CONTENT


def test_gateway_head(client: httpx.Client) -> None:
    add(client, CONTENT)
    response = client.head(f"/ipfs/{CONTENT_CID}")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == str(len(CONTENT))
    assert response.headers["etag"] == f'"{CONTENT_CID}"'
    assert response.headers["accept-ranges"] == "bytes"


def test_gateway_if_none_match(client: httpx.Client) -> None:
    add(client, CONTENT)
    response = client.get(f"/ipfs/{CONTENT_CID}", headers={"If-None-Match": f'"{CONTENT_CID}"'})
    assert response.status_code == 304


def test_gateway_accepts_the_base32_cidv1_spelling(client: httpx.Client) -> None:
    add(client, CONTENT)
    cid_v1 = "b" + base64.b32encode(b"\x01\x70" + base58.b58decode(CONTENT_CID)).decode().lower().rstrip("=")
    response = client.get(f"/ipfs/{cid_v1}")
    assert response.content == CONTENT
    assert response.headers["etag"] == f'"{CONTENT_CID}"'


def test_empty_file(client: httpx.Client) -> None:
    cid = add(client, b"").json()["Hash"]
    assert cid == UNKNOWN_CID
    assert client.get(f"/ipfs/{cid}").content == b""
    assert client.get(f"/ipfs/{cid}", headers={"Range": "bytes=0-"}).status_code == 416


# --- persistence and limits ------------------------------------------------------------------------------


def test_content_survives_a_restart(store_dir: Path) -> None:
    with serve(create_app(store_dir)) as base:
        assert httpx.post(f"{base}/api/v0/add", files={"file": ("d", CONTENT)}).json()["Hash"] == CONTENT_CID
    with serve(create_app(store_dir)) as base:
        assert httpx.get(f"{base}/ipfs/{CONTENT_CID}").content == CONTENT
        assert httpx.post(f"{base}/api/v0/cat", params={"arg": CONTENT_CID}).content == CONTENT


def test_upload_over_the_limit_is_413_and_leaves_nothing(store_dir: Path) -> None:
    limit = 1 << 20
    with serve(create_app(store_dir, max_upload_bytes=limit)) as base, httpx.Client(base_url=base) as client:
        assert_kubo_error(add(client, b"\0" * (3 * limit)), 413)
        assert stored_names(store_dir) == []
        exactly_at_limit = add(client, b"\1" * limit)
        assert exactly_at_limit.json()["Hash"] == cid_of_bytes(b"\1" * limit)


def test_an_upload_cut_off_by_the_client_leaves_nothing(client: httpx.Client, store_dir: Path) -> None:
    host, port = str(client.base_url.host), int(client.base_url.port or 80)
    head = (
        "POST /api/v0/add HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
        "Content-Length: 10000000\r\n\r\n"
        '--b\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\n'
    )
    with socket.create_connection((host, port)) as connection:
        connection.sendall(head.encode() + b"x" * (3 << 20))
        assert wait_for(lambda: stored_names(store_dir) != []), "the upload never started"
    assert wait_for(lambda: stored_names(store_dir) == []), "the cut-off upload left a temporary file"
    assert add(client, b"still here").json()["Hash"] == cid_of_bytes(b"still here")


# --- bad input -------------------------------------------------------------------------------------------


def multipart(body: bytes, boundary: str = "xyz") -> dict[str, Any]:
    return {"content": body, "headers": {"Content-Type": f"multipart/form-data; boundary={boundary}"}}


A_FILE = {"files": {"file": ("f", b"x")}}
BAD_REQUESTS = [
    pytest.param("POST", "/api/v0/add", {"content": b"x"}, 400, id="add-not-multipart"),
    pytest.param("POST", "/api/v0/add", multipart(b"no boundary"), 400, id="add-malformed-multipart"),
    pytest.param(
        "POST",
        "/api/v0/add",
        multipart(b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\ncut off'),
        400,
        id="add-truncated-part",
    ),
    pytest.param("POST", "/api/v0/add", {"files": {"other": ("f", b"x")}}, 400, id="add-no-file-field"),
    pytest.param("POST", "/api/v0/add?cid-version=1", A_FILE, 400, id="add-cid-v1"),
    pytest.param("POST", "/api/v0/add?raw-leaves=true", A_FILE, 400, id="add-raw-leaves"),
    pytest.param("POST", "/api/v0/add?chunker=rabin", A_FILE, 400, id="add-other-chunker"),
    pytest.param("POST", "/api/v0/cat", {}, 400, id="cat-no-arg"),
    pytest.param("POST", "/api/v0/cat?arg=Qmnotacid", {}, 400, id="cat-invalid-cid"),
    pytest.param("POST", f"/api/v0/cat?arg={UNKNOWN_CID}", {}, 404, id="cat-unknown-cid"),
    pytest.param("POST", f"/api/v0/cat?arg={UNKNOWN_CID}&offset=-1", {}, 400, id="cat-negative-offset"),
    pytest.param("GET", "/ipfs/notacid", {}, 400, id="gateway-invalid-cid"),
    pytest.param("GET", f"/ipfs/{UNKNOWN_CID}", {}, 404, id="gateway-unknown-cid"),
    pytest.param("HEAD", f"/ipfs/{UNKNOWN_CID}", {}, 404, id="gateway-head-unknown-cid"),
    pytest.param("GET", "/api/v0/add", {}, 405, id="add-by-get"),
    pytest.param("GET", f"/api/v0/cat?arg={UNKNOWN_CID}", {}, 405, id="cat-by-get"),
    pytest.param("POST", f"/ipfs/{UNKNOWN_CID}", {}, 405, id="gateway-by-post"),
    pytest.param("POST", "/api/v0/version", {}, 404, id="unknown-command"),
]


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), BAD_REQUESTS)
def test_bad_input_is_a_kubo_error_and_the_service_keeps_serving(
    client: httpx.Client, store_dir: Path, method: str, path: str, kwargs: dict[str, Any], status: int
) -> None:
    response = client.request(method, path, **kwargs)
    if method == "HEAD":
        assert response.status_code == status
    else:
        assert_kubo_error(response, status)
    assert [name for name in stored_names(store_dir) if name.startswith(".")] == []
    assert add(client, b"still here").json()["Hash"] == cid_of_bytes(b"still here")


# --- streaming -------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_large_file_streams_through_without_being_held_in_memory(
    client: httpx.Client, tmp_path: Path
) -> None:
    """Server and client share this process, so traced Python allocations bound what the server held."""
    size = 64 << 20
    path = tmp_path / "large.bin"
    expected = hashlib.sha256()
    rng = random.Random(64)
    with path.open("wb") as out:
        for _ in range(size >> 20):
            block = rng.randbytes(1 << 20)
            expected.update(block)
            out.write(block)

    tracemalloc.start()
    try:
        with path.open("rb") as upload:
            cid = add(client, upload).json()["Hash"]
        received = hashlib.sha256()
        with client.stream("GET", f"/ipfs/{cid}") as response:
            for block in response.iter_bytes():
                received.update(block)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert received.digest() == expected.digest()
    assert peak < 32 << 20, f"peak traced memory {peak >> 20} MiB for a {size >> 20} MiB file"
