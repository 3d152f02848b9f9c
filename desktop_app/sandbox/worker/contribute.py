"""Sign the result with the enclave challenge key and finalize the task on chain (spec §5, PoCo §3).

``resultHash = keccak256(taskid ‖ digest)``, ``resultSeal = keccak256(worker ‖ taskid ‖ digest)`` and
``enclaveSign = personal_sign_challenge(keccak256(resultHash ‖ resultSeal))``; PoCo recomputes all three
in ``contributeAndFinalize`` and checks both signatures before it marks the task COMPLETED.
"""

from __future__ import annotations

import time

from eth_account import Account
from eth_account.messages import encode_defunct
from web3 import Web3

from desktop_app.core.iexec.poco_views import Task, TaskStatus
from desktop_app.sandbox.worker.context import TaskContext, TaskFailure


def enclave_signature(challenge_key: bytes, task_id: bytes, worker: str, digest: bytes) -> bytes:
    result_hash = Web3.solidity_keccak(["bytes32", "bytes32"], [task_id, digest])
    result_seal = Web3.solidity_keccak(["address", "bytes32", "bytes32"], [worker, task_id, digest])
    message = Web3.solidity_keccak(["bytes32", "bytes32"], [result_hash, result_seal])
    return bytes(Account.sign_message(encode_defunct(primitive=message), challenge_key).signature)


def already_contributed(ctx: TaskContext) -> bool:
    """A worker killed after its transaction was mined finds the task done when it resumes."""
    task = Task.from_tuple(ctx.hub.functions.viewTask(ctx.task_id).call())
    return task.status == TaskStatus.COMPLETED and ctx.worker in task.contributors


def check_still_open(ctx: TaskContext) -> None:
    task = Task.from_tuple(ctx.hub.functions.viewTask(ctx.task_id).call())
    if task.status != TaskStatus.ACTIVE:
        raise TaskFailure(f"the task is {task.status.name} on chain; it can no longer receive a result")
    if time.time() >= task.contribution_deadline:
        raise TaskFailure("the task passed its contribution deadline before the result was ready")


def contribute(ctx: TaskContext, digest: bytes, location: str) -> None:
    challenge_key = ctx.secrets.challenge_key(ctx.record.task_id)
    if Account.from_key(challenge_key).address.lower() != ctx.record.challenge.lower():
        raise TaskFailure("the SMS's challenge key does not match the task's enclave challenge")
    results = f'{{ "storage": "ipfs", "location": "{location}" }}'.encode()
    call = ctx.hub.functions.contributeAndFinalize(
        ctx.task_id,
        digest,
        results,
        b"",
        Web3.to_checksum_address(ctx.record.challenge),
        enclave_signature(challenge_key, ctx.task_id, ctx.worker, digest),
        bytes.fromhex(ctx.record.authorization[2:]),
    )
    receipt = ctx.w3.eth.wait_for_transaction_receipt(call.transact({"from": ctx.worker}), timeout=60)
    if receipt["status"] != 1:
        raise TaskFailure("the chain refused the result (contributeAndFinalize reverted)")
