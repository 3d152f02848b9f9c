"""One SQLite file for everything the app remembers, upgraded in place by numbered migrations.

Each migration runs once, in order, inside a transaction, and ``PRAGMA user_version`` records how far a
file has come, so an old file opened by a new app is upgraded and a new file is built the same way. A
connection per operation keeps the store safe to use from the worker threads flows run on.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from desktop_app.core.errors import UserFacingError
from desktop_app.core.paths import app_data_dir

MIGRATIONS: tuple[str, ...] = (
    # 1: the protect journal. Every step a protect reaches is written here before the next starts, so
    # a crash or a dead service resumes from the last finished step. The dataset key waits here,
    # sealed under the owner's account (core.wallet.sealing), only until the SMS has it.
    """
    CREATE TABLE protect_jobs (
        id TEXT PRIMARY KEY,
        network TEXT NOT NULL,
        owner TEXT NOT NULL,
        name TEXT NOT NULL,
        source TEXT NOT NULL,
        state TEXT NOT NULL,
        error TEXT NOT NULL DEFAULT '',
        encrypted_path TEXT NOT NULL DEFAULT '',
        sealed_key BLOB,
        checksum TEXT NOT NULL DEFAULT '',
        schema TEXT NOT NULL DEFAULT '',
        size INTEGER NOT NULL DEFAULT 0,
        cid TEXT NOT NULL DEFAULT '',
        tx_hash TEXT NOT NULL DEFAULT '',
        dataset TEXT NOT NULL DEFAULT '',
        created REAL NOT NULL,
        updated REAL NOT NULL
    );
    CREATE INDEX protect_jobs_owner ON protect_jobs (network, owner);
    CREATE TABLE activity (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at REAL NOT NULL,
        network TEXT NOT NULL,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    """,
    # 2: runs, so the app can follow, list and verify its tasks after a restart.
    """
    CREATE TABLE runs (
        task_id TEXT PRIMARY KEY,
        deal_id TEXT NOT NULL,
        network TEXT NOT NULL,
        requester TEXT NOT NULL,
        dataset TEXT NOT NULL,
        app TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        result_path TEXT NOT NULL DEFAULT '',
        created REAL NOT NULL,
        updated REAL NOT NULL
    );
    """,
    # 3: Intel collateral per platform (core.store.collateral_cache), kept as served so quotes verify
    # offline. The body is re-verified on every use; next_update only dates it for display and decides
    # which of two bundles for one key to keep.
    """
    CREATE TABLE collateral_cache (
        tee TEXT NOT NULL CHECK (tee IN ('sgx', 'tdx')),
        fmspc TEXT NOT NULL,
        ca TEXT NOT NULL CHECK (ca IN ('processor', 'platform')),
        body TEXT NOT NULL,
        fetched_at REAL NOT NULL,
        next_update REAL NOT NULL,
        PRIMARY KEY (tee, fmspc, ca)
    );
    """,
)


def default_path() -> Path:
    return app_data_dir() / "app.sqlite3"


class Database:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._migrate()

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        db.row_factory = sqlite3.Row
        try:
            with db:
                yield db
        finally:
            db.close()

    def _migrate(self) -> None:
        try:
            with self.connect() as db:
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version > len(MIGRATIONS):
                    raise UserFacingError(
                        f"The app's data file {self.path} was written by a newer version of the app.",
                        "update the app, or move that file aside to start afresh",
                    )
                for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                    db.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")
        except sqlite3.DatabaseError as e:
            raise UserFacingError(
                f"The app's data file {self.path} is unreadable ({e}).",
                "move it aside to start afresh; your protected data stays on the network",
            ) from e
