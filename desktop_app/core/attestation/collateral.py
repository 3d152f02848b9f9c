"""Collateral: what Intel publishes to judge a quote (TCB info, QE identity, CRLs and their issuer chains).

Two shapes are read: dcap-qvl's portable ``QuoteCollateralV3`` JSON (what the app stores and passes
around) and the raw Intel PCS/PCCS responses (bodies plus issuer-chain headers). Intel signs the inner
``tcbInfo`` / ``enclaveIdentity`` JSON *as bytes*, so the signed text is sliced out of the served body
exactly as it was served, never re-serialized (spec §8: ``json.loads`` then ``dumps`` breaks it).

Everything is decoded eagerly here (certificates, CRLs, the two documents), so a :class:`Collateral`
is always well-formed and any malformation surfaces as one :class:`CollateralFormatError`. Whether the
collateral is *trustworthy* (signatures, dates, revocation) is decided by the verifier.

A bundle serves one :class:`CollateralKey` (TEE, FMSPC, PCK CA) and a quote names the key it needs, so
collateral fetched once can be filed and found again for every quote of the same platform model.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from urllib.parse import unquote

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from desktop_app.core.attestation.chain import X509_ERRORS, unreadable
from desktop_app.core.attestation.errors import CollateralFormatError, QuoteFormatError
from desktop_app.core.attestation.pck import PckExtensionError, pck_extension
from desktop_app.core.attestation.quote import Quote, Tee, parse_quote
from desktop_app.core.attestation.tcb_info import (
    EnclaveIdentity,
    TcbInfo,
    load_json_object,
    parse_enclave_identity,
    parse_tcb_info,
)

_QVL_KEYS = (
    "pck_crl_issuer_chain",
    "root_ca_crl",
    "pck_crl",
    "tcb_info_issuer_chain",
    "tcb_info",
    "tcb_info_signature",
    "qe_identity_issuer_chain",
    "qe_identity",
    "qe_identity_signature",
)


@dataclass(frozen=True)
class SignedDocument:
    """A signed Intel JSON document as served: the exact signed bytes, raw ``r‖s`` and its issuer chain."""

    body: bytes
    signature: bytes
    issuer_chain: tuple[x509.Certificate, ...]


@dataclass(frozen=True)
class Collateral:
    tcb_info: SignedDocument
    qe_identity: SignedDocument
    root_ca_crl: x509.CertificateRevocationList
    pck_crl: x509.CertificateRevocationList
    pck_crl_issuer_chain: tuple[x509.Certificate, ...]
    tcb: TcbInfo
    qe: EnclaveIdentity


def load_qvl_json(text: str | bytes) -> Collateral:
    """Read dcap-qvl's ``QuoteCollateralV3`` JSON (``tcb_info``/``qe_identity`` hold the signed JSON text)."""
    raw = _utf8(text, "the collateral file") if isinstance(text, str) else text
    doc = load_json_object(raw, "the collateral file")
    for key in _QVL_KEYS:
        if not isinstance(doc.get(key), str):
            raise CollateralFormatError(f"{key} is missing or not a string")
    values: dict[str, str] = {key: doc[key] for key in _QVL_KEYS}
    checked: set[bytes] = set()
    return _build(
        tcb_info=SignedDocument(
            _utf8(values["tcb_info"], "tcb_info"),
            _signature(values["tcb_info_signature"], "tcb_info_signature"),
            _chain(values["tcb_info_issuer_chain"], "tcb_info_issuer_chain", checked),
        ),
        qe_identity=SignedDocument(
            _utf8(values["qe_identity"], "qe_identity"),
            _signature(values["qe_identity_signature"], "qe_identity_signature"),
            _chain(values["qe_identity_issuer_chain"], "qe_identity_issuer_chain", checked),
        ),
        root_ca_crl=_crl(values["root_ca_crl"].encode("ascii", "replace"), "root_ca_crl"),
        pck_crl=_crl(values["pck_crl"].encode("ascii", "replace"), "pck_crl"),
        pck_crl_issuer_chain=_chain(values["pck_crl_issuer_chain"], "pck_crl_issuer_chain", checked),
    )


def from_pcs(
    *,
    tcb_info_response: bytes,
    tcb_info_issuer_chain: str,
    qe_identity_response: bytes,
    qe_identity_issuer_chain: str,
    pck_crl: bytes,
    pck_crl_issuer_chain: str,
    root_ca_crl: bytes,
) -> Collateral:
    """Assemble collateral from Intel PCS (or PCCS) responses.

    Bodies are the verbatim HTTP bodies (``{"tcbInfo":…,"signature":…}``); issuer chains are the header
    values, URL-encoded or plain PEM; CRLs may be DER, PEM or the hex text a PCCS serves.
    """
    tcb_body, tcb_signature = _signed_member(tcb_info_response, "tcbInfo")
    checked: set[bytes] = set()
    qe_body, qe_signature = _signed_member(qe_identity_response, "enclaveIdentity")
    return _build(
        tcb_info=SignedDocument(
            tcb_body, tcb_signature, _chain(tcb_info_issuer_chain, "TCB info issuer chain", checked)
        ),
        qe_identity=SignedDocument(
            qe_body, qe_signature, _chain(qe_identity_issuer_chain, "QE identity issuer chain", checked)
        ),
        root_ca_crl=_crl(root_ca_crl, "root CA CRL"),
        pck_crl=_crl(pck_crl, "PCK CRL"),
        pck_crl_issuer_chain=_chain(pck_crl_issuer_chain, "PCK CRL issuer chain", checked),
    )


def to_qvl_json(collateral: Collateral) -> str:
    """The portable ``QuoteCollateralV3`` JSON of ``collateral`` (the signed bodies kept byte for byte)."""

    def pem(chain: tuple[x509.Certificate, ...]) -> str:
        return "".join(c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in chain)

    return json.dumps(
        {
            "pck_crl_issuer_chain": pem(collateral.pck_crl_issuer_chain),
            "root_ca_crl": collateral.root_ca_crl.public_bytes(serialization.Encoding.DER).hex(),
            "pck_crl": collateral.pck_crl.public_bytes(serialization.Encoding.DER).hex(),
            "tcb_info_issuer_chain": pem(collateral.tcb_info.issuer_chain),
            "tcb_info": collateral.tcb_info.body.decode("utf-8"),
            "tcb_info_signature": collateral.tcb_info.signature.hex(),
            "qe_identity_issuer_chain": pem(collateral.qe_identity.issuer_chain),
            "qe_identity": collateral.qe_identity.body.decode("utf-8"),
            "qe_identity_signature": collateral.qe_identity.signature.hex(),
        }
    )


PckCa = Literal["processor", "platform"]


@dataclass(frozen=True)
class CollateralKey:
    """What selects a platform's collateral (spec §4, "Cache keys"): the TEE (TCB info and QE identity
    differ between SGX and TDX), the platform model's FMSPC, and which PCK CA's CRL applies. Every quote
    of one platform model shares it, so one cached bundle serves them all."""

    tee: Tee
    fmspc: str  # 12 upper-case hex digits
    ca: PckCa

    def __str__(self) -> str:
        return f"{self.tee.value.upper()} FMSPC {self.fmspc}, PCK {self.ca} CA"


def collateral_key(collateral: Collateral) -> CollateralKey:
    """The key ``collateral`` claims to serve: read from its (not yet verified) TCB info and PCK CRL."""
    tees = {"SGX": Tee.SGX, "TDX": Tee.TDX}
    if collateral.tcb.id not in tees:
        raise CollateralFormatError(f'the TCB info is for "{collateral.tcb.id}", neither SGX nor TDX')
    ca = _pck_ca(collateral.pck_crl.issuer)
    if ca is None:
        raise CollateralFormatError("the PCK CRL is issued by neither a PCK Processor nor a Platform CA")
    return CollateralKey(tees[collateral.tcb.id], collateral.tcb.fmspc.hex().upper(), ca)


def quote_collateral_key(quote: bytes | Quote) -> CollateralKey:
    """The key of the collateral ``quote`` needs: its TEE, the FMSPC in its PCK leaf, and the CA that
    issued that leaf (spec §1.5: the issuer's name picks the CRL)."""
    parsed = quote if isinstance(quote, Quote) else parse_quote(quote)
    try:
        leaf = x509.load_pem_x509_certificates(parsed.pck_chain_pem)[0]
        fmspc = pck_extension(leaf).fmspc
        ca = _pck_ca(leaf.issuer)
    except (*X509_ERRORS, PckExtensionError) as e:
        raise QuoteFormatError(f"its PCK certificate cannot be read ({e})") from e
    if ca is None:
        raise QuoteFormatError("its PCK certificate is issued by neither a PCK Processor nor a Platform CA")
    return CollateralKey(parsed.tee, fmspc.hex().upper(), ca)


def earliest_next_update(collateral: Collateral) -> datetime:
    """When the first part of ``collateral`` (TCB info, QE identity, either CRL) is due to be replaced."""
    return min(
        collateral.tcb.next_update,
        collateral.qe.next_update,
        *(crl.next_update_utc for crl in (collateral.root_ca_crl, collateral.pck_crl) if crl.next_update_utc),
    )


def _pck_ca(name: x509.Name) -> PckCa | None:
    """Intel names the two PCK CAs "Intel SGX PCK Processor CA" and "Intel SGX PCK Platform CA"."""
    common = " ".join(str(a.value) for a in name.get_attributes_for_oid(x509.NameOID.COMMON_NAME))
    if "Processor CA" in common:
        return "processor"
    if "Platform CA" in common:
        return "platform"
    return None


def _build(
    *,
    tcb_info: SignedDocument,
    qe_identity: SignedDocument,
    root_ca_crl: x509.CertificateRevocationList,
    pck_crl: x509.CertificateRevocationList,
    pck_crl_issuer_chain: tuple[x509.Certificate, ...],
) -> Collateral:
    return Collateral(
        tcb_info=tcb_info,
        qe_identity=qe_identity,
        root_ca_crl=root_ca_crl,
        pck_crl=pck_crl,
        pck_crl_issuer_chain=pck_crl_issuer_chain,
        tcb=parse_tcb_info(tcb_info.body),
        qe=parse_enclave_identity(qe_identity.body),
    )


def _signed_member(body: bytes, key: str) -> tuple[bytes, bytes]:
    """(exact bytes of ``body[key]``, decoded ``body["signature"]``) for a PCS response body.

    Walks the top-level object with the standard decoder to find where each member's value starts and
    ends in the served text, so the signed bytes are a slice of what was received.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CollateralFormatError(f"the {key} response is not UTF-8") from e
    load_json_object(body, f"the {key} response")  # strictness (duplicates, NaN) before slicing
    spans = _member_spans(text)
    if key not in spans or "signature" not in spans:
        raise CollateralFormatError(f'the response lacks "{key}" or "signature"')
    start, end = spans["signature"]
    signature = json.loads(text[start:end])
    if not isinstance(signature, str):
        raise CollateralFormatError("the response's signature is not a string")
    start, end = spans[key]
    return text[start:end].encode("utf-8"), _signature(signature, f"{key} signature")


def _member_spans(text: str) -> dict[str, tuple[int, int]]:
    decoder = json.JSONDecoder()
    spans: dict[str, tuple[int, int]] = {}
    position = _skip_space(text, 0)
    if not text.startswith("{", position):
        raise CollateralFormatError("the response is not a JSON object")
    position = _skip_space(text, position + 1)
    while not text.startswith("}", position):
        try:
            name, position = decoder.raw_decode(text, position)
            if not isinstance(name, str):
                raise ValueError("expected a member name")
            position = _skip_space(text, position)
            if not text.startswith(":", position):
                raise ValueError("expected ':'")
            start = _skip_space(text, position + 1)
            _, end = decoder.raw_decode(text, start)
        except (ValueError, RecursionError) as e:  # already validated above; this is belt and braces
            raise CollateralFormatError(f"the response is not valid JSON ({e})") from e
        spans[name] = (start, end)
        position = _skip_space(text, end)
        if text.startswith(",", position):
            position = _skip_space(text, position + 1)
    return spans


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _utf8(text: str, what: str) -> bytes:
    """UTF-8 of ``text``; JSON can smuggle lone surrogates (``"\\ud800"``), which have none."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise CollateralFormatError(f"{what} is not valid Unicode") from e


def _signature(text: str, what: str) -> bytes:
    try:
        raw = bytes.fromhex(text)
    except ValueError as e:
        raise CollateralFormatError(f"{what} is not hex") from e
    if len(raw) != 64:
        raise CollateralFormatError(f"{what} is {len(raw)} bytes, expected 64 (r‖s)")
    return raw


def _chain(text: str, what: str, checked: set[bytes]) -> tuple[x509.Certificate, ...]:
    """The certificates of a PEM (or URL-encoded PEM) chain, each fully decoded once: the three chains of
    one collateral share their root and usually their signer, so ``checked`` remembers DERs already seen."""
    pem = unquote(text) if "%" in text else text
    try:
        certificates = x509.load_pem_x509_certificates(_utf8(pem, what))
    except X509_ERRORS as e:
        raise CollateralFormatError(f"{what} holds no readable PEM certificate ({e})") from e
    for certificate in certificates:
        der = certificate.public_bytes(serialization.Encoding.DER)
        if der in checked:
            continue
        problem = unreadable(certificate)
        if problem is not None:
            raise CollateralFormatError(f"{what} holds an unreadable certificate ({problem})")
        checked.add(der)
    return tuple(certificates)


def _crl(data: bytes, what: str) -> x509.CertificateRevocationList:
    """A CRL given as DER, PEM, or hex text of the DER (how a PCCS serves the root CA CRL)."""
    stripped = data.strip()
    try:
        if stripped.startswith(b"-----BEGIN"):
            crl = x509.load_pem_x509_crl(stripped)
        elif re.fullmatch(rb"[0-9a-fA-F]+", stripped):
            crl = x509.load_der_x509_crl(bytes.fromhex(stripped.decode("ascii")))
        else:
            crl = x509.load_der_x509_crl(data)
    except X509_ERRORS as e:
        raise CollateralFormatError(f"{what} is not a readable CRL ({e})") from e
    problem = unreadable(crl)
    if problem is not None:
        raise CollateralFormatError(f"{what} is not a readable CRL ({problem})")
    return crl
