"""A full TEE task on the sandbox pool, driven by hand over the protocol, with no app code.

Protect a file, sign the orders (the pool's app and workerpool orders come signed from the market),
match them, wait for COMPLETED, then check everything a data owner can check: the decrypted result's
digest is the one on chain, the enclave signature comes from the task's enclave challenge, the worker
authorization from the pool owner, and the quote's REPORTDATA binds that challenge to that digest.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import padding
from eth_account import Account
from eth_account.messages import encode_defunct
from web3 import Web3

from desktop_app.core.localnet.endpoints import SandboxEndpoints
from tests.support.by_hand import ByHand, aes_cbc_decrypt

pytestmark = pytest.mark.slow


def test_a_protected_file_runs_in_the_pool_and_every_proof_checks_out(sandbox: SandboxEndpoints) -> None:
    me = ByHand(sandbox, Account.from_key(sandbox.devAccounts[2].privateKey))
    content = b"date,amount\n2026-11-01,12.5\n2026-11-02,7\n"
    dataset = me.protect({"file": content})
    result_key = me.push_result_key()
    app = me.app_named("File statistics")
    task_id = me.run(dataset, app, {"iexec_result_storage_provider": "ipfs", "iexec_result_encryption": True})

    record = me.wait_until_done(task_id)
    assert record["state"] == "contributed", record["reason"]
    task = me.hub.functions.viewTask(task_id).call()
    assert task[0] == 3  # COMPLETED
    result_digest, results = bytes(task[11]), json.loads(task[12])
    assert results["storage"] == "ipfs"

    # The result downloads and decrypts, and its digest is the one on chain.
    archive = zipfile.ZipFile(io.BytesIO(httpx.get(f"{sandbox.ipfsGateway}{results['location']}").content))
    aes_key = result_key.decrypt(archive.read("aes-key.rsa"), padding.PKCS1v15())
    inner = zipfile.ZipFile(io.BytesIO(aes_cbc_decrypt(aes_key, archive.read("iexec_out.zip.aes"))))
    output_name = json.loads(inner.read("computed.json"))["deterministic-output-path"].rsplit("/", 1)[1]
    output = inner.read(output_name)
    assert hashlib.sha256(output).digest() == result_digest
    (stats,) = json.loads(output)["files"]
    assert stats["sha256"] == hashlib.sha256(content).hexdigest()
    assert stats["lines"] == 3

    # The signatures, taken from the contributeAndFinalize transaction itself.
    (finalize,) = me.hub.events.TaskFinalize().get_logs(argument_filters={"taskid": task_id}, from_block=0)
    tx = me.w3.eth.get_transaction(finalize["transactionHash"])
    _, args = me.hub.decode_function_input(tx["input"])
    worker, challenge = tx["from"], args["enclaveChallenge"]
    result_hash = Web3.solidity_keccak(["bytes32", "bytes32"], [task_id, result_digest])
    result_seal = Web3.solidity_keccak(["address", "bytes32", "bytes32"], [worker, task_id, result_digest])
    sealed = Web3.solidity_keccak(["bytes32", "bytes32"], [result_hash, result_seal])
    assert (
        Account.recover_message(encode_defunct(primitive=sealed), signature=args["enclaveSign"]) == challenge
    )
    authorization = Web3.solidity_keccak(["address", "bytes32", "address"], [worker, task_id, challenge])
    pool_owner = me.hub.functions.viewWorkerpool(sandbox.workerpool).call()[0]
    authorizer = Account.recover_message(
        encode_defunct(primitive=authorization), signature=args["authorizationSign"]
    )
    assert authorizer == pool_owner

    # The quote (TDX v4) binds the challenge and the digest, and measures the registered app.
    quote = archive.read("attestation/quote.bin")
    assert int.from_bytes(quote[0:2], "little") == 4
    assert quote[4:8] == bytes.fromhex("81000000")
    assert quote[568:632] == hashlib.sha256(bytes.fromhex(challenge[2:]) + result_digest).digest() + bytes(32)
    assert quote[184:232] == bytes(me.hub.functions.viewApp(app).call()[4]) + bytes(16)
    assert json.loads(archive.read("attestation/collateral.json"))["tcb_info"]
