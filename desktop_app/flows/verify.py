"""Verify a task's proof on the owner's machine: gather the evidence from the chain, the market and the
result, then let ``core.attestation.task_proof`` judge it link by link.

Nothing here trusts the worker: every value is read from the chain (task, deal, contribution, the
finalizing transaction's calldata), from the grant the owner signed, or recomputed from the result file.
On the local network the simulated enclave's root is fetched from the sandbox and the report says
*simulated*; on public networks only Intel's root, built into the app, is accepted, and collateral past
its nextUpdate is refreshed from the PCS or PCCS the user chose (``pcs_url``) when one is given.
"""

from __future__ import annotations

import asyncio
import logging
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from desktop_app.core import http
from desktop_app.core.attestation import pcs
from desktop_app.core.attestation.collateral import Collateral, load_qvl_json, quote_collateral_key
from desktop_app.core.attestation.errors import CollateralFormatError, QuoteFormatError
from desktop_app.core.attestation.task_proof import (
    Grant,
    TaskEvidence,
    TaskProofReport,
    check_task,
)
from desktop_app.core.attestation.trust import TrustAnchor
from desktop_app.core.errors import ProtocolUnavailable, UserFacingError
from desktop_app.core.iexec.chain import PocoClient
from desktop_app.core.iexec.market_client import MarketClient
from desktop_app.core.iexec.network import NetworkProfile
from desktop_app.core.iexec.orders import DatasetOrder, order_hash, typed_data
from desktop_app.core.iexec.result_digest import result_digest
from desktop_app.core.store.activity import Activity, Kind
from desktop_app.core.store.collateral_cache import CollateralCache
from desktop_app.flows.result import ResultFiles

log = logging.getLogger(__name__)

QUOTE_ENTRY = "attestation/quote.bin"
COLLATERAL_ENTRY = "attestation/collateral.json"


async def _grant(chain: PocoClient, market: MarketClient, deal_id: str) -> Grant | None:
    consumed = await chain.matched_dataset_order(deal_id)
    entry = await market.order("dataset", "0x" + consumed.hex())
    if entry is None:
        return None
    signed = entry.signed(DatasetOrder)
    domain = await chain.domain()
    from eth_account import Account  # deferred: startup budget, see ui/app.py
    from eth_account.messages import encode_typed_data

    signer = Account.recover_message(
        encode_typed_data(full_message=typed_data(signed.order, domain)), signature=signed.sign
    )
    digest = order_hash(signed.order, domain)
    return Grant(
        consumed,
        digest,
        signer,
        signed.order.dataset,
        signed.order.apprestrict,
        signed.order.requesterrestrict,
    )


def _attestation(archive: Path) -> tuple[bytes | None, str | None]:
    with zipfile.ZipFile(archive) as zipped:
        names = set(zipped.namelist())
        if QUOTE_ENTRY not in names or COLLATERAL_ENTRY not in names:
            return None, None
        return zipped.read(QUOTE_ENTRY), zipped.read(COLLATERAL_ENTRY).decode("utf-8", errors="replace")


async def _sandbox_root(profile: NetworkProfile) -> TrustAnchor:
    import httpx

    try:
        async with http.client(10) as client:
            reply = await client.get(f"{profile.workerpool_api}/attestation/root.der")
            reply.raise_for_status()
    except httpx.HTTPError as e:
        raise ProtocolUnavailable("sandbox workerpool", str(e)) from e
    return TrustAnchor.from_der(reply.content, "the local sandbox's simulated TEE root")


def _collateral(
    cache: CollateralCache | None, quote: bytes | None, served: str | None, now: datetime
) -> Collateral | None:
    """The freshest collateral for the quote's platform: the result's own bundle joins the cache, which
    keeps whichever stays valid longest (a worker's stale bundle never replaces a fresher one that may
    carry a revocation). The cache is not trusted: the verifier re-checks every signature over its bytes."""
    if quote is None or served is None:
        return None
    try:
        if cache is None:
            return load_qvl_json(served)
        cache.put(served, fetched_at=now)
        cached = cache.get(quote_collateral_key(quote))
        return cached.collateral() if cached is not None else None
    except (CollateralFormatError, QuoteFormatError):
        return None  # a quote without usable collateral fails the quote check


async def _refreshed(cache: CollateralCache, quote: bytes, pcs_url: str, now: datetime) -> Collateral | None:
    """Fresh collateral from ``pcs_url`` when the cached one for the quote's platform has expired, else
    None. A server that fails leaves the cache as it was: the report then says the collateral is stale."""
    try:
        key = quote_collateral_key(quote)
        cached = await asyncio.to_thread(cache.get, key)
        if cached is not None and cached.next_update > now:
            return None
        text = await pcs.fetch_collateral(pcs_url, tee=key.tee, fmspc=key.fmspc, ca=key.ca)
        stored = await asyncio.to_thread(cache.put, text, fetched_at=now)
        return stored.collateral()
    except (UserFacingError, CollateralFormatError, QuoteFormatError) as e:
        log.warning("Collateral not refreshed from %s: %s", pcs_url, e)
        return None


async def verify_task(
    profile: NetworkProfile,
    owner: str,
    task_id: str,
    result: ResultFiles | None,
    *,
    now: datetime | None = None,
    cache: CollateralCache | None = None,
    pcs_url: str | None = None,
    activity: Activity | None = None,
) -> TaskProofReport:
    """Gather the task's evidence and judge it (see the module docstring); the verdict is written to
    ``activity`` when given."""
    evidence = await gather_evidence(profile, owner, task_id, result, now=now, cache=cache, pcs_url=pcs_url)
    report = check_task(evidence)
    if activity is not None:
        failed = [check.name for check in report.checks if not check.ok]
        verdict = (
            f"Proof valid: all {len(report.checks)} checks passed"
            if not failed
            else f"Proof INVALID: {len(failed)} of {len(report.checks)} checks failed ({', '.join(failed)})"
        )
        activity.record(profile.name, Kind.VERIFY, task_id, verdict)
    return report


async def gather_evidence(
    profile: NetworkProfile,
    owner: str,
    task_id: str,
    result: ResultFiles | None,
    *,
    now: datetime | None = None,
    cache: CollateralCache | None = None,
    pcs_url: str | None = None,
) -> TaskEvidence:
    async with PocoClient(profile) as chain, MarketClient(profile) as market:
        task = await chain.view_task(task_id)
        deal = await chain.view_deal(task.deal_id)
        final = await chain.finalization(task_id)
        contribution = await chain.view_contribution(task_id, final.worker)
        pool_owner = (await chain.view_workerpool(deal.workerpool.pointer)).owner
        app = await chain.view_app(deal.app.pointer)
        grant = await _grant(chain, market, "0x" + task.deal_id.hex())
        teebroker = await chain.teebroker()
    output = result.deterministic_output if result is not None else None
    digest = await asyncio.to_thread(result_digest, output) if output is not None else None
    quote, collateral_text = await asyncio.to_thread(_attestation, result.archive) if result else (None, None)
    now = now or datetime.now(UTC)
    collateral = await asyncio.to_thread(_collateral, cache, quote, collateral_text, now)
    sandbox = profile.tee_trust_anchor == "sandbox"
    if pcs_url is not None and cache is not None and quote is not None and not sandbox:
        collateral = await _refreshed(cache, quote, pcs_url, now) or collateral
    return TaskEvidence(
        task_id=bytes.fromhex(task_id.removeprefix("0x")),
        task=task,
        deal=deal,
        contribution=contribution,
        worker=final.worker,
        enclave_sign=final.enclave_sign,
        authorization_sign=final.authorization_sign,
        workerpool_owner=pool_owner,
        teebroker=teebroker,
        owner=owner,
        grant=grant,
        output_digest=digest,
        app_checksum=app.checksum,
        app_mrenclave=app.mrenclave,
        quote=quote,
        collateral=collateral,
        trust="sandbox" if sandbox else "intel",
        sandbox_root=await _sandbox_root(profile) if sandbox else None,
        now=now,
    )
