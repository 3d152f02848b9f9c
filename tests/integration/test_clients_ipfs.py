"""``IpfsClient`` against the sandbox's IPFS service: streamed upload and download, cancellation, errors."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from desktop_app.core.errors import ProtocolUnavailable, UserCancelled, UserFacingError
from desktop_app.core.iexec.ipfs_client import CHUNK_BYTES, IpfsClient
from desktop_app.core.iexec.network import NetworkProfile
from desktop_app.sandbox.ipfs.server import create_app
from tests.support.servers import serve


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "encrypted.bin"
    path.write_bytes(os.urandom(3 * CHUNK_BYTES + 123))
    return path


def dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_uploads_and_downloads_in_chunks(profile: NetworkProfile, source: Path, tmp_path: Path) -> None:
    up: list[tuple[int, int]] = []
    down: list[tuple[int, int]] = []

    async def main() -> Path:
        async with IpfsClient(profile) as ipfs:
            cid = await ipfs.add(source, on_progress=lambda done, total: up.append((done, total)))
            assert cid.startswith("Qm")
            again = await ipfs.add(source)  # content addressing: the same bytes, the same CID
            assert again == cid
            dest = tmp_path / "out" / "copy.bin"
            dest.parent.mkdir()
            return await ipfs.download(
                f"/ipfs/{cid}", dest, on_progress=lambda done, total: down.append((done, total))
            )

    copy = asyncio.run(main())
    size = source.stat().st_size
    assert copy.read_bytes() == source.read_bytes()
    assert up[-1] == (size, size) and len(up) == 4 and all(t == size for _, t in up)
    assert down[-1] == (size, size)
    assert [p.name for p in copy.parent.iterdir()] == ["copy.bin"]


def test_cancelling_an_upload_stops_it_and_leaves_no_partial_file(
    profile: NetworkProfile, source: Path, tmp_path: Path
) -> None:
    """Against the sandbox's IPFS service run here, so that its store can be looked into."""
    before = source.read_bytes()
    blobs = tmp_path / "store" / "blobs"
    with serve(create_app(tmp_path / "store")) as url:
        local = dataclasses.replace(profile, ipfs_api=url, ipfs_gateway=url)

        async def main() -> None:
            cancel = asyncio.Event()
            async with IpfsClient(local) as ipfs:
                with pytest.raises(UserCancelled):
                    await ipfs.add(source, on_progress=lambda done, total: cancel.set(), cancel=cancel)
            for _ in range(50):  # the service notices the closed connection a moment later
                if not any(blobs.iterdir()):
                    break
                await asyncio.sleep(0.1)

        asyncio.run(main())
        assert list(blobs.iterdir()) == []
    assert source.read_bytes() == before


def test_cancelling_a_download_leaves_no_file(profile: NetworkProfile, source: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out" / "copy.bin"
    dest.parent.mkdir()

    async def main() -> None:
        async with IpfsClient(profile) as ipfs:
            cid = await ipfs.add(source)
            cancel = asyncio.Event()
            with pytest.raises(UserCancelled):
                await ipfs.download(f"/p2p/{cid}", dest, on_progress=lambda d, t: cancel.set(), cancel=cancel)

    asyncio.run(main())
    assert list(dest.parent.iterdir()) == []


def test_a_missing_file_is_a_user_facing_error(profile: NetworkProfile, tmp_path: Path) -> None:
    async def main() -> None:
        async with IpfsClient(profile) as ipfs:
            with pytest.raises(UserFacingError, match="IPFS has no file"):
                await ipfs.download("/ipfs/QmUVhChbLFiuzNK1g2GsWyWEiad7SXPqARnWzGumgziwEp", tmp_path / "x")
            with pytest.raises(UserFacingError, match="neither a URL nor an IPFS location"):
                await ipfs.download("s3://bucket/result.zip", tmp_path / "x")

    asyncio.run(main())
    assert list(tmp_path.iterdir()) == []


def test_a_file_over_the_service_limit_is_refused(
    profile: NetworkProfile, source: Path, tmp_path: Path
) -> None:
    """The sandbox's IPFS service itself, run here with a 1 MiB upload limit."""
    with serve(create_app(tmp_path / "store", max_upload_bytes=CHUNK_BYTES)) as url:
        small = dataclasses.replace(profile, ipfs_api=url, ipfs_gateway=url)

        async def main() -> None:
            async with IpfsClient(small) as ipfs:
                with pytest.raises(UserFacingError) as caught:
                    await ipfs.add(source)
                assert not isinstance(caught.value, ProtocolUnavailable)
                assert caught.value.what == "The file is larger than the IPFS service accepts."

        asyncio.run(main())


def test_unreachable_services_are_protocol_unavailable(
    profile: NetworkProfile, source: Path, tmp_path: Path
) -> None:
    async def main() -> None:
        async with IpfsClient(dataclasses.replace(profile, ipfs_api=dead_url())) as ipfs:
            with pytest.raises(ProtocolUnavailable) as caught:
                await ipfs.add(source)
            assert caught.value.service == "IPFS"
        async with IpfsClient(dataclasses.replace(profile, ipfs_gateway=dead_url())) as ipfs:
            with pytest.raises(ProtocolUnavailable):  # uploaded, but the gateway cannot serve it
                await ipfs.add(source)
            with pytest.raises(ProtocolUnavailable):
                await ipfs.download("/ipfs/QmUVhChbLFiuzNK1g2GsWyWEiad7SXPqARnWzGumgziwEp", tmp_path / "x")

    asyncio.run(main())
    assert not (tmp_path / "x").exists()


def test_a_stream_of_known_size_uploads_as_the_same_file_would(profile: NetworkProfile, source: Path) -> None:
    data = source.read_bytes()
    progress: list[tuple[int, int]] = []

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(data), 100_000):  # not the client's own chunk size
            yield data[start : start + 100_000]

    async def main() -> tuple[str, str]:
        async with IpfsClient(profile) as ipfs:
            streamed = await ipfs.add_stream(
                chunks(), len(data), on_progress=lambda done, total: progress.append((done, total))
            )
            return streamed, await ipfs.add(source)

    streamed, from_file = asyncio.run(main())
    assert streamed == from_file
    assert progress[-1] == (len(data), len(data))
