"""What one task's worker process works with: the chain, the sandbox's services and stores, a work dir."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from web3 import Web3

from desktop_app.core.iexec.poco_views import Deal
from desktop_app.core.localnet.endpoints import SandboxEndpoints
from desktop_app.sandbox.chain import accounts
from desktop_app.sandbox.chain.deploy import Deployment
from desktop_app.sandbox.parts import Parts
from desktop_app.sandbox.pool.journal import TaskJournal, TaskRecord
from desktop_app.sandbox.sms.store import SecretStore


class TaskFailure(Exception):
    """The task cannot complete; the message is the reason shown to the owner, in plain words."""


def journal_path(data_dir: Path) -> Path:
    return data_dir / "pool" / "tasks.db"


@dataclass
class TaskContext:
    data_dir: Path
    record: TaskRecord
    journal: TaskJournal
    endpoints: SandboxEndpoints
    w3: Web3
    hub: Any
    parts: Parts
    secrets: SecretStore
    deal: Deal
    worker: str

    @property
    def task_id(self) -> bytes:
        return bytes.fromhex(self.record.task_id[2:])

    @property
    def workdir(self) -> Path:
        return self.data_dir / "pool" / "work" / self.record.task_id

    def stage(self, name: str) -> None:
        self.journal.update(self.record.task_id, stage=name)

    def contract(self, address: str, artifact: str) -> Any:
        abi = self.parts.poco_artifact(artifact)["abi"]
        return self.w3.eth.contract(address=Web3.to_checksum_address(address), abi=abi)

    @classmethod
    def load(cls, data_dir: Path, task_id: str) -> TaskContext:
        journal = TaskJournal(journal_path(data_dir))
        record = journal.get(task_id)
        if record is None:
            raise TaskFailure(f"task {task_id} is not in the pool's journal")
        endpoints = SandboxEndpoints.read(data_dir)
        parts = Parts.locate()
        deployment = Deployment.load(data_dir / "chain" / "deployment.json")
        w3 = Web3(Web3.HTTPProvider(endpoints.rpc, request_kwargs={"timeout": 60}))
        hub = w3.eth.contract(
            address=Web3.to_checksum_address(deployment.hub),
            abi=parts.poco_artifact("IexecInterfaceNative")["abi"],
        )
        deal = Deal.from_tuple(hub.functions.viewDeal(bytes.fromhex(record.deal_id[2:])).call())
        worker = accounts.dev_account(accounts.WORKER).address
        return cls(
            data_dir, record, journal, endpoints, w3, hub, parts, SecretStore(data_dir / "sms"), deal, worker
        )
