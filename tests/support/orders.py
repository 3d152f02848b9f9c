"""Orders on the test chain: register assets, build and sign orders, log into a market, publish, close, match.

Everything here goes through the real contracts (DataProtector, the registries, the hub) and the real HTTP
API, so tests that use it exercise the same paths as the app.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.logs import DISCARD
from web3.types import TxReceipt

from desktop_app.core.iexec.market_auth import authorization_header
from desktop_app.core.iexec.orders import (
    NULL_ADDRESS,
    AppOrder,
    DatasetOrder,
    Eip712Domain,
    RequestOrder,
    SignedOrder,
    WorkerpoolOrder,
    new_salt,
    sign_order,
)
from tests.support.chain import LocalChain

T = TypeVar("T")
NO_TAG = "0x" + "00" * 32
CLOSE = 1  # IexecLibOrders_v5.OrderOperationEnum.CLOSE


def transact(chain: LocalChain, call: Any, sender: str, value: int = 0) -> TxReceipt:
    """Send ``call`` from an unlocked dev account and insist it succeeded (reverts are silent otherwise)."""
    tx_hash = call.transact({"from": Web3.to_checksum_address(sender), "value": value})
    receipt = chain.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
    assert receipt["status"] == 1, f"transaction {tx_hash.hex()} reverted"
    return receipt


def domain(chain: LocalChain) -> Eip712Domain:
    return Eip712Domain(*chain.hub().functions.domain().call())


def register_dataset(chain: LocalChain, owner: str) -> str:
    """A dataset created as DataProtector's protectData does; its address is topic1 of ``DatasetSchema``."""
    dp = chain.w3.eth.contract(
        address=Web3.to_checksum_address(chain.deployment.dataprotector),
        abi=chain.parts.dataprotector_artifact()["abi"],
    )
    call = dp.functions.createDatasetWithSchema(
        owner,
        f"data-{secrets.token_hex(4)}",
        '{"file":"text/plain"}',
        b"\xa5\x03" + secrets.token_bytes(34),
        secrets.token_bytes(32),
    )
    receipt = transact(chain, call, owner)
    (event,) = dp.events.DatasetSchema().process_receipt(receipt, errors=DISCARD)
    return Web3.to_checksum_address(event["args"]["dataset"])


def register_app(chain: LocalChain, owner: str) -> str:
    registry = _registry(chain, "app_registry", "AppRegistry")
    name = f"app-{secrets.token_hex(4)}"
    call = registry.functions.createApp(
        owner, name, "DOCKER", b"docker.io/x/y:1", secrets.token_bytes(32), b""
    )
    return _minted(registry, transact(chain, call, owner))


def register_workerpool(chain: LocalChain, owner: str) -> str:
    registry = _registry(chain, "workerpool_registry", "WorkerpoolRegistry")
    call = registry.functions.createWorkerpool(owner, f"pool-{secrets.token_hex(4)}")
    return _minted(registry, transact(chain, call, owner))


def dataset_order(dataset: str, **changes: Any) -> DatasetOrder:
    fields = dict(
        dataset=dataset,
        datasetprice=0,
        volume=1,
        tag=NO_TAG,
        apprestrict=NULL_ADDRESS,
        workerpoolrestrict=NULL_ADDRESS,
        requesterrestrict=NULL_ADDRESS,
        salt=new_salt(),
    )
    return DatasetOrder(**{**fields, **changes})


def app_order(app: str, **changes: Any) -> AppOrder:
    fields = dict(
        app=app,
        appprice=0,
        volume=1,
        tag=NO_TAG,
        datasetrestrict=NULL_ADDRESS,
        workerpoolrestrict=NULL_ADDRESS,
        requesterrestrict=NULL_ADDRESS,
        salt=new_salt(),
    )
    return AppOrder(**{**fields, **changes})


def workerpool_order(workerpool: str, **changes: Any) -> WorkerpoolOrder:
    fields = dict(
        workerpool=workerpool,
        workerpoolprice=0,
        volume=1,
        tag=NO_TAG,
        category=0,
        trust=0,
        apprestrict=NULL_ADDRESS,
        datasetrestrict=NULL_ADDRESS,
        requesterrestrict=NULL_ADDRESS,
        salt=new_salt(),
    )
    return WorkerpoolOrder(**{**fields, **changes})


def request_order(app: str, dataset: str, workerpool: str, requester: str, **changes: Any) -> RequestOrder:
    fields = dict(
        app=app,
        appmaxprice=0,
        dataset=dataset,
        datasetmaxprice=0,
        workerpool=workerpool,
        workerpoolmaxprice=0,
        requester=requester,
        volume=1,
        tag=NO_TAG,
        category=0,
        trust=0,
        beneficiary=requester,
        callback=NULL_ADDRESS,
        params="",
        salt=new_salt(),
    )
    return RequestOrder(**{**fields, **changes})


def close_on_chain(chain: LocalChain, signed: SignedOrder[Any], sender: str) -> bytes:
    """``manage<Type>(CLOSE)`` from the owner; returns the hash the contract put in ``Closed<Type>``."""
    kind = signed.order.PRIMARY_TYPE
    hub = chain.hub()
    receipt = transact(
        chain, getattr(hub.functions, f"manage{kind}")((signed.as_tuple(), CLOSE, b"")), sender
    )
    (event,) = getattr(hub.events, f"Closed{kind}")().process_receipt(receipt, errors=DISCARD)
    (order_hash,) = event["args"].values()
    return bytes(order_hash)


@dataclass
class Market:
    """A served sandbox market and who talks to it."""

    client: httpx.Client
    chain_id: int
    domain: Eip712Domain

    def login(self, account: LocalAccount) -> str:
        """The ``authorization`` header for one request, from a fresh challenge."""
        reply = self.client.get("/challenge", params={"chainId": self.chain_id, "address": account.address})
        assert reply.status_code == 200, reply.text
        return authorization_header(reply.json()["data"], account, self.chain_id)

    def publish(self, signed: SignedOrder[Any], account: LocalAccount) -> httpx.Response:
        return self.client.post(
            f"/{_book(signed)}",
            params={"chainId": self.chain_id},
            json={"order": signed.to_json()},
            headers={"authorization": self.login(account)},
        )

    def sign_and_publish(self, order: Any, account: LocalAccount) -> SignedOrder[Any]:
        signed = sign_order(order, self.domain, account)
        reply = self.publish(signed, account)
        assert reply.status_code == 200, reply.text
        return signed

    def unpublish(self, book: str, body: dict[str, Any], account: LocalAccount) -> httpx.Response:
        return self.client.put(
            f"/{book}",
            params={"chainId": self.chain_id},
            json=body,
            headers={"authorization": self.login(account)},
        )

    def book(self, book: str, **params: Any) -> dict[str, Any]:
        reply = self.client.get(f"/{book}", params={"chainId": self.chain_id, **params})
        assert reply.status_code == 200, reply.text
        body: dict[str, Any] = reply.json()
        return body

    def entry(self, book: str, order_hash: str) -> httpx.Response:
        return self.client.get(f"/{book}/{order_hash}", params={"chainId": self.chain_id})


def wait_for(check: Callable[[], T | None], timeout: float = 15.0, interval: float = 0.05) -> T:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, "timed out waiting for the market"
        time.sleep(interval)


def _book(signed: SignedOrder[Any]) -> str:
    kind: str = signed.order.PRIMARY_TYPE.removesuffix("Order").lower()
    return kind + "orders"


def _registry(chain: LocalChain, attribute: str, artifact: str) -> Any:
    return chain.w3.eth.contract(
        address=Web3.to_checksum_address(getattr(chain.deployment, attribute)),
        abi=chain.parts.poco_artifact(artifact)["abi"],
    )


def _minted(registry: Any, receipt: TxReceipt) -> str:
    """A registry mints each asset as an ERC-721 whose tokenId is the asset's address."""
    (transfer,) = registry.events.Transfer().process_receipt(receipt, errors=DISCARD)
    return Web3.to_checksum_address(transfer["args"]["tokenId"].to_bytes(20, "big"))
