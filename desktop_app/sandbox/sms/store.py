"""The sandbox SMS's own store: every secret encrypted at rest, in SQLite, surviving restarts.

Like the real SMS, which AES-encrypts secrets before writing them to its database, the store never writes
a secret value in clear. Each value is sealed with AES-256-GCM under a sandbox master key, with the row's
identity (kind, scope, name) as associated data: a row copied onto another row's identity (say, one
dataset's key moved under another dataset) fails authentication instead of decrypting.

The master key is 32 random bytes in ``sms-master.key`` (mode 0600) beside the database, created on first
start. Keeping it in a file rather than taking it from the caller means a restarted sandbox, or the
sandbox worker opening the same folder from another process, finds it without anyone passing it around.
It protects the database against being read on its own (copied, backed up, attached to a bug report);
it cannot protect against someone who can read the whole folder, which on a user's own machine is as far
as a key without a password can go.

Each operation opens its own SQLite connection: the store is used from the server's event-loop thread, from
the test thread that built it, and from the worker's process, and SQLite's file locking serialises them.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from enum import StrEnum
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eth_account import Account
from eth_typing import ChecksumAddress

MASTER_KEY_FILE = "sms-master.key"
DATABASE_FILE = "sms.sqlite3"
_NONCE_BYTES = 12

_SCHEMA = """
CREATE TABLE IF NOT EXISTS secrets (
    kind TEXT NOT NULL,
    scope TEXT NOT NULL,
    name TEXT NOT NULL,
    nonce BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    PRIMARY KEY (kind, scope, name)
)
"""


class SecretKind(StrEnum):
    """The families of secrets the SMS keeps; ``scope`` is the address (or task id) each belongs to."""

    WEB3 = "web3"  # a dataset's AES key; scope = dataset address, name = ""
    WEB2 = "web2"  # an account's named secret (result-encryption key, storage token); scope = owner
    REQUESTER = "requester"  # a requester's app secret; scope = requester address
    TEE_CHALLENGE = "tee-challenge"  # a task's enclave-challenge private key; scope = task id


class SecretStore:
    """Encrypted secrets of one sandbox, kept in ``store_dir``.

    Scopes are hex (addresses, task ids) and are lowercased here, so ``0xAbC…`` and ``0xabc…`` name the
    same secret whoever calls; names are case-sensitive, as in the real SMS.
    """

    def __init__(self, store_dir: Path) -> None:
        store_dir.mkdir(parents=True, exist_ok=True)
        self._database = store_dir / DATABASE_FILE
        self._aead = AESGCM(_load_or_create_master_key(store_dir / MASTER_KEY_FILE))
        with self._connect() as db:
            db.execute(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One short transaction: commits on success, rolls back on error, always closes."""
        with closing(sqlite3.connect(self._database, timeout=30)) as db, db:
            yield db

    def _seal(self, kind: SecretKind, scope: str, name: str, value: bytes) -> tuple[bytes, bytes]:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        return nonce, self._aead.encrypt(nonce, value, _identity(kind, scope, name))

    def has(self, kind: SecretKind, scope: str, name: str = "") -> bool:
        with self._connect() as db:
            row = db.execute(
                "SELECT 1 FROM secrets WHERE kind = ? AND scope = ? AND name = ?", (kind, scope.lower(), name)
            ).fetchone()
        return row is not None

    def add(self, kind: SecretKind, scope: str, name: str, value: bytes) -> bool:
        """Store a new secret; False (and nothing changes) if one already exists under that identity.

        The primary key decides, not a prior lookup, so two concurrent pushes cannot both succeed.
        """
        scope = scope.lower()
        nonce, ciphertext = self._seal(kind, scope, name, value)
        try:
            with self._connect() as db:
                db.execute(
                    "INSERT INTO secrets (kind, scope, name, nonce, ciphertext) VALUES (?, ?, ?, ?, ?)",
                    (kind, scope, name, nonce, ciphertext),
                )
        except sqlite3.IntegrityError:
            return False
        return True

    def update(self, kind: SecretKind, scope: str, name: str, value: bytes) -> bool:
        """Replace an existing secret's value (fresh nonce); False if there is none to replace."""
        scope = scope.lower()
        nonce, ciphertext = self._seal(kind, scope, name, value)
        with self._connect() as db:
            cursor = db.execute(
                "UPDATE secrets SET nonce = ?, ciphertext = ? WHERE kind = ? AND scope = ? AND name = ?",
                (nonce, ciphertext, kind, scope, name),
            )
        return cursor.rowcount == 1

    def get(self, kind: SecretKind, scope: str, name: str = "") -> bytes | None:
        """The decrypted value, or None. This is how the sandbox worker reads what the SMS provisions."""
        scope = scope.lower()
        with self._connect() as db:
            row = db.execute(
                "SELECT nonce, ciphertext FROM secrets WHERE kind = ? AND scope = ? AND name = ?",
                (kind, scope, name),
            ).fetchone()
        if row is None:
            return None
        nonce, ciphertext = row
        value: bytes = self._aead.decrypt(nonce, ciphertext, _identity(kind, scope, name))
        return value

    def challenge_for(self, task_id: str) -> ChecksumAddress:
        """The address of ``task_id``'s enclave-challenge key, created on first request.

        Idempotent, as the scheduler may ask again after a restart: a second request (even a concurrent
        one) gets the address of the key stored first, never a new key.
        """
        self.add(SecretKind.TEE_CHALLENGE, task_id, "", secrets.token_bytes(32))
        address: ChecksumAddress = Account.from_key(self.challenge_key(task_id)).address
        return address

    def challenge_key(self, task_id: str) -> bytes:
        """The enclave-challenge private key of ``task_id``, for the sandbox worker's simulated enclave.

        It is never served over HTTP: in the real network only an attested enclave receives it.
        Raises KeyError when no challenge was created for that task.
        """
        key = self.get(SecretKind.TEE_CHALLENGE, task_id)
        if key is None:
            raise KeyError(f"no enclave challenge was created for task {task_id}")
        return key


def _identity(kind: SecretKind, scope: str, name: str) -> bytes:
    """The associated data binding a ciphertext to its row; JSON keeps the three parts unambiguous."""
    return json.dumps([str(kind), scope, name]).encode()


def _load_or_create_master_key(path: Path) -> bytes:
    """Read the master key, creating it (0600) on first start.

    ``O_EXCL`` guarantees an existing key is never overwritten: a new key would make every stored secret
    undecryptable. The sandbox opens the store in its SMS before it starts the worker that shares it.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_bytes()
    else:
        key = secrets.token_bytes(32)
        with os.fdopen(fd, "wb") as out:
            out.write(key)
    if len(key) != 32:
        raise ValueError(f"{path} is not a 32-byte SMS master key ({len(key)} bytes); it may be damaged")
    return key
