"""The sandbox's IPFS service: the slice of kubo's RPC API and gateway the iExec stack uses, on one app.

``POST /api/v0/add`` stores a file and answers what kubo answers (same CIDv0, same cumulative ``Size``);
``POST /api/v0/cat`` and ``GET``/``HEAD /ipfs/{cid}`` stream it back, the gateway with byte ranges. Files
are only ever addressed by the root CID an add returned: the service keeps whole files, not blocks.

Errors use kubo's ``{"Message", "Code", "Type": "error"}`` body. ``Code`` follows go-ipfs-cmds (1 for a
client error, 3 for not found, 0 otherwise). An unknown CID is a quick 404 on both ``cat`` and the
gateway: kubo would search the network and answer 500 after a timeout, but there is no network to search
here, and "not found" is what a client can act on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import urllib.parse
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from aiohttp import BodyPartReader, hdrs, web
from aiohttp.http_exceptions import HttpProcessingError

from desktop_app.sandbox.http import ServiceError, json_errors
from desktop_app.sandbox.ipfs.store import BlobStore, StoredFile
from desktop_app.sandbox.ipfs.unixfs import parse_cid

log = logging.getLogger(__name__)

DEFAULT_MAX_UPLOAD_BYTES = 8 * 1024**3
# The most read at once from disk or the request: the thread hop per chunk is noise at this size, and
# memory stays flat whatever the file size.
_IO_CHUNK = 1024 * 1024

_CMDS_ERROR_CODES = {400: 1, 404: 3}  # go-ipfs-cmds ErrClient, ErrNotFound; everything else ErrNormal (0)

_FALSE = frozenset({"false", "0"})
# Add options that would change the CID: only kubo's defaults are honoured, anything else is refused
# rather than silently answering a CID the client did not ask for.
_FIXED_ADD_OPTIONS: Mapping[str, frozenset[str]] = {
    "cid-version": frozenset({"0"}),
    "raw-leaves": _FALSE,
    "trickle": _FALSE,
    "inline": _FALSE,
    "wrap-with-directory": _FALSE,
    "chunker": frozenset({"size-262144"}),
    "hash": frozenset({"sha2-256"}),
}

_IMMUTABLE = "public, max-age=29030400, immutable"  # what kubo's gateway sends for /ipfs/ content
_BYTE_RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)")


def kubo_error_body(status: int, message: str) -> dict[str, object]:
    return {"Message": message, "Code": _CMDS_ERROR_CODES.get(status, 0), "Type": "error"}


def create_app(store_dir: Path, max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> web.Application:
    """The API and the gateway over the store in ``store_dir``, which outlives the process."""
    service = _IpfsService(BlobStore(store_dir), max_upload_bytes)
    app = web.Application(middlewares=[json_errors(kubo_error_body)])
    app.router.add_post("/api/v0/add", service.add)
    app.router.add_post("/api/v0/cat", service.cat)
    app.router.add_get("/ipfs/{cid}", service.gateway)  # HEAD too
    return app


class _IpfsService:
    def __init__(self, store: BlobStore, max_upload_bytes: int) -> None:
        self._store = store
        self._max_upload_bytes = max_upload_bytes

    async def add(self, request: web.Request) -> web.Response:
        _refuse_non_default_options(request.query)
        part = await _file_part(request)
        stored = await self._receive(part)
        name = urllib.parse.unquote(part.filename or "") or stored.cid  # kubo names a nameless add by its CID
        line = json.dumps(
            {"Name": name, "Hash": stored.cid, "Size": str(stored.dag_size)}, separators=(",", ":")
        )
        return web.Response(text=line + "\n", content_type="application/json")

    async def cat(self, request: web.Request) -> web.StreamResponse:
        arg = request.query.get("arg")
        if arg is None:
            raise ServiceError(400, 'argument "ipfs-path" is required')
        cid = _parse_cid_or_400(arg.removeprefix("/ipfs/"))
        offset = _non_negative_int(request.query, "offset") or 0
        length = _non_negative_int(request.query, "length")
        path = self._stored_path(cid)
        start, count = _cat_window(offset, length, path.stat().st_size)
        return await _stream_file(request, path, start, count, status=200, headers={})

    async def gateway(self, request: web.Request) -> web.StreamResponse:
        cid = _parse_cid_or_400(request.match_info["cid"])
        path = self._stored_path(cid)
        size = path.stat().st_size
        headers = {
            hdrs.ETAG: f'"{cid}"',
            hdrs.ACCEPT_RANGES: "bytes",
            hdrs.CACHE_CONTROL: _IMMUTABLE,
            "X-Ipfs-Path": f"/ipfs/{cid}",
        }
        if request.headers.get(hdrs.IF_NONE_MATCH) == headers[hdrs.ETAG]:
            return web.Response(status=304, headers=headers)
        try:
            window = _requested_range(request.headers.get(hdrs.RANGE), size)
        except _UnsatisfiableRange as e:
            body, status = kubo_error_body(416, str(e)), 416
            return web.json_response(body, status=status, headers={hdrs.CONTENT_RANGE: f"bytes */{size}"})
        if window is None:
            return await _stream_file(request, path, 0, size, status=200, headers=headers)
        first, last = window
        headers[hdrs.CONTENT_RANGE] = f"bytes {first}-{last}/{size}"
        return await _stream_file(request, path, first, last - first + 1, status=206, headers=headers)

    async def _receive(self, part: BodyPartReader) -> StoredFile:
        """Write the part to the store while its CID is computed; past the size limit, drop it all."""
        with self._store.begin_upload() as upload:
            while chunk := await _read_chunk(part):
                if upload.size + len(chunk) > self._max_upload_bytes:
                    raise ServiceError(413, f"file too large: the limit is {self._max_upload_bytes} bytes")
                await asyncio.to_thread(upload.write, chunk)
            if not part.at_eof():  # the body ended before the part's closing boundary: a cut-off upload
                raise ServiceError(400, "malformed multipart body: the 'file' part is not terminated")
            return await asyncio.to_thread(upload.commit)

    def _stored_path(self, cid: str) -> Path:
        path = self._store.path_of(cid)
        if path is None:
            raise ServiceError(404, f"{cid} is not in this sandbox's IPFS store")
        return path


def _refuse_non_default_options(query: Mapping[str, str]) -> None:
    for option, accepted in _FIXED_ADD_OPTIONS.items():
        value = query.get(option)
        if value is not None and value.lower() not in accepted:
            raise ServiceError(
                400, f"{option}={value} is not supported: only kubo's default CIDv0 DAGs are made"
            )


@contextmanager
def _upload_faults_are_bad_requests() -> Iterator[None]:
    """A malformed body or a client gone mid-upload is the client's doing: a 400, not a logged fault."""
    try:
        yield
    except ConnectionResetError as e:
        raise ServiceError(400, "the client went away before the upload ended") from e
    except (ValueError, HttpProcessingError) as e:
        raise ServiceError(400, f"malformed multipart body: {e}") from e


async def _file_part(request: web.Request) -> BodyPartReader:
    """The first ``file`` field of the multipart body, as kubo-rpc-client and ``curl -F file=@…`` send it."""
    if not request.content_type.startswith("multipart/"):
        raise ServiceError(400, "expected a multipart/form-data body with a 'file' field")
    with _upload_faults_are_bad_requests():
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if isinstance(part, BodyPartReader) and part.name == "file":
                return part
    raise ServiceError(400, "the multipart body has no 'file' field")


async def _read_chunk(part: BodyPartReader) -> bytes:
    with _upload_faults_are_bad_requests():
        return await part.read_chunk(_IO_CHUNK)


def _parse_cid_or_400(text: str) -> str:
    try:
        return parse_cid(text)
    except ValueError as e:
        raise ServiceError(400, f'invalid CID "{text}": {e}') from e


def _cat_window(offset: int, length: int | None, size: int) -> tuple[int, int]:
    """``(start, length)`` of the bytes kubo's ``offset`` and ``length`` cat arguments select."""
    if offset > size:
        raise ServiceError(400, f"offset {offset} is past the end of the file ({size} bytes)")
    available = size - offset
    return offset, available if length is None else min(length, available)


def _non_negative_int(query: Mapping[str, str], name: str) -> int | None:
    text = query.get(name)
    if text is None:
        return None
    if not text.isascii() or not text.isdigit():
        raise ServiceError(400, f"{name} must be a non-negative integer, not {text!r}")
    return int(text)


class _UnsatisfiableRange(Exception):
    pass


def _requested_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive ``(first, last)`` byte positions a Range header asks for, or None to send everything.

    A unit other than bytes is ignored, as RFC 9110 requires. A request for several ranges gets the whole
    file, which the RFC allows and saves a multipart/byteranges encoder no client of this sandbox needs.
    """
    if header is None or header.partition("=")[0].strip().lower() != "bytes" or "," in header:
        return None
    match = _BYTE_RANGE.fullmatch(header.strip())
    if match is None or match.group(1) == match.group(2) == "":
        raise _UnsatisfiableRange(f"invalid Range header {header!r}")
    first_text, last_text = match.groups()
    if first_text == "":
        return _suffix_range(int(last_text), size)
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if first >= size or last < first:
        raise _UnsatisfiableRange(f"range {header!r} is outside the file's {size} bytes")
    return first, min(last, size - 1)


def _suffix_range(length: int, size: int) -> tuple[int, int]:
    if length == 0 or size == 0:
        raise _UnsatisfiableRange(f"an empty range of the file's {size} bytes")
    return max(0, size - length), size - 1


async def _stream_file(
    request: web.Request, path: Path, start: int, length: int, *, status: int, headers: Mapping[str, str]
) -> web.StreamResponse:
    """Send ``length`` bytes of ``path`` from ``start`` in chunks, never the whole file at once."""
    response = web.StreamResponse(status=status, headers=headers)
    response.content_type = "application/octet-stream"
    response.content_length = length
    await response.prepare(request)
    if request.method != hdrs.METH_HEAD:
        try:
            await _write_range(response, path, start, length)
        except ConnectionResetError:  # the client stopped reading: an aborted download, not a fault here
            log.debug("client went away during %s %s", request.method, request.path)
            return response
    await response.write_eof()
    return response


async def _write_range(response: web.StreamResponse, path: Path, start: int, length: int) -> None:
    with path.open("rb") as file:
        file.seek(start)
        while length > 0 and (chunk := await asyncio.to_thread(file.read, min(_IO_CHUNK, length))):
            await response.write(chunk)
            length -= len(chunk)
