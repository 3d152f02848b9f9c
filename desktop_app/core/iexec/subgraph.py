"""The DataProtector subgraph: an owner's protected data with names and schemas, in one indexed query.

On public networks, walking the DatasetRegistry and the chain's logs for a user's data is slow and often
refused by public RPCs, so the DataProtector SDK asks The Graph instead (``getProtectedData``); this
client sends the same query (spec §6 notes). The local sandbox has no indexer: there, the flows read the
chain directly (``PocoClient.datasets_of`` and ``dataset_schemas``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from desktop_app.core import http
from desktop_app.core.eip55 import to_checksum_address
from desktop_app.core.errors import ProtocolUnavailable, UserFacingError
from desktop_app.core.iexec.network import NetworkProfile

SERVICE = "DataProtector subgraph"
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
# The owner is inlined rather than passed as a variable: the subgraph's id type (String or Bytes) would
# otherwise have to be declared, and it is checked to be plain hex, so nothing can be injected.
_QUERY = """{
  protectedDatas(where: {owner: "%s"}, first: %d, skip: %d,
                 orderBy: creationTimestamp, orderDirection: desc) {
    id name owner { id } schema { id } creationTimestamp multiaddr
  }
}"""


@dataclass(frozen=True)
class ProtectedDataEntry:
    address: str
    name: str
    owner: str
    schema: tuple[str, ...]
    """``path:type`` entries, e.g. ``email:string``, as the subgraph indexes the schema."""
    creation_timestamp: int
    multiaddr: bytes


class SubgraphClient:
    """The profile's DataProtector subgraph. Use ``async with SubgraphClient(profile) as graph:``."""

    def __init__(self, profile: NetworkProfile, *, timeout: float = 30.0) -> None:
        if profile.data_protector_subgraph is None:
            raise UserFacingError(
                f"The {profile.label} network has no DataProtector subgraph.",
                "list the protected data from the chain instead",
            )
        import httpx  # deferred: startup budget, see ui/app.py

        self._url = profile.data_protector_subgraph
        self._http = http.client(httpx.Timeout(timeout, connect=10.0))

    async def __aenter__(self) -> SubgraphClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def protected_data_of(self, owner: str, *, page_size: int = 1000) -> list[ProtectedDataEntry]:
        """All protected data ``owner`` holds, newest first, fetched ``page_size`` at a time."""
        if not _ADDRESS.fullmatch(owner):
            raise ValueError(f"not an address: {owner!r}")
        entries: list[ProtectedDataEntry] = []
        while True:
            query = _QUERY % (owner.lower(), page_size, len(entries))
            page = (await self._query(query)).get("protectedDatas")
            if not isinstance(page, list):
                raise ProtocolUnavailable(SERVICE, "its reply has no protectedDatas list")
            entries += [_entry(item) for item in page]
            if len(page) < page_size:
                return entries

    async def _query(self, query: str) -> Mapping[str, Any]:
        with _http_errors():
            response = await self._http.post(self._url, json={"query": query})
        if response.status_code >= 500:
            raise ProtocolUnavailable(SERVICE, f"HTTP {response.status_code}")
        if not response.is_success:
            raise UserFacingError(
                f"The {SERVICE} refused the query (HTTP {response.status_code}).",
                "the network profile's dataProtectorSubgraph URL may be wrong",
            )
        try:
            body = response.json()
        except ValueError as e:
            raise ProtocolUnavailable(SERVICE, "its reply is not JSON") from e
        errors = body.get("errors") if isinstance(body, dict) else None
        if errors:
            # An indexer that fails a valid query is failing, not the user: retry later.
            raise ProtocolUnavailable(SERVICE, _first_message(errors))
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, Mapping):
            raise ProtocolUnavailable(SERVICE, "its reply has no data")
        return data


@contextmanager
def _http_errors() -> Iterator[None]:
    import httpx

    try:
        yield
    except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as e:
        raise ProtocolUnavailable(SERVICE, f"{type(e).__name__} {e}".strip()) from e


def _first_message(errors: object) -> str:
    first = errors[0] if isinstance(errors, list) and errors else errors
    message = first.get("message") if isinstance(first, Mapping) else None
    return str(message or first)


def _entry(item: object) -> ProtectedDataEntry:
    try:
        if not isinstance(item, Mapping):
            raise TypeError("an entry must be a JSON object")
        return ProtectedDataEntry(
            address=to_checksum_address(item["id"]),
            name=str(item["name"]),
            owner=to_checksum_address(item["owner"]["id"]),
            schema=tuple(str(entry["id"]) for entry in item["schema"]),
            creation_timestamp=int(item["creationTimestamp"]),
            multiaddr=_bytes(item["multiaddr"]),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise ProtocolUnavailable(SERVICE, f"it sent a malformed entry ({e!r})") from e


def _bytes(value: object) -> bytes:
    """The subgraph's ``Bytes`` scalar is 0x-hex."""
    if not isinstance(value, str) or not value.startswith("0x"):
        raise ValueError(f"not 0x-hex bytes: {value!r}")
    return bytes.fromhex(value[2:])
