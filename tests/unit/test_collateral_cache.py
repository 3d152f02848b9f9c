"""The collateral cache: bundles kept byte for byte per platform, their age shown, and never trusted.

Sandbox collateral is issued at ``SANDBOX_EPOCH`` (2026-03-01) and every part of it is due for update 30
days later, so each test verifies at a fixed instant before or after that boundary.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from desktop_app.core.attestation.collateral import (
    CollateralKey,
    collateral_key,
    load_qvl_json,
    quote_collateral_key,
)
from desktop_app.core.attestation.errors import CollateralFormatError
from desktop_app.core.attestation.policy import Policy
from desktop_app.core.attestation.quote import Tee
from desktop_app.core.errors import UserFacingError
from desktop_app.core.store.collateral_cache import CollateralCache, verify_cached
from desktop_app.core.store.database import MIGRATIONS, Database
from desktop_app.sandbox.enclave.pki import SANDBOX_FMSPC
from desktop_app.sandbox.enclave.quote_builder import build_collateral
from tests.support.attestation import (
    AN_HOUR_LATER,
    SANDBOX_EPOCH,
    sandbox_cases,
    sandbox_collateral_text,
    sandbox_pki,
    sandbox_root,
)

NEXT_UPDATE = SANDBOX_EPOCH + timedelta(days=30)
TEN_DAYS_LATE = NEXT_UPDATE + timedelta(days=10)
TDX_KEY = CollateralKey(Tee.TDX, SANDBOX_FMSPC.hex().upper(), "platform")
TDX_QUOTE = sandbox_cases()[0].quote


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database(tmp_path / "app.sqlite3")


@pytest.fixture
def cache(db: Database) -> CollateralCache:
    return CollateralCache(db)


def tamper(db: Database, key: CollateralKey, **columns: object) -> None:
    """Rewrite a cached row behind the cache's back, as anything with access to the file could."""
    assignments = ", ".join(f"{name} = ?" for name in columns)
    with db.connect() as conn:
        conn.execute(
            f"UPDATE collateral_cache SET {assignments} WHERE tee = ? AND fmspc = ? AND ca = ?",  # noqa: S608
            (*columns.values(), key.tee.value, key.fmspc, key.ca),
        )


def test_the_migration_creates_the_table_once(tmp_path: Path) -> None:
    Database(tmp_path / "app.sqlite3")
    Database(tmp_path / "app.sqlite3")  # reopening runs nothing twice
    conn = sqlite3.connect(tmp_path / "app.sqlite3")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("SELECT count(*) FROM collateral_cache").fetchone()[0] == 0
    conn.close()


def test_a_bundle_comes_back_exactly_as_served_under_the_key_its_quotes_need(cache: CollateralCache) -> None:
    text = sandbox_collateral_text("tdx")
    stored = cache.put(text, fetched_at=SANDBOX_EPOCH)
    assert stored.key == TDX_KEY == collateral_key(load_qvl_json(text)) == quote_collateral_key(TDX_QUOTE)
    cached = cache.get(TDX_KEY)
    assert cached is not None
    assert cached.text == text
    assert cached.collateral().tcb_info.body == json.loads(text)["tcb_info"].encode()
    assert (cached.fetched_at, cached.next_update) == (SANDBOX_EPOCH, NEXT_UPDATE)
    assert cache.get(CollateralKey(Tee.TDX, TDX_KEY.fmspc, "processor")) is None
    assert cache.get(CollateralKey(Tee.SGX, TDX_KEY.fmspc, "platform")) is None


def test_sgx_and_tdx_bundles_of_one_platform_are_kept_apart(cache: CollateralCache) -> None:
    cache.put(sandbox_collateral_text("tdx"), fetched_at=SANDBOX_EPOCH)
    cache.put(sandbox_collateral_text("sgx"), fetched_at=SANDBOX_EPOCH)
    assert sorted(entry.key.tee.value for entry in cache.all()) == ["sgx", "tdx"]
    for case in sandbox_cases():
        cached = cache.get(quote_collateral_key(case.quote))
        assert cached is not None and cached.text == sandbox_collateral_text(case.tee)


def test_an_older_bundle_never_displaces_a_newer_one(cache: CollateralCache) -> None:
    pki = sandbox_pki()
    newer = build_collateral(pki, tee="tdx", now=SANDBOX_EPOCH + timedelta(days=5))
    older = sandbox_collateral_text("tdx")
    cache.put(newer, fetched_at=SANDBOX_EPOCH + timedelta(days=5))
    kept = cache.put(older, fetched_at=SANDBOX_EPOCH + timedelta(days=6))
    assert kept.text == newer and kept.fetched_at == SANDBOX_EPOCH + timedelta(days=5)
    # The same bundle fetched again only moves its fetch time.
    again = cache.put(newer, fetched_at=SANDBOX_EPOCH + timedelta(days=7))
    assert again.text == newer and again.fetched_at == SANDBOX_EPOCH + timedelta(days=7)
    assert len(cache.all()) == 1


def test_what_is_not_a_bundle_is_refused_and_nothing_is_stored(cache: CollateralCache) -> None:
    with pytest.raises(CollateralFormatError):
        cache.put('{"tcb_info": "{}"}', fetched_at=SANDBOX_EPOCH)
    assert cache.all() == []


def test_the_age_reads_as_a_sentence(cache: CollateralCache) -> None:
    cached = cache.put(sandbox_collateral_text("tdx"), fetched_at=SANDBOX_EPOCH)
    assert cached.age(SANDBOX_EPOCH + timedelta(days=3)) == timedelta(days=3)
    assert cached.describe(SANDBOX_EPOCH + timedelta(days=3, hours=5)) == (
        "fetched 3 days ago; valid until 2026-03-31 00:00 UTC"
    )
    assert cached.describe(SANDBOX_EPOCH + timedelta(seconds=20)) == (
        "fetched less than a minute ago; valid until 2026-03-31 00:00 UTC"
    )
    assert cached.describe(SANDBOX_EPOCH + timedelta(hours=1)).startswith("fetched 1 hour ago;")
    assert cached.describe(TEN_DAYS_LATE) == "fetched 40 days ago; expired 2026-03-31 00:00 UTC, 10 days ago"
    assert "check this computer's clock" in cached.describe(SANDBOX_EPOCH - timedelta(days=1))


def test_current_cached_collateral_verifies_and_says_how_old_it_is(cache: CollateralCache) -> None:
    cache.put(sandbox_collateral_text("tdx"), fetched_at=SANDBOX_EPOCH)
    report = verify_cached(cache, TDX_QUOTE, now=SANDBOX_EPOCH + timedelta(days=3), root=sandbox_root())
    assert report.valid, report.failures
    first = report.checks[0]
    assert first.name == "collateral.cache" and first.ok
    assert first.detail == "cached collateral fetched 3 days ago; valid until 2026-03-31 00:00 UTC"
    assert not report.grace_used


def test_expired_cached_collateral_without_grace_fails_with_a_clear_reason(cache: CollateralCache) -> None:
    cache.put(sandbox_collateral_text("tdx"), fetched_at=SANDBOX_EPOCH)
    report = verify_cached(cache, TDX_QUOTE, now=TEN_DAYS_LATE, root=sandbox_root())
    assert not report.valid and not report.grace_used
    first = report.failures[0]
    assert first.name == "collateral.cache"
    assert first.detail == (
        "the cached collateral (fetched 40 days ago) expired 2026-03-31 00:00 UTC, 10 days ago: "
        "refresh it from Intel's PCS or your PCCS, or choose a grace period to accept it"
    )
    assert not report.check("tcb_info.current").ok  # the verifier agrees on its own
    # Exactly at nextUpdate it is already expired (the end is exclusive).
    assert not verify_cached(cache, TDX_QUOTE, now=NEXT_UPDATE, root=sandbox_root()).valid


def test_expired_cached_collateral_within_a_chosen_grace_period_passes_and_says_so(
    cache: CollateralCache,
) -> None:
    cache.put(sandbox_collateral_text("tdx"), fetched_at=SANDBOX_EPOCH)
    policy = Policy(collateral_grace=timedelta(days=30))
    report = verify_cached(cache, TDX_QUOTE, now=TEN_DAYS_LATE, root=sandbox_root(), policy=policy)
    assert report.valid, report.failures
    assert report.grace_used
    assert report.checks[0].detail == (
        "the cached collateral (fetched 40 days ago) expired 2026-03-31 00:00 UTC, 10 days ago; "
        "accepted within your grace period of 30 days"
    )
    assert "within the grace period" in report.check("tcb_info.current").detail

    short = Policy(collateral_grace=timedelta(days=7))
    report = verify_cached(cache, TDX_QUOTE, now=TEN_DAYS_LATE, root=sandbox_root(), policy=short)
    assert not report.valid
    assert "beyond your grace period of 7 days" in report.check("collateral.cache").detail


def test_a_tampered_bundle_fails_verification_instead_of_passing(
    cache: CollateralCache, db: Database
) -> None:
    """Pushing a stale bundle's nextUpdate out by a year, in the cache, would hide that it expired: the
    verifier checks Intel's signature over the served bytes, so the edit is what it catches."""
    text = sandbox_collateral_text("tdx")
    cache.put(text, fetched_at=SANDBOX_EPOCH)
    bundle = json.loads(text)
    for document in ("tcb_info", "qe_identity"):
        assert '"nextUpdate":"2026-03-31T00:00:00Z"' in bundle[document]
        bundle[document] = bundle[document].replace("2026-03-31T00:00:00Z", "2027-03-31T00:00:00Z")
    tamper(db, TDX_KEY, body=json.dumps(bundle))

    report = verify_cached(cache, TDX_QUOTE, now=AN_HOUR_LATER, root=sandbox_root())
    assert not report.valid
    failed = {check.name for check in report.failures}
    assert {"tcb_info.signature", "qe_identity.signature"} <= failed
    assert report.check("tcb_info.signature").detail == "the signature does not verify over the served bytes"


def test_a_tampered_expiry_column_does_not_make_expired_collateral_pass(
    cache: CollateralCache, db: Database
) -> None:
    cache.put(sandbox_collateral_text("tdx"), fetched_at=SANDBOX_EPOCH)
    tamper(db, TDX_KEY, next_update=(NEXT_UPDATE + timedelta(days=365)).timestamp())
    cached = cache.get(TDX_KEY)  # the row's own date is for display only, and now it misleads...
    assert cached is not None and cached.describe(TEN_DAYS_LATE).endswith("valid until 2027-03-31 00:00 UTC")
    report = verify_cached(cache, TDX_QUOTE, now=TEN_DAYS_LATE, root=sandbox_root())
    assert not report.valid
    assert not report.check("collateral.cache").ok  # ...but verification reads the signed dates


def test_a_mangled_row_is_refused_not_passed(cache: CollateralCache, db: Database) -> None:
    cache.put(sandbox_collateral_text("tdx"), fetched_at=SANDBOX_EPOCH)
    tamper(db, TDX_KEY, body=sandbox_collateral_text("tdx")[:-10])
    with pytest.raises(CollateralFormatError):
        verify_cached(cache, TDX_QUOTE, now=AN_HOUR_LATER, root=sandbox_root())


def test_a_quote_with_nothing_cached_asks_for_a_refresh(cache: CollateralCache) -> None:
    cache.put(sandbox_collateral_text("sgx"), fetched_at=SANDBOX_EPOCH)
    with pytest.raises(UserFacingError, match=r"No collateral is cached .*TDX FMSPC 5A0D0B000000"):
        verify_cached(cache, TDX_QUOTE, now=AN_HOUR_LATER, root=sandbox_root())


def test_the_database_refuses_rows_under_an_impossible_key(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError), db.connect() as conn:
        conn.execute("INSERT INTO collateral_cache VALUES ('sev', '5A0D0B000000', 'platform', '{}', 0, 0)")
