"""The task journal: what the scheduler and the task processes know about each task, on disk.

SQLite is shared between the scheduler (in the sandbox process) and each task's worker process, so a
restart of either finds every task where it was: a task is never left hanging, it either resumes or
ends FAILED-to-contribute with a reason the owner can read.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any


class TaskState(StrEnum):
    NEW = "new"  # seen in a deal of our pool, not yet initialized by us
    AUTHORIZED = "authorized"  # initialized, enclave challenge obtained, worker authorization signed
    RUNNING = "running"  # a worker process has it
    CONTRIBUTED = "contributed"  # contributeAndFinalize mined: COMPLETED on chain
    FAILED = "failed"  # the worker gave up; the task becomes claimable after its final deadline


FINAL_STATES = (TaskState.CONTRIBUTED, TaskState.FAILED)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    task_id TEXT PRIMARY KEY,
    deal_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    state TEXT NOT NULL,
    stage TEXT NOT NULL DEFAULT '',
    challenge TEXT NOT NULL DEFAULT '',
    authorization TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    result_location TEXT NOT NULL DEFAULT '',
    pid INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS cursor (id INTEGER PRIMARY KEY CHECK (id = 0), next_block INTEGER NOT NULL);
"""


@dataclass(frozen=True)
class TaskRecord:
    task_id: str
    deal_id: str
    idx: int
    state: TaskState
    stage: str
    challenge: str
    authorization: str
    reason: str
    result_location: str
    pid: int
    attempts: int
    updated: float


class TaskJournal:
    def __init__(self, path: Path) -> None:
        self.path = path
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            with db:
                yield db
        finally:
            db.close()

    def next_block(self) -> int:
        with self._connect() as db:
            row = db.execute("SELECT next_block FROM cursor WHERE id = 0").fetchone()
        return int(row[0]) if row else 0

    def set_next_block(self, block: int) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT INTO cursor (id, next_block) VALUES (0, ?) "
                "ON CONFLICT(id) DO UPDATE SET next_block = excluded.next_block",
                (block,),
            )

    def add(self, task_id: str, deal_id: str, idx: int) -> None:
        """Record a task once; seeing the same deal again (after a restart) changes nothing."""
        with self._connect() as db:
            db.execute(
                "INSERT OR IGNORE INTO tasks (task_id, deal_id, idx, state, updated) VALUES (?, ?, ?, ?, ?)",
                (task_id, deal_id, idx, TaskState.NEW, time.time()),
            )

    def get(self, task_id: str) -> TaskRecord | None:
        with self._connect() as db:
            row = db.execute(f"SELECT {_COLUMNS} FROM tasks WHERE task_id = ?", (task_id,)).fetchone()  # noqa: S608
        return _record(row) if row else None

    def in_state(self, *states: TaskState) -> list[TaskRecord]:
        marks = ",".join("?" * len(states))
        with self._connect() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM tasks WHERE state IN ({marks}) ORDER BY updated",  # noqa: S608
                states,
            ).fetchall()
        return [_record(row) for row in rows]

    def update(self, task_id: str, **fields: str | int) -> None:
        unknown = set(fields) - set(_COLUMNS.split(", "))
        if unknown:
            raise ValueError(f"unknown task fields: {sorted(unknown)}")
        assignments = ", ".join(f"{name} = ?" for name in fields)
        with self._connect() as db:
            db.execute(
                f"UPDATE tasks SET {assignments}, updated = ? WHERE task_id = ?",  # noqa: S608 - names checked above
                (*fields.values(), time.time(), task_id),
            )


_COLUMNS = ", ".join(
    [
        "task_id", "deal_id", "idx", "state", "stage", "challenge", "authorization", "reason",
        "result_location", "pid", "attempts", "updated",
    ]
)  # fmt: skip


def _record(row: tuple[Any, ...]) -> TaskRecord:
    """Columns come in TaskRecord's field order; only the state needs its type back."""
    values = list(row)
    values[3] = TaskState(values[3])
    return TaskRecord(*values)
