"""``PocoClient`` against the sandbox's real PoCo: reads, the transactions the flows send, and the errors.

Transactions are signed by a real ``WalletSession``, which is what the flows pass as the signer.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account

from desktop_app.core.errors import ProtocolUnavailable, UserFacingError
from desktop_app.core.iexec.chain import PocoClient, task_id
from desktop_app.core.iexec.market_client import MarketClient
from desktop_app.core.iexec.multiaddr import encode_ipfs
from desktop_app.core.iexec.network import NetworkProfile
from desktop_app.core.iexec.orders import (
    NULL_ADDRESS,
    TAG_TEE,
    AppOrder,
    DatasetOrder,
    Eip712Domain,
    RequestOrder,
    SignedOrder,
    WorkerpoolOrder,
    new_salt,
    order_hash,
    sign_order,
)
from desktop_app.core.iexec.poco_views import TaskStatus
from desktop_app.core.localnet.endpoints import SandboxEndpoints
from desktop_app.core.wallet import FeeData, SignedTx, TxRequest, Wallet, WalletSession

CID = "QmUVhChbLFiuzNK1g2GsWyWEiad7SXPqARnWzGumgziwEp"
SCHEMA = json.dumps({"email": "string", "age": "f64"})


def unlocked(wallet_dir: Path, private_key: str) -> WalletSession:
    wallet = Wallet(wallet_dir, scrypt_n=2**4)
    session = WalletSession(wallet, wallet.import_private_key(private_key, "pw").address, idle_timeout=3600)
    session.unlock("pw")
    return session


@pytest.fixture(scope="module")
def owner(sandbox: SandboxEndpoints, tmp_path_factory: pytest.TempPathFactory) -> WalletSession:
    return unlocked(tmp_path_factory.mktemp("owner"), sandbox.devAccounts[3].privateKey)


@pytest.fixture(scope="module")
def other(sandbox: SandboxEndpoints, tmp_path_factory: pytest.TempPathFactory) -> WalletSession:
    return unlocked(tmp_path_factory.mktemp("other"), sandbox.devAccounts[4].privateKey)


class CountingSigner:
    """The wallet session, counting how often it is asked to sign."""

    def __init__(self, session: WalletSession) -> None:
        self.session = session
        self.calls = 0

    @property
    def address(self) -> str:
        return self.session.address

    def sign_transaction(self, tx: TxRequest, fees: FeeData) -> SignedTx:
        self.calls += 1
        return self.session.sign_transaction(tx, fees)


async def new_dataset(poco: PocoClient, owner: WalletSession) -> str:
    dataset, _ = await poco.create_dataset_with_schema(
        f"data-{os.urandom(3).hex()}", SCHEMA, encode_ipfs(CID), os.urandom(32), signer=owner
    )
    return dataset


async def pool_and_app_orders(
    profile: NetworkProfile, poco: PocoClient
) -> tuple[SignedOrder[AppOrder], SignedOrder[WorkerpoolOrder]]:
    """The sandbox pool's standing orders, as a run takes them from the market."""
    assert profile.default_workerpool is not None
    async with MarketClient(profile) as market:
        for app in await poco.apps():
            if app_orders := await market.app_orders(app, min_tag=TAG_TEE):
                pool_orders = await market.workerpool_orders(profile.default_workerpool, app=app, category=0)
                return app_orders[0].signed(AppOrder), pool_orders[0].signed(WorkerpoolOrder)
    raise AssertionError("the sandbox publishes no app order")


def grant(
    dataset: str, app: str, requester: str, owner: WalletSession, domain: Eip712Domain
) -> SignedOrder[DatasetOrder]:
    order = DatasetOrder(dataset, 0, 1, TAG_TEE, app, NULL_ADDRESS, requester, new_salt())
    return sign_order(order, domain, owner.account())


def request(
    app: SignedOrder[AppOrder],
    dataset: str,
    pool: SignedOrder[WorkerpoolOrder],
    requester: WalletSession,
    domain: Eip712Domain,
    *,
    category: int = 0,
) -> SignedOrder[RequestOrder]:
    order = RequestOrder(
        app.order.app, 0, dataset, 0, pool.order.workerpool, 0, requester.address, 1, TAG_TEE, category,
        0, requester.address, NULL_ADDRESS, '{"iexec_result_storage_provider":"ipfs"}', new_salt(),
    )  # fmt: skip
    return sign_order(order, domain, requester.account())


def test_reads_the_deployment(profile: NetworkProfile, sandbox: SandboxEndpoints) -> None:
    async def main() -> None:
        async with PocoClient(profile) as poco:
            domain = await poco.domain()
            assert (domain.name, domain.chain_id, domain.verifying_contract) == (
                "iExecODB",
                31337,
                profile.hub,
            )
            apps = await poco.apps()
            assert len(apps) >= 3 and await poco.apps(limit=1) == apps[:1]
            app = await poco.view_app(apps[0])
            assert app.type == "DOCKER" and app.name and len(app.checksum) == 32
            assert await poco.is_registered("app", apps[0])
            assert not await poco.is_registered("dataset", apps[0])
            pool = await poco.view_workerpool(sandbox.workerpool)
            assert pool.owner != NULL_ADDRESS and pool.description
            assert await poco.teebroker() == NULL_ADDRESS

    asyncio.run(main())


def test_creates_protected_data_and_reads_it_back(profile: NetworkProfile, owner: WalletSession) -> None:
    async def main() -> None:
        async with PocoClient(profile) as poco:
            checksum = os.urandom(32)
            dataset, tx_hash = await poco.create_dataset_with_schema(
                "my data", SCHEMA, encode_ipfs(CID), checksum, signer=owner
            )
            assert tx_hash.startswith("0x") and await poco.dataset_created_in(tx_hash) == dataset
            info = await poco.view_dataset(dataset)
            assert (info.owner, info.name, info.checksum) == (owner.address, "my data", checksum)
            assert info.multiaddr == encode_ipfs(CID)
            assert await poco.dataset_owner(dataset) == owner.address
            assert dataset in await poco.datasets_of(owner.address)
            assert await poco.dataset_schemas([dataset, NULL_ADDRESS]) == {dataset: SCHEMA}
            with pytest.raises(UserFacingError, match="is not a registered dataset"):
                await poco.view_dataset(owner.address)

    asyncio.run(main())


def test_matches_a_run_then_revokes_a_grant(profile: NetworkProfile, owner: WalletSession) -> None:
    async def main() -> None:
        async with PocoClient(profile) as poco:
            domain = await poco.domain()
            app, pool = await pool_and_app_orders(profile, poco)
            dataset = await new_dataset(poco, owner)
            granted = grant(dataset, app.order.app, owner.address, owner, domain)
            deal_id, _ = await poco.match_orders(
                app, granted, pool, request(app, dataset, pool, owner, domain), signer=owner
            )
            deal = await poco.view_deal(deal_id)
            assert (deal.app.pointer, deal.dataset.pointer, deal.requester) == (
                app.order.app,
                dataset,
                owner.address,
            )
            assert deal.is_tee
            assert await poco.consumed(order_hash(granted.order, domain)) == 1
            task = await poco.view_task(task_id(deal_id))
            assert task.status in set(TaskStatus)

            revoked = grant(dataset, app.order.app, NULL_ADDRESS, owner, domain)
            assert await poco.consumed(order_hash(revoked.order, domain)) == 0
            await poco.close_dataset_order(revoked, signer=owner)
            assert await poco.consumed(order_hash(revoked.order, domain)) == revoked.order.volume

    asyncio.run(main())


def test_deposits_native_rlc_into_the_escrow(profile: NetworkProfile, owner: WalletSession) -> None:
    async def main() -> None:
        async with PocoClient(profile) as poco:
            before = await poco.staked(owner.address)
            await poco.deposit(7, signer=owner)
            assert await poco.staked(owner.address) == before + 7

    asyncio.run(main())


def test_a_revert_is_reported_with_its_reason_before_anything_is_signed(
    profile: NetworkProfile, owner: WalletSession
) -> None:
    async def main() -> None:
        async with PocoClient(profile) as poco:
            domain = await poco.domain()
            app, pool = await pool_and_app_orders(profile, poco)
            dataset = await new_dataset(poco, owner)
            granted = grant(dataset, app.order.app, owner.address, owner, domain)
            wrong = request(app, dataset, pool, owner, domain, category=1)  # the pool serves category 0
            signer = CountingSigner(owner)
            with pytest.raises(UserFacingError) as caught:
                await poco.match_orders(app, granted, pool, wrong, signer=signer)
            assert "iExecV5-matchOrders-0x00" in caught.value.what
            assert "orders" in caught.value.hint and signer.calls == 0
            with pytest.raises(UserFacingError, match="gave no reason"):
                await poco.claim(os.urandom(32), signer=signer)

    asyncio.run(main())


def test_a_transaction_that_reverts_once_mined_is_reported_with_its_reason(
    profile: NetworkProfile, owner: WalletSession, other: WalletSession
) -> None:
    """A grant to anyone, used up by another requester between our gas estimate and our signature."""

    async def main() -> None:
        async with PocoClient(profile) as poco:
            domain = await poco.domain()
            app, pool = await pool_and_app_orders(profile, poco)
            dataset = await new_dataset(poco, owner)
            to_anyone = grant(dataset, app.order.app, NULL_ADDRESS, owner, domain)
            theirs = request(app, dataset, pool, other, domain)

            class Racing(CountingSigner):
                async def sign_transaction(self, tx: TxRequest, fees: FeeData) -> SignedTx:  # type: ignore[override]
                    await poco.match_orders(app, to_anyone, pool, theirs, signer=other)
                    return super().sign_transaction(tx, fees)

            ours = request(app, dataset, pool, owner, domain)
            with pytest.raises(UserFacingError, match="mined but reverted: iExecV5-matchOrders-0x"):
                await poco.match_orders(app, to_anyone, pool, ours, signer=Racing(owner))

    asyncio.run(main())


def test_an_account_without_funds_is_told_about_the_faucet(profile: NetworkProfile, tmp_path: Path) -> None:
    poor = unlocked(tmp_path, "0x" + bytes(Account.create().key).hex())

    async def main() -> None:
        async with PocoClient(profile) as poco:
            with pytest.raises(UserFacingError, match="not enough funds for gas") as caught:
                await new_dataset(poco, poor)
            assert "faucet" in caught.value.hint

    asyncio.run(main())


def test_a_profile_for_another_chain_is_refused(profile: NetworkProfile) -> None:
    async def main() -> None:
        async with PocoClient(dataclasses.replace(profile, chain_id=421614)) as poco:
            with pytest.raises(UserFacingError, match="serves chain 31337"):
                await poco.domain()

    asyncio.run(main())


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def test_an_unreachable_rpc_is_protocol_unavailable(profile: NetworkProfile, silent_port: int) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]  # bound but not listening: connections are refused

        async def main() -> None:
            for port, timeout in ((dead_port, 30.0), (silent_port, 0.5)):
                broken = dataclasses.replace(profile, rpc=f"http://127.0.0.1:{port}")
                async with PocoClient(broken, rpc_timeout=timeout) as poco:
                    with pytest.raises(ProtocolUnavailable) as caught:
                        await poco.view_task(os.urandom(32))
                    assert caught.value.service == "blockchain RPC"

        asyncio.run(main())
