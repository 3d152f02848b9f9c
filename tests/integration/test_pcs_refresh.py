"""Refreshing collateral over the PCS API v4, from a real HTTP server on 127.0.0.1.

The server here stands in for Intel's PCS (and a PCCS), which cannot be reached from this machine: it
answers the same paths with the same shapes (signed JSON bodies kept verbatim, issuer chains as
URL-encoded PEM in response headers, the PCK CRL as DER, the root CRL as a PCCS's hex text), serving
collateral built by the sandbox's quote builder, so what is fetched must verify the sandbox's quotes.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote as url_quote

import pytest
from aiohttp import web
from aiohttp.typedefs import Handler
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from desktop_app.core.attestation.collateral import load_qvl_json, quote_collateral_key
from desktop_app.core.attestation.errors import CollateralFormatError
from desktop_app.core.attestation.pcs import NoCollateral, fetch_collateral
from desktop_app.core.attestation.quote import Tee
from desktop_app.core.attestation.trust import TrustAnchor
from desktop_app.core.attestation.verify import verify_quote
from desktop_app.core.errors import ProtocolUnavailable
from desktop_app.core.store.collateral_cache import CollateralCache, verify_cached
from desktop_app.core.store.database import Database
from desktop_app.sandbox.enclave.pki import SANDBOX_FMSPC
from tests.support.attestation import (
    AN_HOUR_LATER,
    SANDBOX_EPOCH,
    SandboxCase,
    sandbox_cases,
    sandbox_collateral_text,
    sandbox_pki,
    sandbox_root,
)
from tests.support.servers import serve

FMSPC = SANDBOX_FMSPC.hex().upper()


@dataclass
class FakePcs:
    """What the stand-in serves, and every request it saw (path and query)."""

    serve_root_crl: bool = True
    status: int | None = None  # answer every request with this status instead
    headers: dict[str, str] = field(default_factory=dict)  # extra response headers
    tcb_chain: str | None = None  # overrides the TCB info issuer chain
    distribution_point_crl: bytes | None = None
    omit_headers: tuple[str, ...] = ()
    seen: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/{tee}/certification/v4/tcb", self.tcb)
        app.router.add_get("/{tee}/certification/v4/qe/identity", self.qe_identity)
        app.router.add_get("/sgx/certification/v4/pckcrl", self.pck_crl)
        app.router.add_get("/sgx/certification/v4/rootcacrl", self.root_crl)
        app.router.add_get("/IntelSGXRootCA.der", self.cdp)
        app.middlewares.append(self.record)
        return app

    @web.middleware
    async def record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.seen.append((request.path, dict(request.query)))
        if self.status is not None:
            return web.Response(status=self.status, headers=self.headers)
        return await handler(request)

    def reply(self, body: bytes, chain: tuple[str, str] | None = None) -> web.Response:
        headers = dict(self.headers)
        if chain is not None and chain[0] not in self.omit_headers:
            headers[chain[0]] = url_quote(chain[1])
        return web.Response(body=body, headers=headers)

    async def tcb(self, request: web.Request) -> web.Response:
        tee = request.match_info["tee"]
        if tee not in ("sgx", "tdx") or request.query.get("fmspc", "").upper() != FMSPC:
            raise web.HTTPNotFound()
        bundle = json.loads(sandbox_collateral_text(tee))
        body = f'{{"tcbInfo":{bundle["tcb_info"]},"signature":"{bundle["tcb_info_signature"]}"}}'
        chain = self.tcb_chain or bundle["tcb_info_issuer_chain"]
        return self.reply(body.encode(), ("TCB-Info-Issuer-Chain", chain))

    async def qe_identity(self, request: web.Request) -> web.Response:
        tee = request.match_info["tee"]
        if tee not in ("sgx", "tdx"):
            raise web.HTTPNotFound()
        bundle = json.loads(sandbox_collateral_text(tee))
        body = (
            f'{{"enclaveIdentity":{bundle["qe_identity"]},"signature":"{bundle["qe_identity_signature"]}"}}'
        )
        return self.reply(
            body.encode(), ("SGX-Enclave-Identity-Issuer-Chain", bundle["qe_identity_issuer_chain"])
        )

    async def pck_crl(self, request: web.Request) -> web.Response:
        if request.query.get("ca") != "platform":  # the sandbox has a Platform CA only
            raise web.HTTPNotFound()
        bundle = json.loads(sandbox_collateral_text("tdx"))
        return self.reply(
            bytes.fromhex(bundle["pck_crl"]), ("SGX-PCK-CRL-Issuer-Chain", bundle["pck_crl_issuer_chain"])
        )

    async def root_crl(self, _request: web.Request) -> web.Response:
        if not self.serve_root_crl:
            raise web.HTTPNotFound()
        return self.reply(json.loads(sandbox_collateral_text("tdx"))["root_ca_crl"].encode())

    async def cdp(self, _request: web.Request) -> web.Response:
        if self.distribution_point_crl is None:
            raise web.HTTPNotFound()
        return self.reply(self.distribution_point_crl)


@pytest.fixture
def pcs() -> FakePcs:
    return FakePcs()


@pytest.fixture
def url(pcs: FakePcs) -> Iterator[str]:
    with serve(pcs.app()) as base:
        yield base


def fetch(url: str, tee: Tee = Tee.TDX, fmspc: str = FMSPC) -> str:
    return asyncio.run(fetch_collateral(url, tee=tee, fmspc=fmspc, ca="platform"))


@pytest.mark.parametrize("case", sandbox_cases(), ids=lambda case: case.name)
def test_refreshed_collateral_is_cached_and_verifies_the_quote(
    case: SandboxCase, pcs: FakePcs, url: str, tmp_path: Path
) -> None:
    quote = case.quote
    key = quote_collateral_key(quote)
    text = fetch(url, key.tee, key.fmspc)

    served = json.loads(sandbox_collateral_text(key.tee.value))
    collateral = load_qvl_json(text)
    assert collateral.tcb_info.body == served["tcb_info"].encode()  # the signed bytes, as served
    assert collateral.qe_identity.body == served["qe_identity"].encode()
    tee = key.tee.value
    assert sorted(pcs.seen) == sorted([
        (f"/{tee}/certification/v4/tcb", {"fmspc": FMSPC}),
        (f"/{tee}/certification/v4/qe/identity", {}),
        ("/sgx/certification/v4/pckcrl", {"ca": "platform", "encoding": "der"}),
        ("/sgx/certification/v4/rootcacrl", {}),
    ])  # fmt: skip

    cache = CollateralCache(Database(tmp_path / "app.sqlite3"))
    assert cache.put(text, fetched_at=SANDBOX_EPOCH).key == key
    report = verify_cached(cache, quote, now=AN_HOUR_LATER, root=sandbox_root())
    assert report.valid, report.failures
    assert report.checks[0].detail == "cached collateral fetched 1 hour ago; valid until 2026-03-31 00:00 UTC"


def test_without_a_pccs_root_crl_the_root_certificates_distribution_point_is_used(
    pcs: FakePcs, url: str
) -> None:
    """A server without the PCCS's root CRL: the root certificate names where it is, as Intel's does."""
    pki = sandbox_pki()
    root = pki.root.certificate
    point = x509.DistributionPoint(
        [x509.UniformResourceIdentifier(f"{url}/IntelSGXRootCA.der")], None, None, None
    )
    # The sandbox root's key and name, re-issued with a distribution point as Intel's root has one.
    reissued = (
        x509.CertificateBuilder()
        .subject_name(root.subject)
        .issuer_name(root.issuer)
        .public_key(pki.root.key.public_key())
        .serial_number(root.serial_number)
        .not_valid_before(root.not_valid_before_utc)
        .not_valid_after(root.not_valid_after_utc)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.CRLDistributionPoints([point]), critical=False)
        .sign(pki.root.key, hashes.SHA256())
    )
    pcs.serve_root_crl = False
    pcs.tcb_chain = b"".join(
        c.public_bytes(serialization.Encoding.PEM) for c in (pki.tcb_signing.certificate, reissued)
    ).decode()
    crl = pki.crl(pki.root, this_update=SANDBOX_EPOCH, next_update=SANDBOX_EPOCH + timedelta(days=365))
    pcs.distribution_point_crl = crl

    collateral = load_qvl_json(fetch(url))
    assert ("/IntelSGXRootCA.der", {}) in pcs.seen
    assert collateral.root_ca_crl.public_bytes(serialization.Encoding.DER) == crl
    anchor = TrustAnchor.from_der(reissued.public_bytes(serialization.Encoding.DER), "re-issued root")
    report = verify_quote(sandbox_cases()[0].quote, collateral, now=AN_HOUR_LATER, root=anchor)
    assert report.check("root.crl").ok and report.check("tcb_info.signer").ok


def test_a_pccs_without_root_crl_and_a_root_without_distribution_point_is_a_clear_refusal(
    pcs: FakePcs, url: str
) -> None:
    pcs.serve_root_crl = False
    with pytest.raises(NoCollateral, match="names no address to get one"):
        fetch(url)


def test_an_unknown_fmspc_is_a_clear_refusal(url: str) -> None:
    with pytest.raises(
        NoCollateral, match=r"has no collateral for FMSPC 00906ED50000 \(TDX, PCK platform CA\)"
    ):
        fetch(url, fmspc="00906ed50000")


def test_an_unreachable_server_is_protocol_unavailable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    with pytest.raises(ProtocolUnavailable) as caught:
        fetch(dead)
    assert caught.value.service == "Intel PCS"


@pytest.mark.parametrize(("status", "expected"), [(503, "HTTP 503"), (429, "retry after 7 s")])
def test_a_failing_or_busy_server_is_protocol_unavailable(
    pcs: FakePcs, url: str, status: int, expected: str
) -> None:
    pcs.status, pcs.headers = status, {"Retry-After": "7"}
    with pytest.raises(ProtocolUnavailable, match=expected):
        fetch(url)


def test_a_response_without_its_issuer_chain_is_malformed_collateral(pcs: FakePcs, url: str) -> None:
    pcs.omit_headers = ("SGX-PCK-CRL-Issuer-Chain",)
    with pytest.raises(CollateralFormatError, match="SGX-PCK-CRL-Issuer-Chain"):
        fetch(url)
