"""``MarketClient`` against the sandbox's market API: publish, list across pages, unpublish, refusals."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import socket

import pytest
from eth_account.signers.local import LocalAccount

from desktop_app.core.errors import ProtocolUnavailable, UserFacingError
from desktop_app.core.iexec.chain import PocoClient
from desktop_app.core.iexec.market_client import MarketClient
from desktop_app.core.iexec.multiaddr import encode_ipfs
from desktop_app.core.iexec.network import NetworkProfile
from desktop_app.core.iexec.orders import (
    NULL_ADDRESS,
    TAG_TEE,
    AppOrder,
    DatasetOrder,
    Eip712Domain,
    SignedOrder,
    WorkerpoolOrder,
    new_salt,
    order_hash,
    sign_order,
)
from tests.support.signers import KeySigner


async def dataset_and_domain(profile: NetworkProfile, owner: LocalAccount) -> tuple[str, Eip712Domain]:
    async with PocoClient(profile) as poco:
        dataset, _ = await poco.create_dataset_with_schema(
            "market test", '{"f":"string"}', encode_ipfs("QmUVhChbLFiuzNK1g2GsWyWEiad7SXPqARnWzGumgziwEp"),
            os.urandom(32), signer=KeySigner(owner),
        )  # fmt: skip
        return dataset, await poco.domain()


def grant(
    dataset: str, app: str, requester: str, owner: LocalAccount, domain: Eip712Domain
) -> SignedOrder[DatasetOrder]:
    order = DatasetOrder(dataset, 0, 1, TAG_TEE, app, NULL_ADDRESS, requester, new_salt())
    return sign_order(order, domain, owner)


def test_publishes_lists_and_unpublishes_grants(
    profile: NetworkProfile, owner: LocalAccount, other: LocalAccount
) -> None:
    app = "0x" + "22" * 20

    async def main() -> None:
        dataset, domain = await dataset_and_domain(profile, owner)
        async with MarketClient(profile) as market:
            signed = grant(dataset, app, other.address, owner, domain)
            published = await market.publish("dataset", signed, owner)
            assert published == "0x" + order_hash(signed.order, domain).hex()

            (listed,) = await market.dataset_orders(dataset, app=app, requester=other.address)
            assert (listed.order_hash, listed.remaining, listed.status) == (published, 1, "open")
            assert listed.signer == owner.address and listed.published
            assert listed.signed(DatasetOrder) == signed
            assert await market.dataset_orders(dataset, app=app, requester=owner.address) == []
            assert await market.dataset_orders(dataset, requester=owner.address) == []
            assert (await market.order("dataset", published)) == listed

            await market.unpublish("dataset", published, owner)
            assert await market.dataset_orders(dataset) == []
            assert await market.order("dataset", published) is None

    asyncio.run(main())


def test_follows_the_pages_to_the_end(profile: NetworkProfile, owner: LocalAccount) -> None:
    async def main() -> None:
        dataset, domain = await dataset_and_domain(profile, owner)
        async with MarketClient(profile) as market:
            hashes = {
                await market.publish(
                    "dataset", grant(dataset, NULL_ADDRESS, NULL_ADDRESS, owner, domain), owner
                )
                for _ in range(13)
            }
            listed = await market.dataset_orders(dataset, page_size=10)
            assert {order.order_hash for order in listed} == hashes and len(listed) == 13
            for order_hash_ in hashes:
                await market.unpublish("dataset", order_hash_, owner)

    asyncio.run(main())


def test_reads_the_pools_standing_orders(profile: NetworkProfile) -> None:
    assert profile.default_workerpool is not None
    pool = profile.default_workerpool

    async def main() -> None:
        async with PocoClient(profile) as poco:
            apps = await poco.apps()
        async with MarketClient(profile) as market:
            app_orders = [order for app in apps for order in await market.app_orders(app, min_tag=TAG_TEE)]
            assert app_orders and all(o.signed(AppOrder).order.tag.endswith("9") for o in app_orders)
            app = app_orders[0].signed(AppOrder).order.app
            (pool_order,) = await market.workerpool_orders(pool, app=app, min_tag=TAG_TEE, category=0)
            assert pool_order.signed(WorkerpoolOrder).order.workerpool == pool
            assert await market.workerpool_orders(pool, category=3) == []

    asyncio.run(main())


def test_an_order_from_a_non_owner_is_refused_with_the_markets_words(
    profile: NetworkProfile, owner: LocalAccount, other: LocalAccount
) -> None:
    async def main() -> None:
        dataset, domain = await dataset_and_domain(profile, owner)
        forged = grant(dataset, NULL_ADDRESS, NULL_ADDRESS, other, domain)
        async with MarketClient(profile) as market:
            with pytest.raises(UserFacingError) as caught:
                await market.publish("dataset", forged, other)
            assert not isinstance(caught.value, ProtocolUnavailable)
            assert caught.value.what.startswith("The market refused publishing the order: only dataset owner")
            assert "owner" in caught.value.hint

    asyncio.run(main())


def test_an_unreachable_market_is_protocol_unavailable(profile: NetworkProfile, owner: LocalAccount) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = dataclasses.replace(profile, market=f"http://127.0.0.1:{s.getsockname()[1]}")

        async def main() -> None:
            async with MarketClient(dead) as market:
                with pytest.raises(ProtocolUnavailable) as caught:
                    await market.dataset_orders(owner.address)
                assert caught.value.service == "market"

        asyncio.run(main())
