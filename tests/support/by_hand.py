"""A data owner's protocol steps written by hand, with no app code, for tests of the sandbox pool.

Only web3, eth_account, httpx, cryptography and iExec's own ABI files speak here, following
shared/spec/iexec-protocol.md, so the sandbox is checked against the protocol itself rather than
against the app's encoders.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import base58
import httpx
from cryptography.hazmat.primitives import padding, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from eth_account.messages import encode_defunct, encode_typed_data
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.logs import DISCARD

from desktop_app.core.localnet.endpoints import SandboxEndpoints

POCO_DIR = Path(__file__).resolve().parents[2] / ".parts" / "poco"
DP_ABI = [
    {
        "type": "function",
        "name": "createDatasetWithSchema",
        "stateMutability": "nonpayable",
        "inputs": [{"name": "", "type": t} for t in ("address", "string", "string", "bytes", "bytes32")],
        "outputs": [{"name": "", "type": "address"}],
    },
    {
        "type": "event",
        "name": "DatasetSchema",
        "anonymous": False,
        "inputs": [
            {"name": "dataset", "type": "address", "indexed": True},
            {"name": "schema", "type": "string", "indexed": False},
        ],
    },
]
FIELDS = {
    "AppOrder": [
        ("app", "address"), ("appprice", "uint256"), ("volume", "uint256"), ("tag", "bytes32"),
        ("datasetrestrict", "address"), ("workerpoolrestrict", "address"), ("requesterrestrict", "address"),
        ("salt", "bytes32"),
    ],
    "DatasetOrder": [
        ("dataset", "address"), ("datasetprice", "uint256"), ("volume", "uint256"), ("tag", "bytes32"),
        ("apprestrict", "address"), ("workerpoolrestrict", "address"), ("requesterrestrict", "address"),
        ("salt", "bytes32"),
    ],
    "WorkerpoolOrder": [
        ("workerpool", "address"), ("workerpoolprice", "uint256"), ("volume", "uint256"), ("tag", "bytes32"),
        ("category", "uint256"), ("trust", "uint256"), ("apprestrict", "address"),
        ("datasetrestrict", "address"), ("requesterrestrict", "address"), ("salt", "bytes32"),
    ],
    "RequestOrder": [
        ("app", "address"), ("appmaxprice", "uint256"), ("dataset", "address"),
        ("datasetmaxprice", "uint256"), ("workerpool", "address"), ("workerpoolmaxprice", "uint256"),
        ("requester", "address"),
        ("volume", "uint256"), ("tag", "bytes32"), ("category", "uint256"), ("trust", "uint256"),
        ("beneficiary", "address"), ("callback", "address"), ("params", "string"), ("salt", "bytes32"),
    ],
}  # fmt: skip
ZERO = "0x" + "00" * 20
TEE = "0x" + "00" * 31 + "01"
RESULT_KEY_NAME = "iexec-result-encryption-public-key"


def aes_cbc(key: bytes, data: bytes) -> bytes:
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return iv + encryptor.update(padder.update(data) + padder.finalize()) + encryptor.finalize()


def aes_cbc_decrypt(key: bytes, data: bytes) -> bytes:
    decryptor = Cipher(algorithms.AES(key), modes.CBC(data[:16])).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(decryptor.update(data[16:]) + decryptor.finalize()) + unpadder.finalize()


def sms_auth(account: LocalAccount, *parts: bytes) -> str:
    challenge = Web3.keccak(Web3.keccak(text="IEXEC_SMS_DOMAIN") + b"".join(parts))
    return "0x" + bytes(account.sign_message(encode_defunct(primitive=challenge)).signature).hex()


def _order_tuple(kind: str, order: dict[str, Any]) -> tuple[Any, ...]:
    def value(name: str, abi: str) -> Any:
        raw = order[name]
        if abi == "address":
            return Web3.to_checksum_address(raw)
        if abi == "uint256":
            return int(raw)
        if abi == "bytes32":
            return bytes.fromhex(raw[2:])
        return raw

    return (*(value(n, t) for n, t in FIELDS[kind]), bytes.fromhex(order["sign"][2:]))


@dataclass
class ByHand:
    """The owner's view of the sandbox, as a client with nothing but the endpoints file would have."""

    sandbox: SandboxEndpoints
    owner: LocalAccount

    def __post_init__(self) -> None:
        self.w3 = Web3(Web3.HTTPProvider(self.sandbox.rpc))
        self.hub = self._contract(self.sandbox.hub, "IexecInterfaceNative")
        self.market = httpx.Client(
            base_url=self.sandbox.market, params={"chainId": self.sandbox.chainId}, timeout=30
        )

    def _contract(self, address: str, artifact: str) -> Any:
        abi = json.loads((POCO_DIR / f"{artifact}.json").read_text())["abi"]
        return self.w3.eth.contract(address=Web3.to_checksum_address(address), abi=abi)

    def protect(
        self, files: dict[str, bytes], *, push_key: bool = True, checksum: bytes | None = None
    ) -> str:
        """Zip (DataProtector layout), encrypt, upload, register, push the key; returns the dataset."""
        plain = io.BytesIO()
        with zipfile.ZipFile(plain, "w", compression=zipfile.ZIP_STORED) as z:
            for name, content in files.items():
                z.writestr(name, content)
        key = os.urandom(32)
        encrypted = aes_cbc(key, plain.getvalue())
        added = httpx.post(f"{self.sandbox.ipfsApi}/api/v0/add", files={"file": ("protected", encrypted)})
        multihash = base58.b58decode(added.json()["Hash"])
        dp = self.w3.eth.contract(address=Web3.to_checksum_address(self.sandbox.dataProtector), abi=DP_ABI)
        tx = dp.functions.createDatasetWithSchema(
            self.owner.address,
            f"data-{os.urandom(4).hex()}",
            json.dumps(dict.fromkeys(files, "application/octet-stream")),
            b"\xa5\x03" + bytes([len(multihash)]) + multihash,
            checksum or hashlib.sha256(encrypted).digest(),
        ).transact({"from": self.owner.address})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx)
        (event,) = dp.events.DatasetSchema().process_receipt(receipt, errors=DISCARD)
        dataset: str = event["args"]["dataset"]
        if push_key:
            key_b64 = base64.b64encode(key).decode()
            header = sms_auth(self.owner, bytes.fromhex(dataset[2:]), Web3.keccak(text=key_b64))
            pushed = httpx.post(
                f"{self.sandbox.sms}/secrets/web3",
                params={"secretAddress": dataset},
                content=key_b64,
                headers={"Authorization": header},
            )
            assert pushed.status_code == 204, pushed.text
        return dataset

    def push_result_key(self) -> rsa.RSAPrivateKey:
        """The beneficiary's result-encryption key: base64 of the public PEM, as an SMS web2 secret."""
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        value = base64.b64encode(pem).decode()
        header = sms_auth(
            self.owner,
            bytes.fromhex(self.owner.address[2:]),
            Web3.keccak(text=RESULT_KEY_NAME),
            Web3.keccak(text=value),
        )
        exists = httpx.head(
            f"{self.sandbox.sms}/secrets/web2",
            params={"ownerAddress": self.owner.address, "secretName": RESULT_KEY_NAME},
        )
        method = "PUT" if exists.status_code == 204 else "POST"
        reply = httpx.request(
            method,
            f"{self.sandbox.sms}/secrets/web2",
            params={"ownerAddress": self.owner.address, "secretName": RESULT_KEY_NAME},
            content=value,
            headers={"Authorization": header},
        )
        assert reply.status_code == 204, reply.text
        return private

    def app_named(self, name: str) -> str:
        """Browse the AppRegistry (ERC-721: token id = address) for an app by its registered name."""
        registry = self._contract(self.sandbox.appRegistry, "AppRegistry")
        for i in range(registry.functions.totalSupply().call()):
            app = Web3.to_checksum_address(registry.functions.tokenByIndex(i).call().to_bytes(20, "big"))
            if self.hub.functions.viewApp(app).call()[1] == name:
                return app
        raise LookupError(name)

    def sign(self, kind: str, order: dict[str, Any]) -> dict[str, Any]:
        domain = self.hub.functions.domain().call()
        typed = {
            "types": {
                "EIP712Domain": [
                    {"name": "name", "type": "string"},
                    {"name": "version", "type": "string"},
                    {"name": "chainId", "type": "uint256"},
                    {"name": "verifyingContract", "type": "address"},
                ],
                kind: [{"name": n, "type": t} for n, t in FIELDS[kind]],
            },
            "primaryType": kind,
            "domain": dict(zip(["name", "version", "chainId", "verifyingContract"], domain, strict=True)),
            "message": order,
        }
        signed = self.owner.sign_message(encode_typed_data(full_message=typed))
        return {**order, "sign": "0x" + bytes(signed.signature).hex()}

    def market_auth(self) -> str:
        """The market's login: sign its EIP-712 challenge; the header is ``hash_signature_address``."""
        challenge = self.market.get("/challenge", params={"address": self.owner.address})
        assert challenge.status_code == 200, challenge.text
        signed = self.owner.sign_message(encode_typed_data(full_message=challenge.json()["data"]))
        digest = "0x" + bytes(signed.message_hash).hex()
        return f"{digest}_0x{bytes(signed.signature).hex()}_{self.owner.address}"

    def grant(self, dataset: str, app: str, *, volume: int = 1, requester: str = ZERO) -> dict[str, Any]:
        """Sign a DatasetOrder and publish it: what DataProtector's grantAccess does."""
        order = self.sign("DatasetOrder", {
            "dataset": dataset, "datasetprice": 0, "volume": volume, "tag": TEE, "apprestrict": app,
            "workerpoolrestrict": ZERO, "requesterrestrict": requester, "salt": "0x" + os.urandom(32).hex(),
        })  # fmt: skip
        reply = self.market.post(
            "/datasetorders", json={"order": order}, headers={"authorization": self.market_auth()}
        )
        assert reply.status_code == 200, reply.text
        return {**order, "orderHash": reply.json()["published"]["orderHash"]}

    def revoke(self, order: dict[str, Any]) -> bytes:
        """``manageDatasetOrder(CLOSE)`` on chain; returns the hash PoCo's ClosedDatasetOrder names."""
        tx = self.hub.functions.manageDatasetOrder((_order_tuple("DatasetOrder", order), 1, b"")).transact(
            {"from": self.owner.address}
        )
        receipt = self.w3.eth.wait_for_transaction_receipt(tx)
        assert receipt["status"] == 1
        (closed,) = self.hub.events.ClosedDatasetOrder().process_receipt(receipt, errors=DISCARD)
        return bytes(closed["args"]["datasetHash"])

    def run(self, dataset: str, app: str, params: dict[str, Any]) -> bytes:
        """Match the pool's app and workerpool orders with ours; returns the deal's first task id."""
        app_order = self.market.get("/apporders", params={"app": app}).json()["orders"][0]["order"]
        pool = self.market.get("/workerpoolorders", params={"workerpool": self.sandbox.workerpool})
        pool_order = pool.json()["orders"][0]["order"]
        dataset_order = self.sign("DatasetOrder", {
            "dataset": dataset, "datasetprice": 0, "volume": 1, "tag": TEE, "apprestrict": app,
            "workerpoolrestrict": ZERO, "requesterrestrict": self.owner.address,
            "salt": "0x" + os.urandom(32).hex(),
        })  # fmt: skip
        request_order = self.sign("RequestOrder", {
            "app": app, "appmaxprice": 0, "dataset": dataset, "datasetmaxprice": 0,
            "workerpool": self.sandbox.workerpool, "workerpoolmaxprice": 0, "requester": self.owner.address,
            "volume": 1, "tag": TEE, "category": 0, "trust": 0, "beneficiary": self.owner.address,
            "callback": ZERO, "params": json.dumps(params), "salt": "0x" + os.urandom(32).hex(),
        })  # fmt: skip
        tx = self.hub.functions.matchOrders(
            _order_tuple("AppOrder", app_order),
            _order_tuple("DatasetOrder", dataset_order),
            _order_tuple("WorkerpoolOrder", pool_order),
            _order_tuple("RequestOrder", request_order),
        ).transact({"from": self.owner.address})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx)
        assert receipt["status"] == 1
        (matched,) = self.hub.events.OrdersMatched().process_receipt(receipt, errors=DISCARD)
        return bytes(Web3.solidity_keccak(["bytes32", "uint256"], [matched["args"]["dealid"], 0]))

    def pool_record(self, task_id: bytes) -> dict[str, Any]:
        reply = httpx.get(f"{self.sandbox.workerpoolApi}/tasks/0x{task_id.hex()}")
        return dict(reply.json()) if reply.status_code == 200 else {}

    def wait_until_done(self, task_id: bytes, timeout: float = 120) -> dict[str, Any]:
        """The pool's final record of the task: ``contributed`` (and COMPLETED on chain) or ``failed``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            record = self.pool_record(task_id)
            if record.get("state") in ("contributed", "failed"):
                return record
            time.sleep(0.2)
        raise TimeoutError(f"task 0x{task_id.hex()} still running: {self.pool_record(task_id)}")
