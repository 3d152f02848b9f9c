"""Shared material for the attestation tests: real quotes with their collateral, and sandbox-built evidence.

The real vectors live under ``tests/data``: ``dcap_qvl_samples`` (the dcap-qvl PyPI sdist) and the
folders listed in ``PUBLIC_QUOTES`` / ``PUBLIC_COLLATERALS`` (public GitHub repositories); each folder's
README gives every file's provenance, license and the fixed verification time chosen. The sandbox PKI
is generated once per test session: keys are cheap, but every test sharing one hierarchy also shows
that quotes from one sandbox verify against collateral issued separately for it.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from desktop_app.core.attestation.collateral import Collateral, from_pcs, load_qvl_json, to_qvl_json
from desktop_app.core.attestation.quote import Quote, parse_quote
from desktop_app.core.attestation.trust import TrustAnchor
from desktop_app.sandbox.enclave.pki import SandboxPki
from desktop_app.sandbox.enclave.quote_builder import (
    TeeName,
    build_collateral,
    build_sgx_quote,
    build_tdx_quote,
    sign_raw,
)

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLES = DATA / "dcap_qvl_samples"

REAL_QUOTES = (
    "sgx_quote",
    "tdx_quote",
    "tdx_quote_td15ex",
    "tdx_quote_outdated",
    "tdx-quote.hex",
    "quote-from-tappd.hex",
)
REAL_COLLATERALS = ("sgx_quote", "tdx_quote", "tdx_quote_td15ex", "tdx_quote_outdated")


@dataclass(frozen=True)
class PcsFiles:
    """Collateral kept as the separate pieces Intel's PCS serves (signed JSON bodies and CRLs verbatim, each
    certificate as DER), assembled here the way a PCS client does: through ``from_pcs``, with the issuer
    chains built from the certificates (signer first, root last) as PCS response headers carry them."""

    folder: str
    tcb_info: str
    qe_identity: str
    pck_crl: str
    pck_ca: str
    root_ca_crl: str
    tcb_signing: str
    root: str

    def collateral_text(self) -> str:
        def read(name: str) -> bytes:
            return (DATA / self.folder / name).read_bytes()

        def chain(*names: str) -> str:
            return "".join(
                x509.load_der_x509_certificate(read(n)).public_bytes(Encoding.PEM).decode() for n in names
            )

        signing = chain(self.tcb_signing, self.root)
        return to_qvl_json(
            from_pcs(
                tcb_info_response=read(self.tcb_info),
                tcb_info_issuer_chain=signing,
                qe_identity_response=read(self.qe_identity),
                qe_identity_issuer_chain=signing,
                pck_crl=read(self.pck_crl),
                pck_crl_issuer_chain=chain(self.pck_ca, self.root),
                root_ca_crl=read(self.root_ca_crl),
            )
        )


# Real quotes and collateral from public GitHub repositories (beyond the dcap-qvl sdist): name -> file
# under tests/data. Names are "<source>/<what>"; each folder's README says where every file comes from.
_AUTOMATA = "automata_dcap_attestation"
PUBLIC_QUOTES = {
    "automata/sgx_00606a": f"{_AUTOMATA}/testQuoteV3OnChainAttestation.quote.bin",
    "automata/sgx_debug": f"{_AUTOMATA}/quoteV3.hex",
    "automata/tdx_00806f05": f"{_AUTOMATA}/testTDXQuoteV4OnChainAttestation.quote.bin",
    "automata/tdx_sample": f"{_AUTOMATA}/sample.hex",
    "automata/tdx_v5_alibaba": f"{_AUTOMATA}/alibaba_quote_5.dat",
    "oasis/sgx_00606a": "oasis_core/quote_v3_ecdsa_p256_pck_chain.bin",
    "dcap_qvl_repo/tdx_20a06f": "dcap_qvl_repo/quote_hex.txt",
}


def _automata(tcb_info: str, qe_identity: str, pck_crl: str) -> PcsFiles:
    """One of Automata's collateral sets: its documents, and the certificates and root CRL its tests share."""
    return PcsFiles(
        _AUTOMATA,
        tcb_info=tcb_info,
        qe_identity=qe_identity,
        pck_crl=pck_crl,
        pck_ca="platformDer.der",
        root_ca_crl="rootCrlDer.der",
        tcb_signing="signingDer.der",
        root="rootCaDer.der",
    )


PUBLIC_COLLATERALS: dict[str, PcsFiles | str] = {
    "automata/sgx_00606a_2508": _automata(
        "0825/sgx_tcbinfov3_00606a000000.json", "0825/sgx_qeidentity_v4.json", "0825/platform_crl.der"
    ),
    "automata/tdx_00806f05_2506": _automata(
        "0625/tcbinfov3_00806f050000.json", "0625/qe_td.json", "0625/platformCrlDer.der"
    ),
    "automata/tdx_90c06f_2506": _automata(
        "0625/tcbinfov3_90C06F000000.json", "0625/qe_td.json", "0625/platformCrlDer.der"
    ),
    "dcap_qvl_repo/tdx_20a06f_2509": "dcap_qvl_repo/quote_collateral.json",
}
ALL_REAL_QUOTES = (*REAL_QUOTES, *PUBLIC_QUOTES)
ALL_REAL_COLLATERALS = (*REAL_COLLATERALS, *PUBLIC_COLLATERALS)

SANDBOX_EPOCH = datetime(2026, 3, 1, tzinfo=UTC)
AN_HOUR_LATER = SANDBOX_EPOCH + timedelta(hours=1)
REPORT_DATA = bytes(range(64))
MR_TD = bytes(range(100, 148))
MR_ENCLAVE = bytes(range(32))
MR_SIGNER = bytes(range(32, 64))


def real_quote(name: str) -> bytes:
    path = DATA / PUBLIC_QUOTES[name] if name in PUBLIC_QUOTES else SAMPLES / name
    data = path.read_bytes()
    if path.suffix in (".hex", ".txt"):
        return bytes.fromhex(data.decode("ascii").strip().removeprefix("0x"))
    return data


@cache
def real_collateral_text(name: str) -> str:
    """The collateral ``name`` as dcap-qvl's QuoteCollateralV3 JSON (the form both verifiers read)."""
    source = PUBLIC_COLLATERALS.get(name)
    if isinstance(source, PcsFiles):
        return source.collateral_text()
    path = DATA / source if source is not None else SAMPLES / f"{name}_collateral.json"
    return path.read_text(encoding="utf-8")


@cache
def real_collateral(name: str) -> Collateral:
    return load_qvl_json(real_collateral_text(name))


def valid_window(collateral: Collateral) -> tuple[datetime, datetime]:
    """[latest issue date, earliest nextUpdate) over TCB info, QE identity and both CRLs."""
    crls = (collateral.root_ca_crl, collateral.pck_crl)
    start = max(collateral.tcb.issue_date, collateral.qe.issue_date, *(crl.last_update_utc for crl in crls))
    end = min(
        collateral.tcb.next_update,
        collateral.qe.next_update,
        *(crl.next_update_utc for crl in crls if crl.next_update_utc is not None),
    )
    return start, end


def last_valid_instant(collateral: Collateral) -> datetime:
    return valid_window(collateral)[1] - timedelta(seconds=1)


@cache
def sandbox_pki() -> SandboxPki:
    return SandboxPki.generate(now=SANDBOX_EPOCH)


@cache
def other_pki() -> SandboxPki:
    """A second, unrelated sandbox hierarchy: its certificates must never pass for the first one's."""
    return SandboxPki.generate(now=SANDBOX_EPOCH)


def sandbox_root() -> TrustAnchor:
    return TrustAnchor.from_der(sandbox_pki().root_der, "sandbox root (simulated)")


@dataclass(frozen=True)
class SandboxCase:
    name: str
    tee: TeeName
    quote: bytes


@cache
def sandbox_cases() -> tuple[SandboxCase, ...]:
    pki = sandbox_pki()
    return (
        SandboxCase("sandbox-tdx-v4", "tdx", build_tdx_quote(pki, report_data=REPORT_DATA, mr_td=MR_TD)),
        SandboxCase(
            "sandbox-tdx-v5", "tdx", build_tdx_quote(pki, report_data=REPORT_DATA, mr_td=MR_TD, version=5)
        ),
        SandboxCase(
            "sandbox-sgx-v3",
            "sgx",
            build_sgx_quote(pki, report_data=REPORT_DATA, mr_enclave=MR_ENCLAVE, mr_signer=MR_SIGNER),
        ),
    )


@cache
def sandbox_collateral_text(tee: TeeName) -> str:
    return build_collateral(sandbox_pki(), tee=tee, now=SANDBOX_EPOCH)


@cache
def sandbox_collateral(tee: TeeName) -> Collateral:
    return load_qvl_json(sandbox_collateral_text(tee))


def replace_pck_chain(quote: bytes, chain_pem: bytes) -> bytes:
    """``quote`` with its type-5 certification data replaced, every enclosing length field adjusted.

    Only the signature data changes, so the quote signature still holds: what fails is what the chain
    is supposed to prove.
    """
    parsed = parse_quote(quote)
    end_of_body = len(parsed.signed)
    tail = len(parsed.pck_chain_pem)
    chain_size_at = _chain_size_offset(parsed)
    head = bytearray(quote[:chain_size_at])
    growth = len(chain_pem) - tail
    struct.pack_into("<I", head, end_of_body, struct.unpack_from("<I", head, end_of_body)[0] + growth)
    if parsed.header.version != 3:
        outer = end_of_body + 4 + 128 + 2
        struct.pack_into("<I", head, outer, struct.unpack_from("<I", head, outer)[0] + growth)
    return bytes(head) + struct.pack("<I", len(chain_pem)) + chain_pem


def _chain_size_offset(parsed: Quote) -> int:
    """Offset of the u32 size of the PCK chain."""
    position = len(parsed.signed) + 4 + 128 + (6 if parsed.header.version != 3 else 0)
    return position + 384 + 64 + 2 + len(parsed.qe_auth_data) + 2


def resign_document(pki: SandboxPki, collateral_text: str, key: str, document: dict[str, object]) -> str:
    """``collateral_text`` with document ``key`` ("tcb_info" or "qe_identity") replaced and re-signed by
    ``pki``'s TCB-signing key: a semantically wrong document with a valid signature."""
    bundle = json.loads(collateral_text)
    text = json.dumps(document, separators=(",", ":"))
    bundle[key] = text
    bundle[f"{key}_signature"] = sign_raw(pki.tcb_signing.key, text.encode()).hex()
    return json.dumps(bundle)
