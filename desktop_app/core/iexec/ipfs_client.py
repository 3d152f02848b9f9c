"""IPFS as the DataProtector SDK uses it: upload an encrypted file, check the gateway serves it, download.

Upload speaks kubo's RPC the way kubo-rpc-client does (``POST /api/v0/add``, multipart field ``file``,
NDJSON reply with ``Hash``); then, like the SDK, it asks the gateway for the new CID, because a file the
gateway cannot serve is a dataset no worker can fetch. Files can be gigabytes, so both directions stream
in chunks and never hold a whole file in memory: the multipart envelope is written by hand around the
file's chunks, with an exact ``Content-Length``. The bytes may come from a file (``add``) or from any
async source whose size is known in advance (``add_stream``: the protect flow uploads the ciphertext while
it is being produced).

Cancelling (the ``cancel`` event, or cancelling the task) stops the transfer at once, removes what the
download had written, and raises ``UserCancelled``; the source file is never touched.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import AsyncGenerator, AsyncIterable, Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from desktop_app.core import http
from desktop_app.core.errors import ProtocolUnavailable, UserCancelled, UserFacingError
from desktop_app.core.iexec.network import NetworkProfile

if TYPE_CHECKING:  # httpx loads with the first client: startup budget, see ui/app.py
    import httpx

Progress = Callable[[int, int], None]
"""``(bytes done, bytes in total)``; the total is 0 when a download's server does not say it."""

CHUNK_BYTES = 1024 * 1024
# The local file name is not sent: it could tell the IPFS operator what was protected.
_UPLOAD_NAME = "file"
_T = TypeVar("_T")


class IpfsClient:
    """The profile's IPFS upload API and gateway. Use ``async with IpfsClient(profile) as ipfs:``."""

    def __init__(self, profile: NetworkProfile, *, timeout: float = 60.0) -> None:
        import httpx

        self._api = profile.ipfs_api
        self._gateway = profile.ipfs_gateway
        self._http = http.client(httpx.Timeout(timeout, connect=10.0))

    async def __aenter__(self) -> IpfsClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def add(
        self, path: Path, *, on_progress: Progress | None = None, cancel: asyncio.Event | None = None
    ) -> str:
        """Upload ``path``; returns its CID once the gateway serves it."""
        size = (await asyncio.to_thread(path.stat)).st_size
        return await self.add_stream(_file_chunks(path), size, on_progress=on_progress, cancel=cancel)

    async def add_stream(
        self,
        chunks: AsyncIterable[bytes],
        size: int,
        *,
        on_progress: Progress | None = None,
        cancel: asyncio.Event | None = None,
    ) -> str:
        """Upload the ``size`` bytes ``chunks`` yields; returns their CID once the gateway serves it.

        ``chunks`` is closed when the upload ends, however it ends (an async generator over a file closes
        the file then).
        """
        return await _until_cancelled(self._add(chunks, size, on_progress), cancel)

    async def download(
        self,
        url_or_location: str,
        dest: Path,
        *,
        on_progress: Progress | None = None,
        cancel: asyncio.Event | None = None,
    ) -> Path:
        """Fetch a URL, or an IPFS location (``/ipfs/<cid>``, as in a task's results), into ``dest``.

        The bytes go to a temporary file beside ``dest`` that is renamed at the end, so ``dest`` is
        either complete or absent.
        """
        return await _until_cancelled(self._download(self.url_of(url_or_location), dest, on_progress), cancel)

    def url_of(self, url_or_location: str) -> str:
        """The gateway URL of ``/ipfs/<cid>``, ``/p2p/<cid>`` or ``ipfs://<cid>``; URLs stay as they are."""
        if url_or_location.startswith(("http://", "https://")):
            return url_or_location
        for prefix in ("/ipfs/", "/p2p/", "ipfs://"):
            if url_or_location.startswith(prefix) and len(url_or_location) > len(prefix):
                return f"{self._gateway}/ipfs/{url_or_location.removeprefix(prefix)}"
        raise UserFacingError(
            f"{url_or_location!r} is neither a URL nor an IPFS location.",
            "the task's result may point to a storage this app does not support",
        )

    async def _add(self, chunks: AsyncIterable[bytes], size: int, on_progress: Progress | None) -> str:
        boundary = secrets.token_hex(16)
        head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{_UPLOAD_NAME}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()

        async def body() -> AsyncGenerator[bytes, None]:
            yield head
            sent = 0
            try:
                async for chunk in chunks:
                    yield chunk
                    sent += len(chunk)
                    if on_progress:
                        on_progress(sent, size)
            finally:
                if isinstance(chunks, AsyncGenerator):
                    await chunks.aclose()
            yield tail

        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(len(head) + size + len(tail)),
        }
        body_chunks = body()
        try:
            with _http_errors("the upload"):
                response = await self._http.post(
                    f"{self._api}/api/v0/add",
                    params={"stream-channels": "true", "progress": "false"},
                    content=body_chunks,
                    headers=headers,
                )
        finally:
            await body_chunks.aclose()  # closes the source now, even if cancelled (Windows locks open files)
        _check(response, "the upload")
        cid = _added_cid(response.text)
        await self._check_served(cid)
        return cid

    async def _check_served(self, cid: str) -> None:
        """The SDK's check after an upload: the gateway must answer 2xx for the new CID."""
        with _http_errors("the check of the uploaded file"):
            response = await self._http.head(f"{self._gateway}/ipfs/{cid}")
        if not response.is_success:
            raise ProtocolUnavailable(
                "IPFS gateway", f"it does not serve the uploaded file {cid} yet (HTTP {response.status_code})"
            )

    async def _download(self, url: str, dest: Path, on_progress: Progress | None) -> Path:
        part = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.part")
        try:
            with _http_errors("the download"):
                async with self._http.stream("GET", url) as response:
                    if not response.is_success:
                        await response.aread()
                        _check(response, "the download")
                    total = int(response.headers.get("Content-Length") or 0)
                    done = 0
                    with part.open("wb") as out:
                        async for chunk in response.aiter_bytes(CHUNK_BYTES):
                            await asyncio.to_thread(out.write, chunk)
                            done += len(chunk)
                            if on_progress:
                                on_progress(done, total)
            part.replace(dest)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        return dest


async def _file_chunks(path: Path) -> AsyncGenerator[bytes, None]:
    with path.open("rb") as source:
        while chunk := await asyncio.to_thread(source.read, CHUNK_BYTES):
            yield chunk


async def _until_cancelled(work: Awaitable[_T], cancel: asyncio.Event | None) -> _T:
    """Await ``work``, or cancel it (and wait for its clean-up) as soon as ``cancel`` is set."""
    if cancel is None:
        return await work
    task = asyncio.ensure_future(work)
    stop = asyncio.ensure_future(cancel.wait())
    try:
        await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stop.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
    if task.cancelled():
        raise UserCancelled()
    return task.result()


@contextlib.contextmanager
def _http_errors(action: str) -> Iterator[None]:
    import httpx

    try:
        yield
    except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as e:
        raise ProtocolUnavailable("IPFS", f"{action} failed: {type(e).__name__} {e}".strip()) from e


def _check(response: httpx.Response, action: str) -> None:
    status = response.status_code
    if response.is_success:
        return
    if status == 413:
        raise UserFacingError(
            "The file is larger than the IPFS service accepts.", "protect a smaller file, or split it"
        )
    if status >= 500:
        raise ProtocolUnavailable("IPFS", f"{action} got HTTP {status}")
    if status == 404:
        raise UserFacingError(
            f"IPFS has no file at {response.request.url}.",
            "it may no longer be stored; if it was just published, retry in a few minutes",
        )
    raise UserFacingError(f"The IPFS service refused {action}: {_message(response)}.", "retry later")


def _message(response: httpx.Response) -> str:
    """kubo's ``{"Message": …}`` error body, else the start of the text."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("Message"), str):
        return str(body["Message"])
    return response.text[:200] or f"HTTP {response.status_code}"


def _added_cid(ndjson: str) -> str:
    """The root CID from ``/api/v0/add``'s NDJSON reply (one object per added entry, the file last)."""
    for line in reversed(ndjson.splitlines()):
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("Hash"), str):
            return str(entry["Hash"])
    raise ProtocolUnavailable("IPFS", "the upload's reply holds no CID")
