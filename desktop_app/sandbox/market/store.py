"""The sandbox market's state in one SQLite file: order book, pending login challenges, watcher cursor.

Everything the market knows must survive a restart of the sandbox, as the public market's database does:
published orders (with the remaining volume and status the watcher keeps up to date), challenges handed
out but not used yet, and the last block whose events were applied, so a restarted watcher resumes there
instead of missing the cancellations that happened while it was down.

Order books are small here (one user's sandbox), so SQLite only selects one book's open orders and the
order-book filters (restrictions, tag bitmasks, category, trust) run in Python on the parsed JSON, where
they read like the market API's own rules. uint256 values are kept as decimal text: SQLite's integers
stop at 2^63.

Each operation opens its own short connection, as the SMS store does, so the store can be built on one
thread and used on the server's event-loop thread.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from desktop_app.core.iexec.orders import NULL_ADDRESS
from desktop_app.sandbox.chain.view import AssetKind

_SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    order_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    asset TEXT NOT NULL,
    signer TEXT NOT NULL,
    status TEXT NOT NULL,
    remaining TEXT NOT NULL,
    published_at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_by_book ON orders (kind, status, asset);
CREATE TABLE IF NOT EXISTS challenges (
    digest TEXT PRIMARY KEY,
    address TEXT NOT NULL,
    chain_id INTEGER NOT NULL,
    nonce TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS cursor (
    name TEXT PRIMARY KEY,
    block INTEGER NOT NULL
);
"""
_SELECT_ORDERS = "SELECT order_hash, kind, signer, status, remaining, published_at, body FROM orders"
_WATCHER_CURSOR = "watcher"


class OrderStatus(StrEnum):
    """The market API's spelling (iexec-market-api ``STATUS_MAP``); its fourth status, ``dead``, only
    applies to request orders, which this market does not take."""

    OPEN = "open"
    FILLED = "filled"
    CANCELED = "canceled"


class DuplicateOrder(Exception):
    """An order with this hash is already in the book."""


@dataclass(frozen=True)
class PublishedOrder:
    """One order-book entry: the signed order as published and what the market knows about it since."""

    order_hash: str
    kind: AssetKind
    order: dict[str, Any]
    signer: str
    remaining: int
    status: OrderStatus
    published_at: str

    @property
    def asset(self) -> str:
        address: str = self.order[self.kind]
        return address

    @property
    def price(self) -> int:
        return int(self.order[f"{self.kind}price"])


@dataclass(frozen=True)
class Restriction:
    """A filter on one ``*restrict`` field: ``value`` None keeps public orders only (restriction 0x0);
    an address keeps orders restricted to it, and also public ones unless ``strict``."""

    field: str
    value: str | None
    strict: bool = False

    def matches(self, order: dict[str, Any]) -> bool:
        restrict = order[self.field]
        if self.value is None:
            return bool(restrict == NULL_ADDRESS)
        return bool(restrict == self.value or (not self.strict and restrict == NULL_ADDRESS))


@dataclass(frozen=True)
class OrderQuery:
    """The order-book filters of ``GET /<kind>orders``; a None field does not filter."""

    kind: AssetKind
    asset: str | None = None
    signer: str | None = None
    restrictions: tuple[Restriction, ...] = ()
    min_tag: int = 0
    max_tag: int | None = None
    category: int | None = None
    min_trust: int = 0
    min_volume: int = 1
    bulk_only: bool = False

    def matches(self, entry: PublishedOrder) -> bool:
        order = entry.order
        tag = int(order["tag"], 16)
        return (
            (self.signer is None or entry.signer == self.signer)
            and all(r.matches(order) for r in self.restrictions)
            and tag & self.min_tag == self.min_tag
            and (self.max_tag is None or tag & ~self.max_tag == 0)
            and (self.category is None or int(order["category"]) == self.category)
            and int(order.get("trust", 0)) >= self.min_trust
            and entry.remaining >= self.min_volume
            and (not self.bulk_only or is_bulk_dataset_order(order))
        )


@dataclass(frozen=True)
class Challenge:
    """A login challenge handed out by ``GET /challenge`` and not used yet."""

    address: str
    chain_id: int
    nonce: str


BULK_VOLUME = 2**53 - 1
"""DataProtector's "unlimited" volume for bulk grants (JavaScript's MAX_SAFE_INTEGER)."""


def is_bulk_dataset_order(order: dict[str, Any]) -> bool:
    """A free order usable by any number of tasks: the market API accepts one less than the bulk volume
    too, for orders signed before the SDK settled on 2^53-1."""
    return int(order["volume"]) >= BULK_VOLUME - 1 and int(order["datasetprice"]) == 0


class MarketStore:
    """The market's SQLite file at ``path``, created with its tables on first use."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One short transaction: commits on success, rolls back on error, always closes."""
        with closing(sqlite3.connect(self._path, timeout=30)) as db, db:
            yield db

    # Orders

    def add_order(self, entry: PublishedOrder) -> None:
        try:
            with self._connect() as db:
                db.execute(
                    "INSERT INTO orders"
                    " (order_hash, kind, asset, signer, status, remaining, published_at, body)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        entry.order_hash,
                        entry.kind,
                        entry.asset,
                        entry.signer,
                        entry.status,
                        str(entry.remaining),
                        entry.published_at,
                        json.dumps(entry.order),
                    ),
                )
        except sqlite3.IntegrityError as e:
            raise DuplicateOrder(entry.order_hash) from e

    def get_order(self, order_hash: str) -> PublishedOrder | None:
        with self._connect() as db:
            row = db.execute(_SELECT_ORDERS + " WHERE order_hash = ?", (order_hash,)).fetchone()
        return _entry(row) if row else None

    def find_open(self, query: OrderQuery) -> list[PublishedOrder]:
        """Open orders matching ``query``, cheapest first, then oldest first (the market API's order)."""
        sql = _SELECT_ORDERS + " WHERE kind = ? AND status = ?"
        args: list[str] = [query.kind, OrderStatus.OPEN]
        if query.asset is not None:
            sql += " AND asset = ?"
            args.append(query.asset)
        with self._connect() as db:
            entries = [_entry(row) for row in db.execute(sql, args)]
        matching = [entry for entry in entries if query.matches(entry)]
        return sorted(matching, key=lambda e: (e.price, e.published_at, e.order_hash))

    def latest_open(self, kind: AssetKind, asset: str, signer: str) -> list[PublishedOrder]:
        """The open orders ``signer`` published for ``asset``, most recent first (for unpublishing)."""
        with self._connect() as db:
            rows = db.execute(
                _SELECT_ORDERS + " WHERE kind = ? AND asset = ? AND signer = ? AND status = ?"
                " ORDER BY published_at DESC, rowid DESC",
                (kind, asset, signer, OrderStatus.OPEN),
            ).fetchall()
        return [_entry(row) for row in rows]

    def count_open(self, kind: AssetKind, signer: str) -> int:
        with self._connect() as db:
            (count,) = db.execute(
                "SELECT COUNT(*) FROM orders WHERE kind = ? AND signer = ? AND status = ?",
                (kind, signer, OrderStatus.OPEN),
            ).fetchone()
        return int(count)

    def delete_orders(self, order_hashes: Iterable[str]) -> None:
        """Unpublishing removes orders outright, as the market API does; the chain keeps the truth."""
        with self._connect() as db:
            db.executemany("DELETE FROM orders WHERE order_hash = ?", [(h,) for h in order_hashes])

    def cancel(self, order_hash: str) -> None:
        """A ``Closed*Order`` event: nothing is left to consume, whatever the order's state was."""
        with self._connect() as db:
            db.execute(
                "UPDATE orders SET status = ?, remaining = '0' WHERE order_hash = ?",
                (OrderStatus.CANCELED, order_hash),
            )

    def set_remaining(self, order_hash: str, remaining: int) -> None:
        """After a match: an open order with nothing left becomes filled; closed orders stay as they are."""
        status = OrderStatus.OPEN if remaining > 0 else OrderStatus.FILLED
        with self._connect() as db:
            db.execute(
                "UPDATE orders SET remaining = ?, status = ? WHERE order_hash = ? AND status = ?",
                (str(remaining), status, order_hash, OrderStatus.OPEN),
            )

    # Challenges

    def add_challenge(self, digest: str, challenge: Challenge, now: float, ttl: float) -> None:
        """Store a new challenge valid for ``ttl`` seconds, and forget expired ones so they cannot pile up."""
        with self._connect() as db:
            db.execute("DELETE FROM challenges WHERE expires_at <= ?", (now,))
            db.execute(
                "INSERT OR REPLACE INTO challenges (digest, address, chain_id, nonce, expires_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (digest, challenge.address, challenge.chain_id, challenge.nonce, now + ttl),
            )

    def find_challenge(self, digest: str, now: float) -> Challenge | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT address, chain_id, nonce FROM challenges WHERE digest = ? AND expires_at > ?",
                (digest, now),
            ).fetchone()
        return Challenge(*row) if row else None

    def consume_challenge(self, digest: str) -> bool:
        """Delete the challenge; False when another request used it first (a replay)."""
        with self._connect() as db:
            return db.execute("DELETE FROM challenges WHERE digest = ?", (digest,)).rowcount == 1

    # Watcher cursor

    def last_block(self) -> int | None:
        with self._connect() as db:
            row = db.execute("SELECT block FROM cursor WHERE name = ?", (_WATCHER_CURSOR,)).fetchone()
        return int(row[0]) if row else None

    def set_last_block(self, block: int) -> None:
        with self._connect() as db:
            db.execute("INSERT OR REPLACE INTO cursor (name, block) VALUES (?, ?)", (_WATCHER_CURSOR, block))


def _entry(row: tuple[Any, ...]) -> PublishedOrder:
    order_hash, kind, signer, status, remaining, published_at, body = row
    return PublishedOrder(
        order_hash, kind, json.loads(body), signer, int(remaining), OrderStatus(status), published_at
    )
