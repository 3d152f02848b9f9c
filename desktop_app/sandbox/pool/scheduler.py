"""The pool's scheduler: finds the tasks of deals matched on our pool, prepares them, runs their workers.

For each task it does what iExec's scheduler (iexec-core) does for a TEE task: ``initialize`` it on chain,
ask the SMS for the task's enclave challenge (signed by the pool owner), and sign the worker authorization
``keccak256(worker ‖ taskid ‖ challenge)`` with EIP-191. Then it starts one worker process per task and
watches it: a worker that dies is restarted (the worker resumes), up to ``MAX_ATTEMPTS`` times.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import subprocess
from collections.abc import Callable
from pathlib import Path

import httpx
import psutil
from eth_account.messages import encode_defunct
from web3 import AsyncWeb3

from desktop_app.core.iexec.poco_views import Deal, Task, TaskStatus
from desktop_app.core.iexec.sms_auth import sign_challenge, tee_challenge_request_hash
from desktop_app.core.localnet.files import LOG_FILE
from desktop_app.frozen import module_argv
from desktop_app.sandbox.chain import accounts
from desktop_app.sandbox.chain.view import ChainView
from desktop_app.sandbox.pool.journal import TaskJournal, TaskRecord, TaskState
from desktop_app.sandbox.pool.setup import Pool

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
WORKER_MODULE = "desktop_app.sandbox.worker"
ORDERS_MATCHED = "0x" + AsyncWeb3.keccak(
    text="OrdersMatched(bytes32,bytes32,bytes32,bytes32,bytes32,uint256)"
).hex().removeprefix("0x")


def worker_authorization(worker: str, task_id: bytes, challenge: str) -> str:
    """The pool owner's EIP-191 signature PoCo checks in ``contributeAndFinalize`` (spec §5)."""
    digest = AsyncWeb3.solidity_keccak(["address", "bytes32", "address"], [worker, task_id, challenge])
    scheduler = accounts.dev_account(accounts.SCHEDULER)
    return "0x" + bytes(scheduler.sign_message(encode_defunct(primitive=digest)).signature).hex()


def launch_worker(data_dir: Path, task_id: str) -> int:
    """One process per task, detached from the scheduler's lifetime only through the journal."""
    with (data_dir / LOG_FILE).open("ab") as log_file:
        process = subprocess.Popen(
            module_argv(WORKER_MODULE, "--data-dir", str(data_dir), "--task", task_id),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    return process.pid


def worker_alive(pid: int) -> bool:
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            process.wait(0)  # reap it: our child
            return False
        return any(WORKER_MODULE in part for part in process.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.TimeoutExpired):
        return False


class Scheduler:
    def __init__(
        self,
        data_dir: Path,
        chain: ChainView,
        pool: Pool,
        journal: TaskJournal,
        sms_url: str,
        launch: Callable[[Path, str], int] = launch_worker,
        poll_interval: float = 0.3,
    ) -> None:
        self.data_dir = data_dir
        self.chain = chain
        self.pool = pool
        self.journal = journal
        self.sms_url = sms_url
        self.launch = launch
        self.poll_interval = poll_interval
        self.scheduler = accounts.dev_account(accounts.SCHEDULER)
        self.worker = accounts.dev_account(accounts.WORKER).address

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.discover()
                await self.prepare()
                self.supervise()
            except Exception:  # the loop must survive a dead RPC or SMS: it retries at the next tick
                log.exception("scheduler tick failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.poll_interval)

    async def discover(self) -> None:
        """Record every task of every deal matched on our pool since the last block we read."""
        latest = await self.chain.w3.eth.block_number
        start = self.journal.next_block()
        if start > latest:
            return
        logs = await self.chain.w3.eth.get_logs(
            {
                "address": self.chain.hub.address,
                "topics": [ORDERS_MATCHED],
                "fromBlock": start,
                "toBlock": latest,
            }
        )
        for entry in logs:
            deal_id = bytes(self.chain.hub.events.OrdersMatched().process_log(entry)["args"]["dealid"])
            deal = Deal.from_tuple(await self.chain.call("viewDeal", deal_id))
            if AsyncWeb3.to_checksum_address(deal.workerpool.pointer) != self.pool.workerpool:
                continue
            for idx in range(deal.bot_first, deal.bot_first + deal.bot_size):
                task_id = AsyncWeb3.solidity_keccak(["bytes32", "uint256"], [deal_id, idx])
                self.journal.add("0x" + bytes(task_id).hex(), "0x" + deal_id.hex(), idx)
        self.journal.set_next_block(latest + 1)

    async def prepare(self) -> None:
        for record in self.journal.in_state(TaskState.NEW):
            await self._prepare(record)

    async def _prepare(self, record: TaskRecord) -> None:
        task_id = bytes.fromhex(record.task_id[2:])
        task = Task.from_tuple(await self.chain.call("viewTask", task_id))
        if task.status == TaskStatus.UNSET:
            deal_id = bytes.fromhex(record.deal_id[2:])
            sent = await self.chain.hub.functions.initialize(deal_id, record.idx).transact(
                {"from": self.scheduler.address}
            )
            receipt = await self.chain.w3.eth.wait_for_transaction_receipt(sent)
            if receipt["status"] != 1:
                self.journal.update(record.task_id, state=TaskState.FAILED, reason="initialize reverted")
                return
        elif task.status != TaskStatus.ACTIVE:
            self.journal.update(
                record.task_id, state=TaskState.FAILED, reason=f"task is {task.status.name} on chain"
            )
            return
        header = sign_challenge(tee_challenge_request_hash(task_id), self.scheduler)
        async with httpx.AsyncClient(timeout=30) as client:
            reply = await client.post(
                f"{self.sms_url}/tee/challenges/{record.task_id}", headers={"Authorization": header}
            )
        if reply.status_code != 200:
            raise RuntimeError(f"the SMS refused the enclave challenge ({reply.status_code}): {reply.text}")
        challenge = reply.text.strip()
        self.journal.update(
            record.task_id,
            state=TaskState.AUTHORIZED,
            challenge=challenge,
            authorization=worker_authorization(self.worker, task_id, challenge),
        )

    def supervise(self) -> None:
        """Start workers for prepared tasks; restart the ones that died before finishing."""
        for record in self.journal.in_state(TaskState.AUTHORIZED, TaskState.RUNNING):
            if record.state == TaskState.RUNNING and worker_alive(record.pid):
                continue
            if record.attempts >= MAX_ATTEMPTS:
                self.journal.update(
                    record.task_id,
                    state=TaskState.FAILED,
                    reason=f"the worker stopped {record.attempts} times before finishing ({record.stage})",
                )
                continue
            pid = self.launch(self.data_dir, record.task_id)
            self.journal.update(
                record.task_id, state=TaskState.RUNNING, pid=pid, attempts=record.attempts + 1
            )

    def stop_workers(self) -> None:
        """On ``sandbox down``: stop running workers; the journal makes them resume at the next ``up``."""
        for record in self.journal.in_state(TaskState.RUNNING):
            if worker_alive(record.pid):
                psutil.Process(record.pid).terminate()
