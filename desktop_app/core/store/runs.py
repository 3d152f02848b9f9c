"""The runs the owner started: followed until they end, listed, and verified later."""

from __future__ import annotations

import time
from dataclasses import dataclass, fields

from desktop_app.core.store.database import Database


@dataclass(frozen=True)
class RunRecord:
    task_id: str
    deal_id: str
    network: str
    requester: str
    dataset: str
    app: str
    status: str  # ACTIVE, COMPLETED, FAILED or TIMEOUT
    reason: str
    result_path: str
    created: float
    updated: float


_COLUMNS = tuple(f.name for f in fields(RunRecord))


class Runs:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, task_id: str, deal_id: str, network: str, requester: str, dataset: str, app: str) -> None:
        now = time.time()
        with self.db.connect() as db:
            db.execute(
                "INSERT OR IGNORE INTO runs (task_id, deal_id, network, requester, dataset, app, status,"
                " created, updated) VALUES (?, ?, ?, ?, ?, ?, 'ACTIVE', ?, ?)",
                (task_id, deal_id, network, requester, dataset, app, now, now),
            )

    def update(self, task_id: str, *, status: str | None = None, reason: str | None = None,
               result_path: str | None = None) -> None:  # fmt: skip
        changes = {
            k: v
            for k, v in {"status": status, "reason": reason, "result_path": result_path}.items()
            if v is not None
        }
        assignments = ", ".join(f"{name} = ?" for name in changes)
        with self.db.connect() as db:
            db.execute(
                f"UPDATE runs SET {assignments}, updated = ? WHERE task_id = ?",  # noqa: S608 - fixed names
                (*changes.values(), time.time(), task_id),
            )

    def get(self, task_id: str) -> RunRecord | None:
        with self.db.connect() as db:
            row = db.execute("SELECT * FROM runs WHERE task_id = ?", (task_id.lower(),)).fetchone()
        return RunRecord(**{name: row[name] for name in _COLUMNS}) if row else None

    def of(self, network: str, requester: str) -> list[RunRecord]:
        with self.db.connect() as db:
            rows = db.execute(
                "SELECT * FROM runs WHERE network = ? AND lower(requester) = lower(?) ORDER BY created DESC",
                (network, requester),
            ).fetchall()
        return [RunRecord(**{name: row[name] for name in _COLUMNS}) for row in rows]
