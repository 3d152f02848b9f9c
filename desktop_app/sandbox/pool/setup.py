"""The workerpool's on-chain identity and its standing offers, as a real pool operator sets them up.

Registration is idempotent without any saved file: ``predict*`` gives an asset's address from its
arguments, so each start registers only what is missing (a new version of a sample app gets a new app).
Orders are published through the market API over HTTP, exactly as a pool operator's tooling does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from web3 import Web3

from desktop_app.core.iexec.market_auth import authorization_header
from desktop_app.core.iexec.orders import (
    NULL_ADDRESS,
    TAG_TEE_TDX,
    AppOrder,
    Eip712Domain,
    Order,
    WorkerpoolOrder,
    new_salt,
    sign_order,
)
from desktop_app.sandbox.chain import accounts
from desktop_app.sandbox.chain.deploy import Deployment
from desktop_app.sandbox.iapps import SampleApp, sample_apps
from desktop_app.sandbox.parts import Parts

POOL_DESCRIPTION = "DataProtector Desktop sandbox pool (simulated TDX)"
STANDING_VOLUME = 1_000_000
CATEGORY = 0


@dataclass(frozen=True)
class Pool:
    workerpool: ChecksumAddress
    apps: dict[ChecksumAddress, SampleApp]


def _registry(w3: Web3, parts: Parts, address: str, artifact: str) -> Any:
    return w3.eth.contract(
        address=Web3.to_checksum_address(address), abi=parts.poco_artifact(artifact)["abi"]
    )


def _ensure(w3: Web3, registry: Any, sender: str, create: str, predict: str, *args: Any) -> ChecksumAddress:
    address: ChecksumAddress = getattr(registry.functions, predict)(*args).call()
    if not registry.functions.isRegistered(address).call():
        tx = getattr(registry.functions, create)(*args).transact({"from": sender})
        if w3.eth.wait_for_transaction_receipt(tx)["status"] != 1:
            raise RuntimeError(f"{create} reverted for {args[1]!r}")
    return address


def register(w3: Web3, parts: Parts, deployment: Deployment) -> Pool:
    """Register the workerpool and the sample iApps that are not on the chain yet."""
    scheduler = accounts.dev_account(accounts.SCHEDULER).address
    app_owner = accounts.dev_account(accounts.APP_OWNER).address
    pools = _registry(w3, parts, deployment.workerpool_registry, "WorkerpoolRegistry")
    workerpool = _ensure(
        w3, pools, scheduler, "createWorkerpool", "predictWorkerpool", scheduler, POOL_DESCRIPTION
    )
    app_registry = _registry(w3, parts, deployment.app_registry, "AppRegistry")
    apps = {}
    for app in sample_apps():
        args = (app_owner, app.name, "DOCKER", app.multiaddr(), app.checksum(), app.mrenclave())
        apps[_ensure(w3, app_registry, app_owner, "createApp", "predictApp", *args)] = app
    return Pool(workerpool, apps)


async def publish_standing_orders(market: str, domain: Eip712Domain, pool: Pool) -> None:
    """Make sure the market offers the pool and every sample app; publish what is missing or used up."""
    scheduler = accounts.dev_account(accounts.SCHEDULER)
    app_owner = accounts.dev_account(accounts.APP_OWNER)
    async with httpx.AsyncClient(base_url=market, timeout=30) as client:
        if not await _has_open(client, domain, "workerpoolorders", {"workerpool": pool.workerpool}):
            order = WorkerpoolOrder(
                workerpool=pool.workerpool,
                workerpoolprice=0,
                volume=STANDING_VOLUME,
                tag=TAG_TEE_TDX,
                category=CATEGORY,
                trust=0,
                apprestrict=NULL_ADDRESS,
                datasetrestrict=NULL_ADDRESS,
                requesterrestrict=NULL_ADDRESS,
                salt=new_salt(),
            )
            await _publish(client, domain, "workerpoolorders", order, scheduler)
        for app in pool.apps:
            if not await _has_open(client, domain, "apporders", {"app": app}):
                app_order = AppOrder(
                    app=app,
                    appprice=0,
                    volume=STANDING_VOLUME,
                    tag=TAG_TEE_TDX,
                    datasetrestrict=NULL_ADDRESS,
                    workerpoolrestrict=NULL_ADDRESS,
                    requesterrestrict=NULL_ADDRESS,
                    salt=new_salt(),
                )
                await _publish(client, domain, "apporders", app_order, app_owner)


async def _has_open(
    client: httpx.AsyncClient, domain: Eip712Domain, book: str, query: dict[str, str]
) -> bool:
    reply = await client.get(f"/{book}", params={"chainId": domain.chain_id, **query})
    reply.raise_for_status()
    return any(entry["remaining"] > 0 for entry in reply.json()["orders"])


async def _publish(
    client: httpx.AsyncClient, domain: Eip712Domain, book: str, order: Order, signer: LocalAccount
) -> None:
    challenge = await client.get("/challenge", params={"chainId": domain.chain_id, "address": signer.address})
    challenge.raise_for_status()
    header = authorization_header(challenge.json()["data"], signer, domain.chain_id)
    signed = sign_order(order, domain, signer)
    reply = await client.post(
        f"/{book}",
        params={"chainId": domain.chain_id},
        json={"order": signed.to_json()},
        headers={"authorization": header},
    )
    if reply.status_code != 200:
        raise RuntimeError(f"the sandbox market refused the pool's {book[:-1]}: {reply.text}")
