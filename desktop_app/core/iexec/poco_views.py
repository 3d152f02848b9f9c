"""Typed views of what PoCo's ``viewDeal`` and ``viewTask`` return, so callers never index raw tuples.

Field order follows ``IexecLibCore_v5.Deal`` and ``.Task`` as the hub's ABI declares them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any


class TaskStatus(IntEnum):
    UNSET = 0
    ACTIVE = 1
    REVEALING = 2
    COMPLETED = 3
    FAILED = 4


@dataclass(frozen=True)
class Resource:
    pointer: str
    owner: str
    price: int


@dataclass(frozen=True)
class Deal:
    app: Resource
    dataset: Resource
    workerpool: Resource
    trust: int
    category: int
    tag: bytes
    requester: str
    beneficiary: str
    callback: str
    params: str
    start_time: int
    bot_first: int
    bot_size: int
    worker_stake: int
    scheduler_reward_ratio: int
    sponsor: str

    @classmethod
    def from_tuple(cls, raw: tuple[Any, ...]) -> Deal:
        app, dataset, workerpool = (Resource(*r) for r in raw[:3])
        return cls(app, dataset, workerpool, *raw[3:])

    @property
    def is_tee(self) -> bool:
        return bool(self.tag[31] & 0x01)


@dataclass(frozen=True)
class Contribution:
    """``viewContribution(task, worker)``: what PoCo kept of a worker's result and its enclave."""

    status: int
    result_hash: bytes
    result_seal: bytes
    enclave_challenge: str


@dataclass(frozen=True)
class Task:
    status: TaskStatus
    deal_id: bytes
    idx: int
    time_ref: int
    contribution_deadline: int
    reveal_deadline: int
    final_deadline: int
    consensus_value: bytes
    reveal_counter: int
    winner_counter: int
    contributors: list[str]
    result_digest: bytes
    results: bytes
    results_timestamp: int
    results_callback: bytes

    @classmethod
    def from_tuple(cls, raw: tuple[Any, ...]) -> Task:
        return cls(TaskStatus(raw[0]), *raw[1:])
