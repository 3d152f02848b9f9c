"""Tamper matrix: every field of a quote, and every part of its collateral, mutated one at a time.

Each case says how it must be rejected: a :class:`QuoteFormatError` for structure (versions, types,
lengths), or the name of the *first* failed check (checks run in the spec's order, so the first failure
is the most basic reason). Quote fields are flipped at their first and last byte, on six valid bases:
the sandbox's TDX v4, TDX v5 and SGX v3 quotes and the real SGX v3, TDX v4 and TDX v5 (1.5-ex) quotes.
Collateral mutations that must keep a valid signature are re-signed with the sandbox TCB-signing key.
``pytest --collect-only -q`` on this file gives the size of the matrix.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from desktop_app.core.attestation.collateral import Collateral, load_qvl_json
from desktop_app.core.attestation.errors import QuoteFormatError
from desktop_app.core.attestation.policy import Policy
from desktop_app.core.attestation.quote import Quote, parse_quote
from desktop_app.core.attestation.report import VerificationReport
from desktop_app.core.attestation.tcb_info import TcbStatus
from desktop_app.core.attestation.trust import TrustAnchor, intel_root
from desktop_app.core.attestation.verify import verify_quote
from desktop_app.sandbox.enclave.pki import Identity
from desktop_app.sandbox.enclave.quote_builder import (
    bundle,
    qe_identity_document,
    sign_raw,
    tcb_info_document,
)
from tests.support.attestation import (
    AN_HOUR_LATER,
    SANDBOX_EPOCH,
    last_valid_instant,
    other_pki,
    real_collateral,
    real_collateral_text,
    real_quote,
    replace_pck_chain,
    resign_document,
    sandbox_cases,
    sandbox_collateral,
    sandbox_collateral_text,
    sandbox_pki,
    sandbox_root,
)

FORMAT = "format"
SIGNED = "quote.signature"
QE_SIGNED = "qe.report_signature"
CURVE_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


# -- bases -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Base:
    name: str
    quote: bytes
    collateral: Collateral
    now: datetime
    root: TrustAnchor
    policy: Policy

    def verify(self, quote: bytes) -> VerificationReport:
        return verify_quote(quote, self.collateral, now=self.now, root=self.root, policy=self.policy)


@cache
def bases() -> tuple[Base, ...]:
    sandbox = tuple(
        Base(case.name, case.quote, sandbox_collateral(case.tee), AN_HOUR_LATER, sandbox_root(), Policy())
        for case in sandbox_cases()
    )
    accept_all = Policy(accepted_statuses=frozenset(TcbStatus) - {TcbStatus.REVOKED})
    real = tuple(
        Base(
            name,
            real_quote(name),
            real_collateral(name),
            last_valid_instant(real_collateral(name)),
            intel_root(),
            accept_all,
        )
        for name in ("sgx_quote", "tdx_quote", "tdx_quote_td15ex")
    )
    return sandbox + real


def base(name: str) -> Base:
    return next(b for b in bases() if b.name == name)


def test_every_base_is_valid() -> None:
    for b in bases():
        report = b.verify(b.quote)
        assert report.valid, (b.name, report.failures)


# -- quote fields ----------------------------------------------------------------------------------------

SGX_REPORT = [
    ("cpu_svn", 16), ("misc_select", 4), ("reserved1", 12), ("isv_ext_prod_id", 16), ("attributes", 16),
    ("mr_enclave", 32), ("reserved2", 32), ("mr_signer", 32), ("reserved3", 32), ("config_id", 64),
    ("isv_prod_id", 2), ("isv_svn", 2), ("config_svn", 2), ("reserved4", 42), ("isv_family_id", 16),
    ("report_data", 64),
]  # fmt: skip
TD_REPORT = [
    ("tee_tcb_svn", 16), ("mr_seam", 48), ("mr_signer_seam", 48), ("seam_attributes", 8),
    ("td_attributes", 8), ("xfam", 8), ("mr_td", 48), ("mr_config_id", 48), ("mr_owner", 48),
    ("mr_owner_config", 48),
    ("rtmr0", 48), ("rtmr1", 48), ("rtmr2", 48), ("rtmr3", 48), ("report_data", 64),
]  # fmt: skip
TD15_EXTRA = [("tee_tcb_svn2", 16), ("mr_service_td", 48)]


@dataclass(frozen=True)
class Field:
    name: str
    offset: int
    size: int
    expect: str


def layout(quote: Quote) -> list[Field]:
    """Every field of ``quote`` with its absolute offset and how a flip of it must be rejected."""
    fields = [
        Field("header.version", 0, 2, FORMAT),
        Field("header.key_type", 2, 2, FORMAT),
        Field("header.tee_type", 4, 4, FORMAT),
        Field("header.qe_svn", 8, 2, SIGNED),
        Field("header.pce_svn", 10, 2, SIGNED),
        Field("header.qe_vendor_id", 12, 16, FORMAT),
        Field("header.user_data", 28, 20, SIGNED),
    ]
    position = 48
    if quote.header.version == 5:
        fields += [Field("body.type", 48, 2, FORMAT), Field("body.size", 50, 4, FORMAT)]
        position = 54
    if quote.td is None:
        body = SGX_REPORT
    else:
        body = TD_REPORT + (TD15_EXTRA if quote.body_type >= 3 else [])
        body += [("td15_ex_extension", 237)] if quote.body_type == 4 else []
    for name, size in body:
        fields.append(Field(f"body.{name}", position, size, SIGNED))
        position += size
    fields += [
        Field("sig_data.length", position, 4, FORMAT),
        Field("sig_data.quote_signature.r", position + 4, 32, SIGNED),
        Field("sig_data.quote_signature.s", position + 36, 32, SIGNED),
        Field("sig_data.attestation_key", position + 68, 64, "qe.binding"),
    ]
    position += 132
    if quote.header.version != 3:
        fields += [
            Field("cert_data.type", position, 2, FORMAT),
            Field("cert_data.size", position + 2, 4, FORMAT),
        ]
        position += 6
    for name, size in SGX_REPORT:
        fields.append(Field(f"qe_report.{name}", position, size, QE_SIGNED))
        position += size
    auth = len(quote.qe_auth_data)
    fields += [
        Field("qe_report_signature.r", position, 32, QE_SIGNED),
        Field("qe_report_signature.s", position + 32, 32, QE_SIGNED),
        Field("qe_auth_data.size", position + 64, 2, FORMAT),
        Field("qe_auth_data", position + 66, auth, "qe.binding"),
        Field("pck_cert_data.type", position + 66 + auth, 2, FORMAT),
        Field("pck_cert_data.size", position + 68 + auth, 4, FORMAT),
    ]
    return fields


def flips() -> list[tuple[str, str, int, str]]:
    cases = []
    for b in bases():
        for field in layout(parse_quote(b.quote)):
            ends = {"first": field.offset, "last": field.offset + field.size - 1}
            for end, offset in ends.items():
                if end == "last" and field.size == 1:
                    continue
                cases.append((b.name, f"{field.name}[{end}]", offset, field.expect))
    return cases


FLIPS = flips()


@pytest.mark.parametrize(
    ("base_name", "field", "offset", "expect"), FLIPS, ids=[f"{c[0]}:{c[1]}" for c in FLIPS]
)
def test_flipped_quote_field_is_rejected(base_name: str, field: str, offset: int, expect: str) -> None:
    b = base(base_name)
    mutated = bytearray(b.quote)
    mutated[offset] ^= 0x01
    assert_rejected(b, bytes(mutated), expect)


def test_layout_covers_every_byte_up_to_the_pck_chain() -> None:
    for b in bases():
        quote = parse_quote(b.quote)
        fields = layout(quote)
        covered = sorted((f.offset, f.offset + f.size) for f in fields)
        assert covered[0][0] == 0
        assert all(end == start for (_, end), (start, _) in itertools.pairwise(covered))
        assert covered[-1][1] + len(quote.pck_chain_pem) == len(quote.signed) + 4 + int.from_bytes(
            b.quote[len(quote.signed) : len(quote.signed) + 4], "little"
        )


def signature_values() -> list[tuple[str, str, str, Callable[[int, int], tuple[int, int]]]]:
    edits: dict[str, Callable[[int, int], tuple[int, int]]] = {
        "r=0": lambda r, s: (0, s),
        "s=0": lambda r, s: (r, 0),
        "r=n": lambda r, s: (CURVE_ORDER, s),
        "s=n": lambda r, s: (r, CURVE_ORDER),
        "swapped": lambda r, s: (s, r),
        "all-ones": lambda r, s: (2**256 - 1, 2**256 - 1),
    }
    return [
        (b.name, which, label, edit)
        for b in bases()
        for which in ("quote", "qe_report")
        for label, edit in edits.items()
    ]


SIGNATURE_VALUES = signature_values()


@pytest.mark.parametrize(
    ("base_name", "which", "label", "edit"),
    SIGNATURE_VALUES,
    ids=[f"{c[0]}:{c[1]}:{c[2]}" for c in SIGNATURE_VALUES],
)
def test_degenerate_signature_values_are_rejected(
    base_name: str, which: str, label: str, edit: Callable[[int, int], tuple[int, int]]
) -> None:
    b = base(base_name)
    quote = parse_quote(b.quote)
    fields = {f.name: f for f in layout(quote)}
    start = fields["sig_data.quote_signature.r" if which == "quote" else "qe_report_signature.r"].offset
    r, s = (
        int.from_bytes(b.quote[start : start + 32], "big"),
        int.from_bytes(b.quote[start + 32 : start + 64], "big"),
    )
    new_r, new_s = edit(r, s)
    mutated = b.quote[:start] + new_r.to_bytes(32, "big") + new_s.to_bytes(32, "big") + b.quote[start + 64 :]
    assert_rejected(b, mutated, SIGNED if which == "quote" else QE_SIGNED)


def test_high_s_signatures_are_accepted() -> None:
    """ECDSA malleability: (r, n - s) is as valid as (r, s). Harmless here (nothing is keyed on the
    signature bytes) and what Intel QVL and dcap-qvl accept too; recorded so that it stays a decision."""
    b = base("sandbox-tdx-v4")
    start = next(f.offset for f in layout(parse_quote(b.quote)) if f.name == "sig_data.quote_signature.s")
    s = int.from_bytes(b.quote[start : start + 32], "big")
    mutated = b.quote[:start] + (CURVE_ORDER - s).to_bytes(32, "big") + b.quote[start + 32 :]
    assert b.verify(mutated).valid


# -- the PCK chain inside the quote ----------------------------------------------------------------------


def look_alike(certificate: x509.Certificate) -> x509.Certificate:
    """A self-signed certificate with exactly ``certificate``'s subject and dates but another key."""
    key = ec.generate_private_key(ec.SECP256R1())
    return (
        x509.CertificateBuilder()
        .subject_name(certificate.subject)
        .issuer_name(certificate.subject)
        .public_key(key.public_key())
        .serial_number(certificate.serial_number)
        .not_valid_before(certificate.not_valid_before_utc)
        .not_valid_after(certificate.not_valid_after_utc)
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .sign(key, hashes.SHA256())
    )


def pem(*certificates: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


CHAIN_EDITS: dict[str, tuple[Callable[[list[x509.Certificate]], bytes], str]] = {
    "root dropped": (lambda c: pem(c[0], c[1]), "pck.root_pinned"),
    "root of another hierarchy": (lambda c: pem(c[0], c[1], other_pki().root.certificate), "pck.root_pinned"),
    "look-alike root (same subject)": (lambda c: pem(c[0], c[1], look_alike(c[2])), "pck.root_pinned"),
    "extra certificate": (lambda c: pem(*c, c[1]), "pck.root_pinned"),
    "not PEM": (
        lambda c: b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n",
        "pck.root_pinned",
    ),
    "empty": (lambda c: b"", "pck.root_pinned"),
    "leaf of another hierarchy": (lambda c: pem(other_pki().pck.certificate, c[1], c[2]), "pck.chain"),
    "CA of another hierarchy": (lambda c: pem(c[0], other_pki().pck_ca.certificate, c[2]), "pck.chain"),
    "leaf and CA swapped": (lambda c: pem(c[1], c[0], c[2]), "pck.chain"),
    "CA as the leaf": (lambda c: pem(c[1], c[2], c[2]), "pck.chain"),
}
CHAIN_CASES = [(b.name, edit) for b in bases() for edit in CHAIN_EDITS]


@pytest.mark.parametrize(("base_name", "edit"), CHAIN_CASES, ids=[f"{c[0]}:{c[1]}" for c in CHAIN_CASES])
def test_tampered_pck_chain_is_rejected(base_name: str, edit: str) -> None:
    b = base(base_name)
    certificates = x509.load_pem_x509_certificates(parse_quote(b.quote).pck_chain_pem)
    make, expect = CHAIN_EDITS[edit]
    assert_rejected(b, replace_pck_chain(b.quote, make(certificates)), expect)


def test_chain_rebuilt_unchanged_still_verifies() -> None:
    for b in bases():
        assert b.verify(replace_pck_chain(b.quote, parse_quote(b.quote).pck_chain_pem)).valid


# -- collateral ------------------------------------------------------------------------------------------


def sandbox_documents() -> tuple[dict[str, Any], dict[str, Any]]:
    text = json.loads(sandbox_collateral_text("tdx"))
    return json.loads(text["tcb_info"]), json.loads(text["qe_identity"])


def with_tcb(edit: Callable[[dict[str, Any]], None]) -> str:
    document = sandbox_documents()[0]
    edit(document)
    return resign_document(sandbox_pki(), sandbox_collateral_text("tdx"), "tcb_info", document)


def with_qe(edit: Callable[[dict[str, Any]], None]) -> str:
    document = sandbox_documents()[1]
    edit(document)
    return resign_document(sandbox_pki(), sandbox_collateral_text("tdx"), "qe_identity", document)


def with_field(key: str, value: Callable[[str], str]) -> str:
    collateral = json.loads(sandbox_collateral_text("tdx"))
    collateral[key] = value(collateral[key])
    return json.dumps(collateral)


def flip_hex(text: str, index: int) -> str:
    return text[:index] + format(int(text[index], 16) ^ 1, "x") + text[index + 1 :]


def with_crls(
    *,
    root_revoked: tuple[int, ...] = (),
    pck_revoked: tuple[int, ...] = (),
    pck_crl_issuer: Identity | None = None,
    root_crl_issuer: Identity | None = None,
) -> str:
    pki = sandbox_pki()
    until = SANDBOX_EPOCH + timedelta(days=30)
    tcb, qe = sandbox_documents()
    return bundle(
        pki,
        tcb_info=tcb,
        qe_identity=qe,
        root_crl=pki.crl(
            root_crl_issuer or pki.root, this_update=SANDBOX_EPOCH, next_update=until, revoked=root_revoked
        ),
        pck_crl=pki.crl(
            pck_crl_issuer or pki.pck_ca, this_update=SANDBOX_EPOCH, next_update=until, revoked=pck_revoked
        ),
    )


def renamed(identity: Identity, like: Identity) -> Identity:
    """A CRL issuer that claims ``like``'s name but holds ``identity``'s key."""
    return Identity(identity.key, like.certificate)


def with_chain(key: str, *certificates: x509.Certificate) -> str:
    collateral = json.loads(sandbox_collateral_text("tdx"))
    collateral[key] = pem(*certificates).decode()
    return json.dumps(collateral)


def signed_by(identity: Identity, chain: tuple[x509.Certificate, ...]) -> str:
    """TCB info signed by ``identity`` (with ``chain`` as its issuer chain) instead of the TCB signer."""
    collateral = json.loads(sandbox_collateral_text("tdx"))
    collateral["tcb_info_signature"] = sign_raw(identity.key, collateral["tcb_info"].encode()).hex()
    collateral["tcb_info_issuer_chain"] = pem(*chain).decode()
    return json.dumps(collateral)


def level_svns(svn: int) -> Callable[[dict[str, Any]], None]:
    def edit(document: dict[str, Any]) -> None:
        for level in document["tcbLevels"]:
            level["tcb"]["sgxtcbcomponents"][0]["svn"] = svn

    return edit


def set_path(*path: Any, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(document: dict[str, Any]) -> None:
        target = document
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return edit


def drop_level(index: int) -> Callable[[dict[str, Any]], None]:
    return lambda document: document["tcbLevels"].pop(index) and None


def collateral_cases() -> dict[str, tuple[Callable[[], str], str]]:
    pki, other = sandbox_pki(), other_pki()
    module = ("tdxModuleIdentities", 0)
    return {
        "tcb_info signature r": (
            lambda: with_field("tcb_info_signature", lambda s: flip_hex(s, 0)),
            "tcb_info.signature",
        ),
        "tcb_info signature s": (
            lambda: with_field("tcb_info_signature", lambda s: flip_hex(s, 127)),
            "tcb_info.signature",
        ),
        "qe_identity signature r": (
            lambda: with_field("qe_identity_signature", lambda s: flip_hex(s, 0)),
            "qe_identity.signature",
        ),
        "qe_identity signature s": (
            lambda: with_field("qe_identity_signature", lambda s: flip_hex(s, 127)),
            "qe_identity.signature",
        ),
        "tcb_info FMSPC edited, not re-signed": (
            lambda: with_field("tcb_info", lambda s: s.replace('"fmspc":"5A', '"fmspc":"5B')),
            "tcb_info.signature",
        ),
        "tcb_info re-serialized": (
            lambda: with_field("tcb_info", lambda s: json.dumps(json.loads(s))),
            "tcb_info.signature",
        ),
        "qe_identity re-serialized": (
            lambda: with_field("qe_identity", lambda s: json.dumps(json.loads(s))),
            "qe_identity.signature",
        ),
        "qe_identity product edited, not re-signed": (
            lambda: with_field("qe_identity", lambda s: s.replace('"isvprodid":2', '"isvprodid":3')),
            "qe_identity.signature",
        ),
        "FMSPC of another platform": (
            lambda: with_tcb(set_path("fmspc", value="00906ED50000")),
            "tcb_info.platform",
        ),
        "PCE-ID of another platform": (
            lambda: with_tcb(set_path("pceId", value="0100")),
            "tcb_info.platform",
        ),
        "SGX TCB info for a TD": (lambda: with_tcb(set_path("id", value="SGX")), "tcb_info.platform"),
        "TCB type 1": (lambda: with_tcb(set_path("tcbType", value=1)), "tcb_info.platform"),
        "only an OutOfDate level": (lambda: with_tcb(drop_level(0)), "policy.tcb_status"),
        "every level above the platform": (lambda: with_tcb(level_svns(99)), "tcb.platform_level"),
        "PCESVN above the platform": (
            lambda: with_tcb(lambda d: [lvl["tcb"].update(pcesvn=99) for lvl in d["tcbLevels"]] and None),
            "tcb.platform_level",
        ),
        "TDX microcode above the TD": (
            lambda: with_tcb(set_path("tcbLevels", 0, "tcb", "tdxtcbcomponents", 2, "svn", value=9)),
            "policy.tcb_status",
        ),
        "matching level Revoked": (
            lambda: with_tcb(set_path("tcbLevels", 0, "tcbStatus", value="Revoked")),
            "tcb.status",
        ),
        "matching level ConfigurationNeeded": (
            lambda: with_tcb(set_path("tcbLevels", 0, "tcbStatus", value="ConfigurationNeeded")),
            "policy.tcb_status",
        ),
        "module identity missing": (
            lambda: with_tcb(set_path("tdxModuleIdentities", value=[])),
            "tdx.module",
        ),
        "module signer differs": (
            lambda: with_tcb(set_path(*module, "mrsigner", value="11" * 48)),
            "tdx.module",
        ),
        "module attributes differ": (
            lambda: with_tcb(set_path(*module, "attributes", value="0100000000000000")),
            "tdx.module",
        ),
        "module levels above the TD": (
            lambda: with_tcb(
                set_path(
                    *module,
                    "tcbLevels",
                    value=[
                        {"tcb": {"isvsvn": 9}, "tcbDate": "2025-01-01T00:00:00Z", "tcbStatus": "UpToDate"}
                    ],
                )
            ),
            "tdx.module",
        ),
        "module OutOfDate": (
            lambda: with_tcb(set_path(*module, "tcbLevels", 0, "tcbStatus", value="OutOfDate")),
            "policy.tcb_status",
        ),
        "module Revoked": (
            lambda: with_tcb(set_path(*module, "tcbLevels", 0, "tcbStatus", value="Revoked")),
            "tcb.status",
        ),
        "QE signer differs": (lambda: with_qe(set_path("mrsigner", value="22" * 32)), "qe_identity.report"),
        "QE product differs": (lambda: with_qe(set_path("isvprodid", value=1)), "qe_identity.report"),
        "QE attributes differ": (
            lambda: with_qe(set_path("attributes", value="13000000000000000000000000000000")),
            "qe_identity.report",
        ),
        "QE miscselect differs": (
            lambda: with_qe(set_path("miscselect", value="00000001")),
            "qe_identity.report",
        ),
        "SGX QE identity for a TD": (lambda: with_qe(set_path("id", value="QE")), "qe_identity.report"),
        "QE levels above the QE": (
            lambda: with_qe(
                set_path(
                    "tcbLevels",
                    value=[
                        {"tcb": {"isvsvn": 9}, "tcbDate": "2025-01-01T00:00:00Z", "tcbStatus": "UpToDate"}
                    ],
                )
            ),
            "qe_identity.tcb_level",
        ),
        "QE OutOfDate": (
            lambda: with_qe(set_path("tcbLevels", 0, "tcbStatus", value="OutOfDate")),
            "policy.tcb_status",
        ),
        "QE Revoked": (lambda: with_qe(set_path("tcbLevels", 0, "tcbStatus", value="Revoked")), "tcb.status"),
        "PCK CRL revokes the leaf": (
            lambda: with_crls(pck_revoked=(pki.pck.certificate.serial_number,)),
            "pck.leaf_not_revoked",
        ),
        "root CRL revokes the PCK CA": (
            lambda: with_crls(root_revoked=(pki.pck_ca.certificate.serial_number,)),
            "pck.ca_not_revoked",
        ),
        "root CRL revokes the TCB signer": (
            lambda: with_crls(root_revoked=(pki.tcb_signing.certificate.serial_number,)),
            "tcb_info.signer",
        ),
        "PCK CRL issued by the root": (lambda: with_crls(pck_crl_issuer=pki.root), "pck.crl"),
        "PCK CRL signed by a stranger": (
            lambda: with_crls(pck_crl_issuer=renamed(other.pck_ca, pki.pck_ca)),
            "pck.crl",
        ),
        "root CRL signed by a stranger": (
            lambda: with_crls(root_crl_issuer=renamed(other.root, pki.root)),
            "root.crl",
        ),
        "root CRL of another root": (lambda: with_crls(root_crl_issuer=other.root), "root.crl"),
        "TCB issuer chain of another hierarchy": (
            lambda: with_chain(
                "tcb_info_issuer_chain", other.tcb_signing.certificate, other.root.certificate
            ),
            "tcb_info.signer",
        ),
        "QE issuer chain of another hierarchy": (
            lambda: with_chain(
                "qe_identity_issuer_chain", other.tcb_signing.certificate, other.root.certificate
            ),
            "qe_identity.signer",
        ),
        "TCB issuer chain ends at a look-alike": (
            lambda: with_chain(
                "tcb_info_issuer_chain", pki.tcb_signing.certificate, look_alike(pki.root.certificate)
            ),
            "tcb_info.signer",
        ),
        "TCB info signed by the PCK CA": (
            lambda: signed_by(pki.pck_ca, (pki.pck_ca.certificate, pki.root.certificate)),
            "tcb_info.signer",
        ),
        "TCB info signed by the PCK leaf": (
            lambda: signed_by(pki.pck, (pki.pck.certificate, pki.root.certificate)),
            "tcb_info.signer",
        ),
    }


COLLATERAL_CASES = collateral_cases()


@pytest.mark.parametrize("case", COLLATERAL_CASES)
def test_tampered_collateral_is_rejected(case: str) -> None:
    make, expect = COLLATERAL_CASES[case]
    b = base("sandbox-tdx-v4")
    b = Base(b.name, b.quote, load_qvl_json(make()), b.now, b.root, b.policy)
    assert_rejected(b, b.quote, expect)


def test_qe_identity_for_sgx_must_say_qe() -> None:
    b = base("sandbox-sgx-v3")
    text = json.loads(sandbox_collateral_text("sgx"))
    document = json.loads(text["qe_identity"])
    document["id"] = "TD_QE"
    collateral = load_qvl_json(
        resign_document(sandbox_pki(), sandbox_collateral_text("sgx"), "qe_identity", document)
    )
    assert_rejected(Base(b.name, b.quote, collateral, b.now, b.root, b.policy), b.quote, "qe_identity.report")


# -- dates: one `now`, every boundary --------------------------------------------------------------------

ISSUED = SANDBOX_EPOCH
NEXT = SANDBOX_EPOCH + timedelta(days=30)
SECOND = timedelta(seconds=1)


def dated(
    *,
    tcb: tuple[datetime, datetime] = (ISSUED, NEXT),
    qe: tuple[datetime, datetime] = (ISSUED, NEXT),
    root_crl: tuple[datetime, datetime] = (ISSUED, NEXT),
    pck_crl: tuple[datetime, datetime] = (ISSUED, NEXT),
) -> str:
    pki = sandbox_pki()
    return bundle(
        pki,
        tcb_info=tcb_info_document(pki, tee="tdx", issued=tcb[0], next_update=tcb[1]),
        qe_identity=qe_identity_document(tee="tdx", issued=qe[0], next_update=qe[1]),
        root_crl=pki.crl(pki.root, this_update=root_crl[0], next_update=root_crl[1]),
        pck_crl=pki.crl(pki.pck_ca, this_update=pck_crl[0], next_update=pck_crl[1]),
    )


LATER = (ISSUED + timedelta(days=1), NEXT)
SOONER = (ISSUED, NEXT - timedelta(days=1))
DATE_CASES: dict[str, tuple[dict[str, tuple[datetime, datetime]], datetime, str | None]] = {
    "tcb_info at issueDate": ({"tcb": LATER}, LATER[0], None),
    "tcb_info before issueDate": ({"tcb": LATER}, LATER[0] - SECOND, "tcb_info.current"),
    "tcb_info just before nextUpdate": ({"tcb": SOONER}, SOONER[1] - SECOND, None),
    "tcb_info at nextUpdate": ({"tcb": SOONER}, SOONER[1], "tcb_info.current"),
    "qe_identity at issueDate": ({"qe": LATER}, LATER[0], None),
    "qe_identity before issueDate": ({"qe": LATER}, LATER[0] - SECOND, "qe_identity.current"),
    "qe_identity just before nextUpdate": ({"qe": SOONER}, SOONER[1] - SECOND, None),
    "qe_identity at nextUpdate": ({"qe": SOONER}, SOONER[1], "qe_identity.current"),
    "root CRL at thisUpdate": ({"root_crl": LATER}, LATER[0], None),
    "root CRL before thisUpdate": ({"root_crl": LATER}, LATER[0] - SECOND, "root.crl"),
    "root CRL just before nextUpdate": ({"root_crl": SOONER}, SOONER[1] - SECOND, None),
    "root CRL at nextUpdate": ({"root_crl": SOONER}, SOONER[1], "root.crl"),
    "PCK CRL at thisUpdate": ({"pck_crl": LATER}, LATER[0], None),
    "PCK CRL before thisUpdate": ({"pck_crl": LATER}, LATER[0] - SECOND, "pck.crl"),
    "PCK CRL just before nextUpdate": ({"pck_crl": SOONER}, SOONER[1] - SECOND, None),
    "PCK CRL at nextUpdate": ({"pck_crl": SOONER}, SOONER[1], "pck.crl"),
    "PCK certificates not yet valid": (
        {},
        sandbox_pki().pck.certificate.not_valid_before_utc - SECOND,
        "pck.chain",
    ),
}


@pytest.mark.parametrize("case", DATE_CASES)
def test_date_boundaries(case: str) -> None:
    windows, now, expect = DATE_CASES[case]
    collateral = load_qvl_json(dated(**windows))
    b = base("sandbox-tdx-v4")
    b = Base(b.name, b.quote, collateral, now, b.root, b.policy)
    if expect is None:
        report = b.verify(b.quote)
        assert report.valid, report.failures
        assert not report.grace_used
    else:
        assert_rejected(b, b.quote, expect)


@pytest.mark.parametrize("what", ["tcb", "qe", "root_crl", "pck_crl"])
def test_grace_period_boundaries(what: str) -> None:
    grace = timedelta(hours=6)  # shorter than the day between SOONER and the other documents
    collateral = load_qvl_json(dated(**{what: SOONER}))
    b = base("sandbox-tdx-v4")
    within = verify_quote(
        b.quote,
        collateral,
        now=SOONER[1] + grace - SECOND,
        root=b.root,
        policy=Policy(collateral_grace=grace),
    )
    assert within.valid and within.grace_used
    assert "grace period" in " ".join(c.detail for c in within.checks)
    beyond = verify_quote(
        b.quote, collateral, now=SOONER[1] + grace, root=b.root, policy=Policy(collateral_grace=grace)
    )
    assert not beyond.valid and not beyond.grace_used


def test_expired_pck_certificates() -> None:
    leaf = sandbox_pki().pck.certificate
    after = leaf.not_valid_after_utc + SECOND
    pki = sandbox_pki()
    text = bundle(
        pki,
        tcb_info=tcb_info_document(pki, tee="tdx", issued=after - SECOND, next_update=after + SECOND),
        qe_identity=qe_identity_document(tee="tdx", issued=after - SECOND, next_update=after + SECOND),
        root_crl=pki.crl(pki.root, this_update=after - SECOND, next_update=after + SECOND),
        pck_crl=pki.crl(pki.pck_ca, this_update=after - SECOND, next_update=after + SECOND),
    )
    b = base("sandbox-tdx-v4")
    assert_rejected(Base(b.name, b.quote, load_qvl_json(text), after, b.root, b.policy), b.quote, "pck.chain")


# -- real collateral, under Intel's root -----------------------------------------------------------------


def real_edit(name: str, key: str, value: Callable[[str], str]) -> Collateral:
    collateral = json.loads(real_collateral_text(name))
    collateral[key] = value(collateral[key])
    return load_qvl_json(json.dumps(collateral))


REAL_COLLATERAL_CASES: dict[str, tuple[str, Callable[[], Collateral], str]] = {
    "tcb_info one digit changed": (
        "tdx_quote",
        lambda: real_edit("tdx_quote", "tcb_info", lambda s: s.replace('"pcesvn":11', '"pcesvn":10', 1)),
        "tcb_info.signature",
    ),
    "tcb_info re-serialized": (
        "tdx_quote",
        lambda: real_edit("tdx_quote", "tcb_info", lambda s: json.dumps(json.loads(s))),
        "tcb_info.signature",
    ),
    "tcb_info signature flipped": (
        "sgx_quote",
        lambda: real_edit("sgx_quote", "tcb_info_signature", lambda s: flip_hex(s, 5)),
        "tcb_info.signature",
    ),
    "qe_identity re-serialized": (
        "sgx_quote",
        lambda: real_edit("sgx_quote", "qe_identity", lambda s: json.dumps(json.loads(s), indent=1)),
        "qe_identity.signature",
    ),
    "qe_identity signature flipped": (
        "tdx_quote_td15ex",
        lambda: real_edit("tdx_quote_td15ex", "qe_identity_signature", lambda s: flip_hex(s, 70)),
        "qe_identity.signature",
    ),
    "root CRL of the sandbox": (
        "tdx_quote",
        lambda: real_edit(
            "tdx_quote",
            "root_ca_crl",
            lambda s: (
                sandbox_pki().crl(sandbox_pki().root, this_update=SANDBOX_EPOCH, next_update=NEXT).hex()
            ),
        ),
        "root.crl",
    ),
    "PCK CRL of the other Intel CA": (
        "tdx_quote",
        lambda: real_edit(
            "tdx_quote", "pck_crl", lambda s: json.loads(real_collateral_text("sgx_quote"))["pck_crl"]
        ),
        "pck.crl",
    ),
}


@pytest.mark.parametrize("case", REAL_COLLATERAL_CASES)
def test_tampered_real_collateral_is_rejected(case: str) -> None:
    name, make, expect = REAL_COLLATERAL_CASES[case]
    b = base(name)
    assert_rejected(Base(b.name, b.quote, make(), b.now, b.root, b.policy), b.quote, expect)


@pytest.mark.parametrize("name", ["sgx_quote", "tdx_quote", "tdx_quote_td15ex"])
def test_real_collateral_expires_exclusively(name: str) -> None:
    b = base(name)
    report = b.verify(b.quote)
    assert report.valid
    at_expiry = Base(b.name, b.quote, b.collateral, b.now + SECOND, b.root, b.policy).verify(b.quote)
    assert not at_expiry.valid
    assert at_expiry.failures[0].name in {"root.crl", "pck.crl", "tcb_info.current", "qe_identity.current"}


# -- shared assertion ------------------------------------------------------------------------------------


def assert_rejected(b: Base, quote: bytes, expect: str) -> None:
    if expect == FORMAT:
        with pytest.raises(QuoteFormatError):
            b.verify(quote)
        return
    report = b.verify(quote)
    assert not report.valid
    first = report.failures[0]
    assert first.name == expect, [(c.name, c.detail) for c in report.failures]
    assert first.detail
