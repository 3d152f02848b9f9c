"""The protect journal: one row per protect, advanced step by step (see ``flows.protect``)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, fields
from enum import StrEnum

from desktop_app.core.store.database import Database


class JobState(StrEnum):
    CREATED = "created"  # nothing done yet
    ENCRYPTED = "encrypted"  # encrypted file written, checksum and schema known, key sealed
    UPLOADED = "uploaded"  # the encrypted file is on IPFS
    REGISTERING = "registering"  # createDatasetWithSchema sent, receipt not yet seen
    REGISTERED = "registered"  # the dataset exists on chain
    PROTECTED = "protected"  # the SMS holds the key: done
    FAILED = "failed"  # stopped on an error; retry resumes from the last finished step
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class ProtectJob:
    id: str
    network: str
    owner: str
    name: str
    source: str
    state: JobState
    error: str
    encrypted_path: str
    sealed_key: bytes | None
    checksum: str
    schema: str
    size: int
    cid: str
    tx_hash: str
    dataset: str
    created: float
    updated: float


_COLUMNS = tuple(f.name for f in fields(ProtectJob))


class ProtectJobs:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, network: str, owner: str, name: str, source: str) -> ProtectJob:
        now = time.time()
        job_id = uuid.uuid4().hex
        with self.db.connect() as db:
            db.execute(
                "INSERT INTO protect_jobs (id, network, owner, name, source, state, created, updated) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (job_id, network, owner, name, source, JobState.CREATED, now, now),
            )
        return self.get(job_id)

    def get(self, job_id: str) -> ProtectJob:
        with self.db.connect() as db:
            row = db.execute("SELECT * FROM protect_jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise KeyError(job_id)
        return _job(row)

    def of_owner(self, network: str, owner: str) -> list[ProtectJob]:
        with self.db.connect() as db:
            rows = db.execute(
                "SELECT * FROM protect_jobs WHERE network = ? AND lower(owner) = lower(?) ORDER BY created",
                (network, owner),
            ).fetchall()
        return [_job(row) for row in rows]

    def update(self, job_id: str, **changes: object) -> ProtectJob:
        unknown = set(changes) - set(_COLUMNS)
        if unknown:
            raise ValueError(f"unknown protect job fields: {sorted(unknown)}")
        assignments = ", ".join(f"{name} = ?" for name in changes)
        with self.db.connect() as db:
            db.execute(
                f"UPDATE protect_jobs SET {assignments}, updated = ? WHERE id = ?",  # noqa: S608 - names checked
                (*changes.values(), time.time(), job_id),
            )
        return self.get(job_id)


def _job(row: object) -> ProtectJob:
    values = {name: row[name] for name in _COLUMNS}  # type: ignore[index]
    values["state"] = JobState(values["state"])
    return ProtectJob(**values)
