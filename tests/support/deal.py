"""Drive the real PoCo on the test chain: register assets, match the four signed orders, start a task.

This follows shared/spec/local-poco.md §2 "Driving a task": owners register an app, a dataset and a
workerpool; each owner signs its order with EIP-712 over the domain read from ``hub.domain()`` (with
the app's own ``core.iexec.orders``, so this also checks it against PoCo); the requester signs a request
order and calls ``matchOrders``; the scheduler calls ``initialize``. Services that need a live task
(the SMS's enclave challenge, the sandbox worker) are tested against it.

Transactions go through ``chain.w3`` from anvil's unlocked dev accounts; orders are signed locally with
the same accounts' keys, as the app signs them. Names and checksums are random, since the registries
refuse to register the same asset twice on the session's shared chain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from web3 import Web3
from web3.logs import DISCARD
from web3.types import TxReceipt

from desktop_app.core.iexec.orders import (
    NULL_ADDRESS,
    TAG_TEE,
    AppOrder,
    DatasetOrder,
    Eip712Domain,
    RequestOrder,
    WorkerpoolOrder,
    new_salt,
    sign_order,
)
from tests.support.chain import LocalChain
from tests.support.orders import register_app, register_dataset, register_workerpool, transact

NRLC_IN_WEI = 10**9  # native mode: 1 nRLC of stake is 1e9 wei deposited


@dataclass(frozen=True)
class Task:
    """A task initialized on chain, with the assets of its deal."""

    deal_id: bytes
    task_id: bytes
    app: ChecksumAddress
    dataset: ChecksumAddress
    workerpool: ChecksumAddress

    @property
    def task_id_hex(self) -> str:
        return "0x" + self.task_id.hex()


def _contract(chain: LocalChain, address: str, artifact: str) -> Any:
    return chain.w3.eth.contract(
        address=Web3.to_checksum_address(address), abi=chain.parts.poco_artifact(artifact)["abi"]
    )


def _hub(chain: LocalChain) -> Any:
    return _contract(chain, chain.deployment.hub, "IexecInterfaceNative")


def create_protected_data(chain: LocalChain, owner: LocalAccount) -> ChecksumAddress:
    """Register a dataset the way protectData does (DataProtector ``createDatasetWithSchema``)."""
    return Web3.to_checksum_address(register_dataset(chain, owner.address))


def start_task(
    chain: LocalChain,
    *,
    app_owner: LocalAccount,
    dataset_owner: LocalAccount,
    pool_owner: LocalAccount,
    requester: LocalAccount,
    tag: str = TAG_TEE,
    price: int = 0,
    params: dict[str, Any] | None = None,
) -> Task:
    """Register fresh assets, match one order of each at ``price`` nRLC apiece, and initialize task 0.

    With a non-zero price the requester deposits what the deal costs and the pool owner deposits the
    scheduler's stake (PoCo locks 30% of the pool price; the whole price is deposited to keep it simple).
    """
    hub = _hub(chain)
    domain = Eip712Domain(*hub.functions.domain().call())
    app = Web3.to_checksum_address(register_app(chain, app_owner.address))
    dataset = create_protected_data(chain, dataset_owner)
    workerpool = Web3.to_checksum_address(register_workerpool(chain, pool_owner.address))
    if price:
        transact(chain, hub.functions.deposit(), requester.address, value=3 * price * NRLC_IN_WEI)
        transact(chain, hub.functions.deposit(), pool_owner.address, value=price * NRLC_IN_WEI)
    app_order = AppOrder(
        app=app,
        appprice=price,
        datasetrestrict=NULL_ADDRESS,
        workerpoolrestrict=NULL_ADDRESS,
        salt=new_salt(),
        volume=1,
        tag=tag,
        requesterrestrict=NULL_ADDRESS,
    )
    dataset_order = DatasetOrder(
        dataset=dataset,
        datasetprice=price,
        apprestrict=app,
        workerpoolrestrict=NULL_ADDRESS,
        salt=new_salt(),
        volume=1,
        tag=tag,
        requesterrestrict=NULL_ADDRESS,
    )
    pool_order = WorkerpoolOrder(
        workerpool=workerpool,
        workerpoolprice=price,
        category=0,
        trust=0,
        apprestrict=NULL_ADDRESS,
        datasetrestrict=NULL_ADDRESS,
        salt=new_salt(),
        volume=1,
        tag=tag,
        requesterrestrict=NULL_ADDRESS,
    )
    request_order = RequestOrder(
        app=app,
        appmaxprice=price,
        dataset=dataset,
        datasetmaxprice=price,
        workerpool=workerpool,
        workerpoolmaxprice=price,
        requester=requester.address,
        volume=1,
        tag=tag,
        category=0,
        trust=0,
        beneficiary=requester.address,
        callback=NULL_ADDRESS,
        params=json.dumps(params or {}),
        salt=new_salt(),
    )
    receipt = transact(
        chain,
        hub.functions.matchOrders(
            sign_order(app_order, domain, app_owner).as_tuple(),
            sign_order(dataset_order, domain, dataset_owner).as_tuple(),
            sign_order(pool_order, domain, pool_owner).as_tuple(),
            sign_order(request_order, domain, requester).as_tuple(),
        ),
        requester.address,
    )
    (matched,) = hub.events.OrdersMatched().process_receipt(receipt, errors=DISCARD)
    deal_id: bytes = matched["args"]["dealid"]
    transact(chain, hub.functions.initialize(deal_id, 0), pool_owner.address)
    task_id = Web3.solidity_keccak(["bytes32", "uint256"], [deal_id, 0])
    return Task(deal_id, bytes(task_id), app, dataset, workerpool)


def _personal_sign(signer: LocalAccount, digest: bytes) -> bytes:
    return bytes(signer.sign_message(encode_defunct(primitive=digest)).signature)


def contribute_and_finalize(
    chain: LocalChain,
    task: Task,
    *,
    worker: LocalAccount,
    pool_owner: LocalAccount,
    enclave_key: bytes,
    result_digest: bytes,
    results: bytes = b"",
) -> TxReceipt:
    """Complete a trust-1 TEE task as the worker does, proving the result with the enclave-challenge key.

    PoCo checks the scheduler's authorization of (worker, task, enclave) and the enclave's signature over
    the result hash and seal (local-poco.md §3); a wrong key or signer reverts, so success proves both.
    """
    enclave = Account.from_key(enclave_key)
    authorization = Web3.solidity_keccak(
        ["address", "bytes32", "address"], [worker.address, task.task_id, enclave.address]
    )
    result_hash = Web3.solidity_keccak(["bytes32", "bytes32"], [task.task_id, result_digest])
    result_seal = Web3.solidity_keccak(
        ["address", "bytes32", "bytes32"], [worker.address, task.task_id, result_digest]
    )
    call = _hub(chain).functions.contributeAndFinalize(
        task.task_id,
        result_digest,
        results,
        b"",
        enclave.address,
        _personal_sign(enclave, Web3.solidity_keccak(["bytes32", "bytes32"], [result_hash, result_seal])),
        _personal_sign(pool_owner, authorization),
    )
    return transact(chain, call, worker.address)
