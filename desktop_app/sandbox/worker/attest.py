"""The simulated enclave's evidence: a TDX v4 quote that binds this result, with its collateral.

REPORTDATA = sha256(enclave challenge address ‖ result digest) ‖ 32 zero bytes, so the quote vouches for
exactly this result from exactly this task's enclave key; MRTD carries the app bundle's checksum (the
value registered on chain) padded to 48 bytes. The chain of trust is the sandbox's own root, never
Intel's, so a verifier only accepts it when told to trust this sandbox.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from desktop_app.sandbox.enclave.pki import SandboxPki
from desktop_app.sandbox.enclave.quote_builder import build_collateral, build_tdx_quote
from desktop_app.sandbox.iapps import SampleApp
from desktop_app.sandbox.worker.context import TaskContext

QUOTE_PATH = "attestation/quote.bin"
COLLATERAL_PATH = "attestation/collateral.json"


def pki_dir(data_dir: Path) -> Path:
    return data_dir / "enclave"


def report_data(challenge: str, digest: bytes) -> bytes:
    return hashlib.sha256(bytes.fromhex(challenge.removeprefix("0x")) + digest).digest() + bytes(32)


def measurement(app: SampleApp) -> bytes:
    return app.checksum() + bytes(16)


def attestation_files(ctx: TaskContext, app: SampleApp, digest: bytes) -> dict[str, bytes]:
    pki = SandboxPki.load(pki_dir(ctx.data_dir))
    quote = build_tdx_quote(
        pki, report_data=report_data(ctx.record.challenge, digest), mr_td=measurement(app)
    )
    collateral = build_collateral(pki, tee="tdx", now=datetime.now(UTC))
    return {QUOTE_PATH: quote, COLLATERAL_PATH: collateral.encode()}
