"""``SubgraphClient`` against a stand-in for the DataProtector subgraph.

The public subgraphs (The Graph on iex.ec) cannot be reached from here and the sandbox has no indexer, so
a real HTTP server on 127.0.0.1 stands in for that public network service: it answers GraphQL POSTs with
replies in the subgraph's JSON shape (``{"data": {"protectedDatas": [...]}}``), honouring ``first`` and
``skip`` the way graph-node does, and records the queries it received.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import socket
from typing import Any

import pytest
from aiohttp import web

from desktop_app.core.errors import ProtocolUnavailable, UserFacingError
from desktop_app.core.iexec.network import NetworkProfile, load_profile
from desktop_app.core.iexec.subgraph import SubgraphClient
from tests.support.servers import serve

OWNER = "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f"


def indexed(i: int) -> dict[str, Any]:
    return {
        "id": f"0x{i:040x}",
        "name": f"data {i}",
        "owner": {"id": OWNER.lower()},
        "schema": [{"id": "email:string"}, {"id": "n.x:f64"}],
        "creationTimestamp": str(1_700_000_000 - i),
        "multiaddr": "0xa503221220" + f"{i:02x}" * 32,
    }


def argument(name: str, query: str) -> int:
    match = re.search(rf"{name}: (\d+)", query)
    assert match, query
    return int(match.group(1))


def stand_in(entries: list[dict[str, Any]], queries: list[str], *, errors: bool = False) -> web.Application:
    async def graphql(request: web.Request) -> web.Response:
        query = (await request.json())["query"]
        queries.append(query)
        if errors:
            return web.json_response({"errors": [{"message": "indexing_error"}]})
        owner = re.search(r'owner: "(0x[0-9a-f]{40})"', query)
        first, skip = argument("first", query), argument("skip", query)
        mine = [e for e in entries if owner and e["owner"]["id"] == owner.group(1)]
        return web.json_response({"data": {"protectedDatas": mine[skip : skip + first]}})

    app = web.Application()
    app.router.add_post("/subgraphs/name/dataprotector", graphql)
    return app


@pytest.fixture
def arbitrum() -> NetworkProfile:
    return load_profile("arbitrum-sepolia")


def test_lists_an_owners_protected_data_across_pages(arbitrum: NetworkProfile) -> None:
    queries: list[str] = []
    with serve(stand_in([indexed(i) for i in range(5)], queries)) as url:
        profile = dataclasses.replace(arbitrum, data_protector_subgraph=f"{url}/subgraphs/name/dataprotector")

        async def main() -> None:
            async with SubgraphClient(profile) as graph:
                entries = await graph.protected_data_of(OWNER, page_size=2)
                assert [e.name for e in entries] == [f"data {i}" for i in range(5)]
                first = entries[0]
                assert first.owner == OWNER and first.address == "0x" + "0" * 40
                assert first.schema == ("email:string", "n.x:f64")
                assert first.creation_timestamp == 1_700_000_000
                assert first.multiaddr == bytes.fromhex("a503221220" + "00" * 32)
                assert await graph.protected_data_of("0x" + "11" * 20) == []

        asyncio.run(main())
    assert [argument("skip", q) for q in queries[:3]] == [0, 2, 4]
    assert all("schema { id }" in q and "creationTimestamp" in q for q in queries)


def test_a_failing_indexer_or_no_indexer_is_reported(arbitrum: NetworkProfile) -> None:
    with serve(stand_in([], [], errors=True)) as url:
        profile = dataclasses.replace(arbitrum, data_protector_subgraph=f"{url}/subgraphs/name/dataprotector")

        async def main() -> None:
            async with SubgraphClient(profile) as graph:
                with pytest.raises(ProtocolUnavailable, match="indexing_error"):
                    await graph.protected_data_of(OWNER)
            wrong = dataclasses.replace(profile, data_protector_subgraph=f"{url}/no/such/subgraph")
            async with SubgraphClient(wrong) as graph:
                with pytest.raises(UserFacingError, match="HTTP 404"):
                    await graph.protected_data_of(OWNER)

        asyncio.run(main())
    with pytest.raises(UserFacingError, match="has no DataProtector subgraph"):
        SubgraphClient(dataclasses.replace(arbitrum, data_protector_subgraph=None))


def test_an_unreachable_subgraph_is_protocol_unavailable(arbitrum: NetworkProfile) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = dataclasses.replace(arbitrum, data_protector_subgraph=f"http://127.0.0.1:{s.getsockname()[1]}")

        async def main() -> None:
            async with SubgraphClient(dead) as graph:
                with pytest.raises(ProtocolUnavailable) as caught:
                    await graph.protected_data_of(OWNER)
                assert caught.value.service == "DataProtector subgraph"

        asyncio.run(main())
