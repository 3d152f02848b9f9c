"""Intel collateral kept on disk per platform, so quotes verify offline, and how old it is.

Collateral (TCB info, QE identity, CRLs) is what the verifier judges a quote against; fetching it needs
Intel's PCS or a PCCS, verifying must not. So each bundle is stored as its ``QuoteCollateralV3`` JSON
text exactly as it was received, filed under the :class:`CollateralKey` it claims to serve.

The cache is not trusted. Whatever sits in the database file (a bundle from a worker's result, one
edited on disk) is handed to the verifier, which checks Intel's signatures over the very bytes served,
so a changed row fails verification instead of passing. The stored ``next_update`` and ``fetched_at``
only describe a row to the user and pick the newer of two bundles; the freshness check of a
verification reads the dates from the signed documents.

Stale collateral hides revocations and TCB recoveries, so a bundle past its nextUpdate is refused unless
the user chose a grace period (:class:`Policy` ``collateral_grace``); the report then says so.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from desktop_app.core.attestation.collateral import (
    Collateral,
    CollateralKey,
    collateral_key,
    earliest_next_update,
    load_qvl_json,
    quote_collateral_key,
)
from desktop_app.core.attestation.policy import Policy
from desktop_app.core.attestation.quote import Quote, Tee, parse_quote
from desktop_app.core.attestation.report import Check, VerificationReport
from desktop_app.core.attestation.trust import TrustAnchor
from desktop_app.core.attestation.verify import verify_quote
from desktop_app.core.errors import UserFacingError
from desktop_app.core.store.database import Database

REFRESH_HINT = "refresh it from Intel's PCS or your PCCS"


@dataclass(frozen=True)
class CachedCollateral:
    """One cached bundle: ``text`` is the JSON exactly as stored, ``next_update`` the earliest nextUpdate
    of its parts as recorded when it was stored."""

    key: CollateralKey
    text: str
    fetched_at: datetime
    next_update: datetime

    def collateral(self) -> Collateral:
        """The bundle decoded from the stored text (raises ``CollateralFormatError`` if it was mangled)."""
        return load_qvl_json(self.text)

    def age(self, now: datetime) -> timedelta:
        return now - self.fetched_at

    def describe(self, now: datetime) -> str:
        """E.g. "fetched 3 days ago; valid until 2026-03-31 00:00 UTC"."""
        return f"{_fetched(self.fetched_at, now)}; {_validity(self.next_update, now)}"


class CollateralCache:
    def __init__(self, db: Database) -> None:
        self.db = db

    def put(self, collateral_json: str, *, fetched_at: datetime) -> CachedCollateral:
        """Store a ``QuoteCollateralV3`` bundle under the key it serves; returns what the cache now holds
        for that key.

        A bundle replaces the cached one only if it is valid at least as long: an older bundle (say one a
        worker shipped with its result) must not displace a newer one, which may already carry a
        revocation or a TCB recovery. Raises ``CollateralFormatError`` if the text is not a bundle.
        """
        if fetched_at.tzinfo is None:
            raise ValueError("fetched_at must be timezone-aware")
        collateral = load_qvl_json(collateral_json)
        key = collateral_key(collateral)
        with self.db.connect() as db:
            db.execute(
                "INSERT INTO collateral_cache (tee, fmspc, ca, body, fetched_at, next_update)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (tee, fmspc, ca) DO UPDATE SET body = excluded.body,"
                " fetched_at = excluded.fetched_at, next_update = excluded.next_update"
                " WHERE excluded.next_update >= collateral_cache.next_update",
                (
                    key.tee.value,
                    key.fmspc,
                    key.ca,
                    collateral_json,
                    fetched_at.timestamp(),
                    earliest_next_update(collateral).timestamp(),
                ),
            )
            row = _select(db, key)
        assert row is not None  # inserted, or kept, within this very transaction
        return _cached(row)

    def get(self, key: CollateralKey) -> CachedCollateral | None:
        with self.db.connect() as db:
            row = _select(db, key)
        return _cached(row) if row else None

    def all(self) -> list[CachedCollateral]:
        """Every cached bundle, the soonest to expire first."""
        with self.db.connect() as db:
            rows = db.execute(
                "SELECT * FROM collateral_cache ORDER BY next_update, tee, fmspc, ca"
            ).fetchall()
        return [_cached(row) for row in rows]

    def clear(self) -> int:
        """Forget every cached bundle (Settings' "Clear"); returns how many there were. Verification then
        uses the collateral each result brings, or a fresh refresh."""
        with self.db.connect() as db:
            return db.execute("DELETE FROM collateral_cache").rowcount


def verify_cached(
    cache: CollateralCache,
    quote: bytes | Quote,
    *,
    now: datetime,
    root: TrustAnchor | None = None,
    policy: Policy | None = None,
) -> VerificationReport:
    """Verify ``quote`` against the collateral cached for its platform, as :func:`verify_quote` does,
    with one more check first: how old that collateral is, and whether it may still be used at ``now``.

    Raises :class:`UserFacingError` when nothing is cached for the quote's platform, and
    ``CollateralFormatError`` when the cached text no longer decodes: both are a refusal, never a pass.
    """
    parsed = quote if isinstance(quote, Quote) else parse_quote(quote)
    key = quote_collateral_key(parsed)
    cached = cache.get(key)
    if cached is None:
        raise UserFacingError(f"No collateral is cached for this quote's platform ({key}).", REFRESH_HINT)
    policy = policy or Policy()
    report = verify_quote(parsed, cached.collateral(), now=now, root=root, policy=policy)
    freshness = _freshness(cached, report.collateral_next_update, now, policy.collateral_grace)
    return dataclasses.replace(report, checks=(freshness, *report.checks))


def _freshness(cached: CachedCollateral, next_update: datetime, now: datetime, grace: timedelta) -> Check:
    """The cache's own check, named ``collateral.cache``, judged on ``next_update`` as signed (the same
    rule as the verifier's: the end is exclusive and the grace period extends it)."""
    fetched = _fetched(cached.fetched_at, now)
    if now < next_update:
        return Check("collateral.cache", True, f"cached collateral {fetched}; {_validity(next_update, now)}")
    expired = f"the cached collateral ({fetched}) {_validity(next_update, now)}"
    if grace == timedelta(0):
        return Check(
            "collateral.cache", False, f"{expired}: {REFRESH_HINT}, or choose a grace period to accept it"
        )
    if now - grace >= next_update:
        return Check(
            "collateral.cache",
            False,
            f"{expired}, beyond your grace period of {_span(grace)}: {REFRESH_HINT}",
        )
    return Check("collateral.cache", True, f"{expired}; accepted within your grace period of {_span(grace)}")


def _select(db: sqlite3.Connection, key: CollateralKey) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        "SELECT * FROM collateral_cache WHERE tee = ? AND fmspc = ? AND ca = ?",
        (key.tee.value, key.fmspc.upper(), key.ca),
    ).fetchone()
    return row


def _cached(row: sqlite3.Row) -> CachedCollateral:
    return CachedCollateral(
        key=CollateralKey(Tee(row["tee"]), row["fmspc"], row["ca"]),
        text=row["body"],
        fetched_at=datetime.fromtimestamp(row["fetched_at"], UTC),
        next_update=datetime.fromtimestamp(row["next_update"], UTC),
    )


def _fetched(fetched_at: datetime, now: datetime) -> str:
    if fetched_at > now:
        return f"fetched {fetched_at:%Y-%m-%d %H:%M} UTC, later than now (check this computer's clock)"
    return f"fetched {_ago(now - fetched_at)}"


def _validity(next_update: datetime, now: datetime) -> str:
    if now < next_update:
        return f"valid until {next_update:%Y-%m-%d %H:%M} UTC"
    return f"expired {next_update:%Y-%m-%d %H:%M} UTC, {_ago(now - next_update)}"


def _ago(elapsed: timedelta) -> str:
    return "less than a minute ago" if elapsed < timedelta(minutes=1) else f"{_span(elapsed)} ago"


def _span(duration: timedelta) -> str:
    """A duration in its largest whole unit: "3 days", "1 hour", "25 minutes"."""
    seconds = int(duration.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"
