"""The verifier's contract: pinning by hash, one aware ``now``, the report's checks and measurements."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from desktop_app.core.attestation.quote import parse_quote
from desktop_app.core.attestation.report import SgxMeasurements
from desktop_app.core.attestation.trust import INTEL_SGX_ROOT_CA_SHA256, TrustAnchor, intel_root
from desktop_app.core.attestation.verify import verify_quote
from tests.support.attestation import last_valid_instant, real_collateral, real_quote

TDX_NOW = last_valid_instant(real_collateral("tdx_quote"))
CHECK_ORDER = [
    "pck.root_pinned", "pck.chain", "root.crl", "pck.ca_not_revoked", "pck.crl", "pck.leaf_not_revoked",
    "pck.extension", "qe.report_signature", "qe.binding", "quote.signature", "tcb_info.signer",
    "tcb_info.signature", "tcb_info.current", "qe_identity.signer", "qe_identity.signature",
    "qe_identity.current", "tcb_info.platform", "qe_identity.report", "qe_identity.tcb_level",
    "tcb.platform_level", "tdx.module", "tcb.status", "policy.tcb_status", "policy.debug",
    "policy.td_attributes", "policy.mr_service_td",
]  # fmt: skip


def test_intel_root_is_pinned_by_its_known_hash() -> None:
    root = intel_root()
    assert root.sha256 == INTEL_SGX_ROOT_CA_SHA256 == hashlib.sha256(root.der).digest()
    assert root.certificate.serial_number == 0x22650CD65A9D3489F383B49552BF501B392706AC
    embedded = x509.load_pem_x509_certificates(parse_quote(real_quote("sgx_quote")).pck_chain_pem)[-1]
    assert embedded.public_bytes(serialization.Encoding.DER) == root.der


def test_a_root_with_intels_name_but_another_key_is_not_intels() -> None:
    genuine = intel_root().certificate
    key = ec.generate_private_key(ec.SECP256R1())
    impostor = (
        x509.CertificateBuilder()
        .subject_name(genuine.subject)
        .issuer_name(genuine.subject)
        .public_key(key.public_key())
        .serial_number(genuine.serial_number)
        .not_valid_before(genuine.not_valid_before_utc)
        .not_valid_after(genuine.not_valid_after_utc)
        .sign(key, hashes.SHA256())
    )
    report = verify_quote(
        real_quote("tdx_quote"), real_collateral("tdx_quote"), now=TDX_NOW,
        root=TrustAnchor.from_certificate(impostor, "look-alike"),
    )  # fmt: skip
    assert not report.valid
    assert report.failures[0].name == "pck.root_pinned"
    assert "not the pinned look-alike" in report.failures[0].detail


def test_now_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        verify_quote(real_quote("tdx_quote"), real_collateral("tdx_quote"), now=datetime(2025, 7, 1))


def test_report_lists_every_check_in_spec_order() -> None:
    report = verify_quote(parse_quote(real_quote("tdx_quote")), real_collateral("tdx_quote"), now=TDX_NOW)
    assert [c.name for c in report.checks] == CHECK_ORDER
    assert all(c.ok and c.detail for c in report.checks)
    assert report.verified_at == TDX_NOW
    assert report.collateral_next_update - TDX_NOW == timedelta(seconds=1)  # TDX_NOW is the last valid second


def test_sgx_measurements_and_report_data() -> None:
    collateral = real_collateral("sgx_quote")
    report = verify_quote(real_quote("sgx_quote"), collateral, now=last_valid_instant(collateral))
    assert isinstance(report.measurements, SgxMeasurements)
    assert (
        report.measurements.mr_enclave.hex()
        == "33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb"
    )
    assert report.report_data.startswith(b"Hello, world!")
    assert "tdx.module" not in [c.name for c in report.checks]


def test_collateral_of_the_other_tee_is_rejected() -> None:
    report = verify_quote(real_quote("tdx_quote"), real_collateral("sgx_quote"), now=TDX_NOW)
    assert not report.valid
    failed = {c.name for c in report.failures}
    assert {"tcb_info.platform", "qe_identity.report"} <= failed
