"""Full offline DCAP verification of an SGX or TDX quote against collateral (spec §3, steps 1–13).

Every check runs and is recorded with a readable reason, in the spec's order, so a report shows all
that is wrong and its first failure is the most basic one. One ``now`` is used for every certificate,
CRL and collateral date, so a verification can be replayed at a chosen instant and tested at the exact
boundaries. Trust comes only from the pinned root (by SHA-256 of its DER): the certificates inside the
quote and the issuer chains inside the collateral are just candidates checked against it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from desktop_app.core.attestation import chain
from desktop_app.core.attestation.collateral import Collateral, SignedDocument
from desktop_app.core.attestation.pck import PckExtension, PckExtensionError, pck_extension
from desktop_app.core.attestation.policy import Policy, policy_checks
from desktop_app.core.attestation.quote import Quote, Tee, parse_quote
from desktop_app.core.attestation.report import Check, SgxMeasurements, TdxMeasurements, VerificationReport
from desktop_app.core.attestation.tcb import (
    converge,
    platform_level,
    qe_identity_mismatch,
    qe_level,
    tdx_module,
    union,
)
from desktop_app.core.attestation.tcb_info import TcbStatus
from desktop_app.core.attestation.trust import TrustAnchor, intel_root


def verify_quote(
    quote: bytes | Quote,
    collateral: Collateral,
    *,
    now: datetime,
    root: TrustAnchor | None = None,
    policy: Policy | None = None,
) -> VerificationReport:
    """Verify ``quote`` at instant ``now`` (timezone-aware) against ``collateral``, pinned to ``root``
    (Intel's SGX Root CA by default), and apply ``policy`` (the default one if omitted).

    Raises :class:`QuoteFormatError` if the bytes are not a quote; every other problem is a failed check
    in the returned report.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    parsed = quote if isinstance(quote, Quote) else parse_quote(quote)
    return _Verification(parsed, collateral, now, root or intel_root(), policy or Policy()).run()


class _Verification:
    def __init__(
        self, quote: Quote, collateral: Collateral, now: datetime, root: TrustAnchor, policy: Policy
    ) -> None:
        self.quote = quote
        self.collateral = collateral
        self.now = now
        self.root = root
        self.policy = policy
        self.checks: list[Check] = []
        self.grace_used = False

    def record(self, name: str, problem: str | None, passed: str) -> bool:
        self.checks.append(Check(name, problem is None, passed if problem is None else problem))
        return problem is None

    def run(self) -> VerificationReport:
        quote, collateral = self.quote, self.collateral
        certificates = self._pck_chain()
        self._crl("root.crl", collateral.root_ca_crl, self.root.certificate, "root CA CRL")
        leaf, extension = None, None
        if certificates is None:
            for name in ("pck.ca_not_revoked", "pck.crl", "pck.leaf_not_revoked", "pck.extension"):
                self.record(name, "not checked: the quote's PCK chain is unusable", "")
        else:
            leaf, ca, _ = certificates
            self._not_revoked("pck.ca_not_revoked", collateral.root_ca_crl, ca, "root CA CRL")
            self._crl("pck.crl", collateral.pck_crl, ca, "PCK CRL")
            self._not_revoked("pck.leaf_not_revoked", collateral.pck_crl, leaf, "PCK CRL")
            extension = self._extension(leaf)
        self._qe_report(leaf)
        self._quote_signature()
        self._document("tcb_info", collateral.tcb_info)
        self._document("qe_identity", collateral.qe_identity)
        self._tcb_info_matches(extension)
        status, advisories = self._status(extension)
        self.checks.extend(policy_checks(quote, status, self.policy))
        return VerificationReport(
            tee=quote.tee,
            status=status,
            advisories=advisories,
            measurements=_measurements(quote),
            report_data=quote.report_data,
            checks=tuple(self.checks),
            verified_at=self.now,
            root_label=self.root.label,
            root_sha256=self.root.sha256,
            collateral_next_update=min(
                collateral.tcb.next_update,
                collateral.qe.next_update,
                *(
                    crl.next_update_utc
                    for crl in (collateral.root_ca_crl, collateral.pck_crl)
                    if crl.next_update_utc
                ),
            ),
            grace_used=self.grace_used,
        )

    # -- certificates (steps 2–4) ----------------------------------------------------------------------

    def _pck_chain(self) -> tuple[x509.Certificate, x509.Certificate, x509.Certificate] | None:
        """The quote's (leaf, CA, root) once checked against the pinned root, else ``None``."""
        try:
            certificates = x509.load_pem_x509_certificates(self.quote.pck_chain_pem)
        except chain.X509_ERRORS as e:
            certificates, error = [], str(e)
        else:
            error = next(filter(None, map(chain.unreadable, certificates)), "")
        if error:
            problem = f"the quote's PCK certificate chain cannot be read ({error})"
            self.record("pck.root_pinned", problem, "")
            self.record("pck.chain", problem, "")
            return None
        if len(certificates) != 3:
            problem = (
                f"the quote's PCK chain has {len(certificates)} certificates, expected leaf, CA and root"
            )
            self.record("pck.root_pinned", problem, "")
            self.record("pck.chain", problem, "")
            return None
        leaf, ca, root = certificates
        pinned = self.record(
            "pck.root_pinned",
            None
            if self.root.pins(root)
            else f"the chain ends at a root that is not the pinned {self.root.label}",
            f"the chain ends at the pinned {self.root.label} (SHA-256 {self.root.sha256.hex()[:16]}…)",
        )
        chain_problem = (
            chain.issued_by(leaf, ca)
            or chain.issued_by(ca, self.root.certificate)
            or chain.is_ca(ca)
            or chain.is_end_entity(leaf)
            or chain.valid_at(leaf, self.now)
            or chain.valid_at(ca, self.now)
            or chain.valid_at(self.root.certificate, self.now)
            or (None if chain.p256_key(leaf) else "the PCK leaf key is not ECDSA P-256")
        )
        chained = self.record(
            "pck.chain", chain_problem, "PCK leaf ← CA ← pinned root: signatures and validity hold"
        )
        return (leaf, ca, root) if pinned and chained else None

    def _crl(
        self, name: str, crl: x509.CertificateRevocationList, issuer: x509.Certificate, what: str
    ) -> None:
        problem = chain.crl_problem(crl, issuer, self.now, self.policy.collateral_grace)
        passed = f"the {what} is signed by its issuer and current"
        next_update = crl.next_update_utc
        if problem is None and next_update is not None and self.now >= next_update:
            self.grace_used = True
            passed = (
                f"the {what} is signed, past its nextUpdate ({next_update:%Y-%m-%d}) within the grace period"
            )
        self.record(name, problem, passed)

    def _not_revoked(
        self, name: str, crl: x509.CertificateRevocationList, certificate: x509.Certificate, what: str
    ) -> None:
        serial = f"{certificate.serial_number:x}"
        self.record(
            name,
            f"certificate serial {serial} is revoked by the {what}"
            if chain.revoked(crl, certificate)
            else None,
            f"certificate serial {serial} is not on the {what}",
        )

    def _extension(self, leaf: x509.Certificate) -> PckExtension | None:
        try:
            extension = pck_extension(leaf)
        except PckExtensionError as e:
            self.record("pck.extension", str(e), "")
            return None
        self.record(
            "pck.extension",
            None,
            f"FMSPC {extension.fmspc.hex().upper()}, PCE-ID {extension.pce_id.hex().upper()}, "
            f"PCESVN {extension.pce_svn}",
        )
        return extension

    # -- quote signatures (steps 5–7) ------------------------------------------------------------------

    def _qe_report(self, leaf: x509.Certificate | None) -> None:
        quote = self.quote
        key = chain.p256_key(leaf) if leaf is not None else None
        if key is None:
            self.record("qe.report_signature", "not checked: no usable PCK leaf key", "")
        else:
            signed = _ecdsa_ok(key, quote.qe_report_signature, quote.qe_report.raw)
            self.record(
                "qe.report_signature",
                None if signed else "the QE report signature does not verify with the PCK leaf key",
                "the QE report is signed by the PCK leaf key",
            )
        binding = hashlib.sha256(quote.attestation_key + quote.qe_auth_data).digest() + bytes(32)
        self.record(
            "qe.binding",
            None
            if quote.qe_report.report_data == binding
            else "the QE report's REPORTDATA is not SHA-256(attestation key ‖ QE auth data) ‖ zeros",
            "the QE report binds the attestation key",
        )

    def _quote_signature(self) -> None:
        quote = self.quote
        try:
            key = ec.EllipticCurvePublicKey.from_encoded_point(
                ec.SECP256R1(), b"\x04" + quote.attestation_key
            )
        except ValueError:
            self.record("quote.signature", "the attestation key is not a P-256 point", "")
            return
        self.record(
            "quote.signature",
            None
            if _ecdsa_ok(key, quote.signature, quote.signed)
            else "the quote signature does not verify with the attestation key",
            "header and report body are signed by the attestation key",
        )

    # -- collateral (step 8) ---------------------------------------------------------------------------

    def _document(self, name: str, document: SignedDocument) -> None:
        signer = document.issuer_chain[0]
        problem = (
            None
            if document.issuer_chain[-1] is signer or self.root.pins(document.issuer_chain[-1])
            else f"the issuer chain ends at a root that is not the pinned {self.root.label}"
        )
        problem = (
            problem
            or chain.issued_by(signer, self.root.certificate)
            or chain.is_end_entity(signer)
            or chain.valid_at(signer, self.now)
            or (
                f"the signing certificate (serial {signer.serial_number:x}) is revoked by the root CA CRL"
                if chain.revoked(self.collateral.root_ca_crl, signer)
                else None
            )
        )
        self.record(
            f"{name}.signer", problem, "signed by a certificate of the pinned root, valid and not revoked"
        )
        key = chain.p256_key(signer)
        signed = key is not None and _ecdsa_ok(key, document.signature, document.body)
        self.record(
            f"{name}.signature",
            None if signed else "the signature does not verify over the served bytes",
            "the signature verifies over the exact served bytes",
        )
        dates = self.collateral.tcb if name == "tcb_info" else self.collateral.qe
        problem = chain.window_problem(
            dates.issue_date, dates.next_update, self.now, self.policy.collateral_grace, name
        )
        passed = f"issued {dates.issue_date:%Y-%m-%d %H:%M}Z, next update {dates.next_update:%Y-%m-%d %H:%M}Z"
        if problem is None and self.now >= dates.next_update:
            self.grace_used = True
            passed += ": past its nextUpdate, accepted within the grace period"
        self.record(f"{name}.current", problem, passed)

    def _tcb_info_matches(self, extension: PckExtension | None) -> None:
        tcb = self.collateral.tcb
        expected = "SGX" if self.quote.tee is Tee.SGX else "TDX"
        if extension is None:
            problem: str | None = "not checked: the PCK extension is unreadable"
        elif tcb.id != expected:
            problem = f'the TCB info is for "{tcb.id}", the quote is {expected}'
        elif tcb.tcb_type != 0:
            problem = f"TCB type {tcb.tcb_type} is not supported (0)"
        elif tcb.fmspc != extension.fmspc:
            problem = f"TCB info FMSPC {tcb.fmspc.hex().upper()} ≠ PCK FMSPC {extension.fmspc.hex().upper()}"
        elif tcb.pce_id != extension.pce_id:
            problem = (
                f"TCB info PCE-ID {tcb.pce_id.hex().upper()} ≠ PCK PCE-ID {extension.pce_id.hex().upper()}"
            )
        else:
            problem = None
        self.record("tcb_info.platform", problem, f"{expected} TCB info for this platform's FMSPC and PCE-ID")

    # -- TCB status (steps 9–12) -----------------------------------------------------------------------

    def _status(self, extension: PckExtension | None) -> tuple[TcbStatus | None, tuple[str, ...]]:
        quote = self.quote
        qe = quote.qe_report
        expected_id = "QE" if quote.tee is Tee.SGX else "TD_QE"
        self.record(
            "qe_identity.report",
            qe_identity_mismatch(self.collateral.qe, qe, expected_id),
            f"the quoting enclave is Intel's {expected_id}",
        )
        qe_tcb = qe_level(self.collateral.qe, qe.isv_svn)
        self.record(
            "qe_identity.tcb_level",
            None if qe_tcb else f"no QE TCB level covers ISVSVN {qe.isv_svn}",
            f"QE ISVSVN {qe.isv_svn}: {qe_tcb.status if qe_tcb else ''}",
        )
        td = quote.td
        level = None
        if extension is None:
            self.record("tcb.platform_level", "not checked: the PCK extension is unreadable", "")
        else:
            level = platform_level(self.collateral.tcb, extension, td.tee_tcb_svn if td else None)
            self.record(
                "tcb.platform_level",
                None if level else "TCB level not supported: no level matches the platform's SVNs",
                f"platform TCB level of {level.tcb_date:%Y-%m-%d}: {level.status}" if level else "",
            )
        module_status: TcbStatus | None = None
        module_advisories: tuple[str, ...] = ()
        module_ok = True
        if td is not None:
            module = tdx_module(self.collateral.tcb, td)
            if isinstance(module, str):
                module_ok = self.record("tdx.module", module, "")
            else:
                identity_entry, module_level = module
                if module_level is not None:
                    module_status, module_advisories = module_level.status, module_level.advisory_ids
                self.record(
                    "tdx.module",
                    None,
                    f"TDX module {identity_entry.id or 'version 0'}"
                    + (f": {module_status}" if module_status else ""),
                )
        if level is None or qe_tcb is None or not module_ok:
            self.record("tcb.status", "no TCB status: see the failed TCB checks above", "")
            return None, ()
        status = level.status
        if module_status is not None:
            status = converge(status, module_status)
        status = converge(status, qe_tcb.status)
        advisories = union(level.advisory_ids, module_advisories, qe_tcb.advisory_ids)
        detail = f"{status} (platform {level.status}, QE {qe_tcb.status}"
        detail += f", module {module_status})" if module_status else ")"
        if advisories:
            detail += "; advisories " + ", ".join(advisories)
        self.record("tcb.status", "Revoked: " + detail if status is TcbStatus.REVOKED else None, detail)
        return status, advisories


def _ecdsa_ok(key: ec.EllipticCurvePublicKey, signature: bytes, data: bytes) -> bool:
    """Verify a raw 64-byte ``r‖s`` ECDSA-P256-SHA256 signature (DCAP's encoding) over ``data``."""
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    try:
        key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def _measurements(quote: Quote) -> SgxMeasurements | TdxMeasurements:
    if quote.td is not None:
        td = quote.td
        return TdxMeasurements(td.mr_td, td.rtmr, td.mr_config_id, td.mr_service_td)
    assert quote.enclave is not None
    enclave = quote.enclave
    return SgxMeasurements(enclave.mr_enclave, enclave.mr_signer, enclave.isv_prod_id, enclave.isv_svn)
