"""The full data-owner protocol against the running sandbox, by hand, with no app code at all.

Only web3, eth_account and httpx speak here, built from shared/spec/iexec-protocol.md, so this test checks
the sandbox against the protocol independently of the app's own encoders: register a dataset through the
DataProtector contract, push its key to the SMS, sign and publish a dataset order, list it, cancel it on
chain, and see the market mark it canceled.
"""

from __future__ import annotations

import base64
import os
import time

import httpx
import pytest
from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data
from web3 import Web3

from desktop_app.core.localnet.endpoints import SandboxEndpoints

pytestmark = pytest.mark.slow

DP_ABI = [
    {
        "type": "function",
        "name": "createDatasetWithSchema",
        "stateMutability": "nonpayable",
        "inputs": [
            {"name": "", "type": "address"},
            {"name": "", "type": "string"},
            {"name": "", "type": "string"},
            {"name": "", "type": "bytes"},
            {"name": "", "type": "bytes32"},
        ],
        "outputs": [{"name": "", "type": "address"}],
    }
]
ORDER_COMPONENTS = [
    ("dataset", "address"),
    ("datasetprice", "uint256"),
    ("volume", "uint256"),
    ("tag", "bytes32"),
    ("apprestrict", "address"),
    ("workerpoolrestrict", "address"),
    ("requesterrestrict", "address"),
    ("salt", "bytes32"),
    ("sign", "bytes"),
]
HUB_ABI = [
    {
        "type": "function",
        "name": "manageDatasetOrder",
        "stateMutability": "nonpayable",
        "inputs": [
            {
                "name": "",
                "type": "tuple",
                "components": [
                    {
                        "name": "order",
                        "type": "tuple",
                        "components": [{"name": n, "type": t} for n, t in ORDER_COMPONENTS],
                    },
                    {"name": "operation", "type": "uint8"},
                    {"name": "sign", "type": "bytes"},
                ],
            }
        ],
        "outputs": [],
    },
    {
        "type": "function",
        "name": "domain",
        "stateMutability": "view",
        "inputs": [],
        "outputs": [
            {
                "name": "",
                "type": "tuple",
                "components": [
                    {"name": "name", "type": "string"},
                    {"name": "version", "type": "string"},
                    {"name": "chainId", "type": "uint256"},
                    {"name": "verifyingContract", "type": "address"},
                ],
            }
        ],
    },
    {
        "type": "event",
        "name": "ClosedDatasetOrder",
        "anonymous": False,
        "inputs": [{"name": "datasetHash", "type": "bytes32", "indexed": False}],
    },
]
TEE_TAG = "0x" + "00" * 31 + "01"


def _market_auth(market: str, chain_id: int, account: Account) -> str:  # type: ignore[valid-type]
    challenge = httpx.get(f"{market}/challenge", params={"chainId": chain_id, "address": account.address})
    assert challenge.status_code == 200, challenge.text
    typed = challenge.json()["data"]
    signable = encode_typed_data(full_message=typed)
    signed = account.sign_message(signable)  # type: ignore[attr-defined]
    digest = "0x" + signed.message_hash.hex().removeprefix("0x")
    return f"{digest}_0x{signed.signature.hex().removeprefix('0x')}_{account.address}"  # type: ignore[attr-defined]


def test_register_push_grant_list_cancel(sandbox: SandboxEndpoints) -> None:
    owner = Account.from_key(sandbox.devAccounts[1].privateKey)
    w3 = Web3(Web3.HTTPProvider(sandbox.rpc))

    # 1. Register a dataset through the DataProtector contract.
    dp = w3.eth.contract(address=Web3.to_checksum_address(sandbox.dataProtector), abi=DP_ABI)
    checksum = os.urandom(32)
    tx = dp.functions.createDatasetWithSchema(
        owner.address,
        "by-hand.csv",
        '{"file":"text/csv"}',
        b"\xa5\x03\x22\x12\x20" + os.urandom(32),
        checksum,
    ).transact({"from": owner.address})
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    assert receipt["status"] == 1
    schema_topic = Web3.keccak(text="DatasetSchema(address,string)")
    (schema_log,) = [log for log in receipt["logs"] if log["topics"][0] == schema_topic]
    dataset = Web3.to_checksum_address(schema_log["topics"][1][-20:])

    # 2. Push its key to the SMS, signed by the owner over the spec's challenge.
    key_b64 = base64.b64encode(os.urandom(32)).decode()
    challenge = Web3.keccak(
        Web3.keccak(text="IEXEC_SMS_DOMAIN") + bytes.fromhex(dataset[2:]) + Web3.keccak(text=key_b64)
    )
    signature = owner.sign_message(encode_defunct(primitive=challenge)).signature
    pushed = httpx.post(
        f"{sandbox.sms}/secrets/web3",
        params={"secretAddress": dataset},
        content=key_b64,
        headers={"Authorization": "0x" + signature.hex().removeprefix("0x"), "Content-Type": "text/plain"},
    )
    assert pushed.status_code == 204, pushed.text
    assert httpx.head(f"{sandbox.sms}/secrets/web3", params={"secretAddress": dataset}).status_code == 204

    # 3. Sign a dataset order with EIP-712 (domain read from the hub) and publish it.
    hub = w3.eth.contract(address=Web3.to_checksum_address(sandbox.hub), abi=HUB_ABI)
    name, version, chain_id, verifying_contract = hub.functions.domain().call()
    app = Account.create().address
    order = {
        "dataset": dataset,
        "datasetprice": 0,
        "volume": 3,
        "tag": TEE_TAG,
        "apprestrict": app,
        "workerpoolrestrict": "0x" + "00" * 20,
        "requesterrestrict": "0x" + "00" * 20,
        "salt": "0x" + os.urandom(32).hex(),
    }
    typed = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "DatasetOrder": [{"name": n, "type": t} for n, t in ORDER_COMPONENTS[:-1]],
        },
        "primaryType": "DatasetOrder",
        "domain": {
            "name": name,
            "version": version,
            "chainId": chain_id,
            "verifyingContract": verifying_contract,
        },
        "message": order,
    }
    signed = owner.sign_message(encode_typed_data(full_message=typed))
    order_hash = "0x" + signed.message_hash.hex().removeprefix("0x")
    signed_order = {**order, "sign": "0x" + signed.signature.hex().removeprefix("0x")}
    published = httpx.post(
        f"{sandbox.market}/datasetorders",
        params={"chainId": chain_id},
        json={"order": signed_order},
        headers={"authorization": _market_auth(sandbox.market, chain_id, owner)},
    )
    assert published.status_code == 200, published.text
    assert published.json()["published"]["orderHash"] == order_hash

    # 4. List it, as getGrantedAccess does.
    listed = httpx.get(
        f"{sandbox.market}/datasetorders",
        params={
            "chainId": chain_id,
            "dataset": dataset,
            "app": app,
            "requester": "any",
            "isAppStrict": "true",
        },
    ).json()
    assert listed["ok"] and listed["count"] == 1
    (entry,) = listed["orders"]
    assert (entry["orderHash"], entry["remaining"], entry["status"]) == (order_hash, 3, "open")

    # 5. Cancel it on chain (revokeAccess = manageDatasetOrder CLOSE).
    as_tuple = tuple(signed_order[n] for n, _ in ORDER_COMPONENTS)
    tx = hub.functions.manageDatasetOrder((as_tuple, 1, b"")).transact({"from": owner.address})
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    assert receipt["status"] == 1
    (closed,) = hub.events.ClosedDatasetOrder().process_receipt(receipt)
    assert "0x" + closed["args"]["datasetHash"].hex() == order_hash

    # 6. The market's watcher sees the event and marks the order canceled.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        entry = httpx.get(f"{sandbox.market}/datasetorders/{order_hash}", params={"chainId": chain_id}).json()
        if entry.get("status") == "canceled":
            break
        time.sleep(0.2)
    assert entry["status"] == "canceled"
    assert entry["remaining"] == 0
