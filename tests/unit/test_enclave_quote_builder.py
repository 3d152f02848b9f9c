"""The sandbox's quote builder and PKI: exact spec byte layout, and acceptance only under the sandbox root."""

from __future__ import annotations

import hashlib
import struct
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from desktop_app.core.attestation.collateral import load_qvl_json
from desktop_app.core.attestation.pck import SGX_EXTENSION_OID, pck_extension
from desktop_app.core.attestation.verify import verify_quote
from desktop_app.sandbox.enclave.pki import (
    SANDBOX_COMPONENT_SVNS,
    SANDBOX_FMSPC,
    SANDBOX_PCE_SVN,
    SandboxPki,
)
from desktop_app.sandbox.enclave.quote_builder import (
    INTEL_QE_VENDOR_ID,
    QE_AUTH_DATA,
    TD_SEPT_VE_DISABLE,
    build_collateral,
    build_tdx_quote,
)
from tests.support.attestation import (
    AN_HOUR_LATER,
    MR_TD,
    REPORT_DATA,
    SANDBOX_EPOCH,
    SandboxCase,
    sandbox_cases,
    sandbox_collateral,
    sandbox_pki,
    sandbox_root,
)

RTMRS = tuple(bytes([i]) * 48 for i in range(1, 5))
MR_CONFIG_ID = b"\xcc" * 48


def tdx_v4() -> bytes:
    return build_tdx_quote(
        sandbox_pki(), report_data=REPORT_DATA, mr_td=MR_TD, rtmrs=RTMRS, mr_config_id=MR_CONFIG_ID
    )


def test_tdx_v4_header_and_body_sit_at_the_spec_offsets() -> None:
    quote = tdx_v4()
    version, key_type, tee_type = struct.unpack_from("<HHI", quote, 0)
    assert (version, key_type, tee_type) == (4, 2, 0x81)
    assert quote[12:28] == INTEL_QE_VENDOR_ID
    assert quote[48:51] == bytes([3, 1, 2])  # TEE_TCB_SVN: module SVN, major version, ucode
    assert struct.unpack_from("<Q", quote, 168)[0] == TD_SEPT_VE_DISABLE  # TDATTRIBUTES
    assert quote[184:232] == MR_TD
    assert quote[232:280] == MR_CONFIG_ID
    assert [quote[376 + 48 * i : 424 + 48 * i] for i in range(4)] == list(RTMRS)
    assert quote[568:632] == REPORT_DATA


def test_tdx_v4_signature_data_layout_and_bindings() -> None:
    pki = sandbox_pki()
    quote = tdx_v4()
    (sig_len,) = struct.unpack_from("<I", quote, 632)
    assert len(quote) == 636 + sig_len  # no trailing padding
    signature, key = quote[636:700], quote[700:764]
    public = ec.EllipticCurvePublicNumbers(
        int.from_bytes(key[:32], "big"), int.from_bytes(key[32:], "big"), ec.SECP256R1()
    ).public_key()
    assert public.public_numbers() == pki.attestation_key.public_key().public_numbers()
    assert struct.unpack_from("<HI", quote, 764) == (6, sig_len - 128 - 6)
    qe_report = quote[770 : 770 + 384]
    assert qe_report[320:384] == hashlib.sha256(key + QE_AUTH_DATA).digest() + bytes(32)
    assert struct.unpack_from("<H", quote, 770 + 384 + 64)[0] == 32
    assert quote[1220:1252] == QE_AUTH_DATA
    cert_type, chain_size = struct.unpack_from("<HI", quote, 1252)
    assert cert_type == 5
    assert quote[1258 : 1258 + chain_size] == pki.pck_chain_pem()
    assert len(signature) == 64


def test_v5_descriptor_and_td15_fields() -> None:
    service = b"\x55" * 48
    quote = build_tdx_quote(
        sandbox_pki(), report_data=REPORT_DATA, mr_td=MR_TD, version=5, mr_service_td=service
    )
    assert struct.unpack_from("<HHIHI", quote, 0)[0] == 5
    assert struct.unpack_from("<HI", quote, 48) == (3, 648)
    assert quote[54 + 136 : 54 + 184] == MR_TD
    assert quote[54 + 600 : 54 + 648] == service


def test_pck_leaf_carries_the_intel_extension() -> None:
    leaf = sandbox_pki().pck.certificate
    assert leaf.extensions.get_extension_for_oid(SGX_EXTENSION_OID).critical is False
    extension = pck_extension(leaf)
    assert extension.fmspc == SANDBOX_FMSPC
    assert extension.component_svns == SANDBOX_COMPONENT_SVNS
    assert extension.pce_svn == SANDBOX_PCE_SVN
    assert extension.pce_id == bytes(2)
    names = [
        c.subject.rfc4514_string() for c in x509.load_pem_x509_certificates(sandbox_pki().pck_chain_pem())
    ]
    assert all("simulated" in name for name in names)


@pytest.mark.parametrize("case", sandbox_cases(), ids=lambda case: case.name)
def test_accepted_under_the_sandbox_root(case: SandboxCase) -> None:
    report = verify_quote(case.quote, sandbox_collateral(case.tee), now=AN_HOUR_LATER, root=sandbox_root())
    assert report.valid, report.failures
    assert report.status is not None and report.status.value == "UpToDate"
    assert report.report_data == REPORT_DATA


@pytest.mark.parametrize("case", sandbox_cases(), ids=lambda case: case.name)
def test_rejected_under_intels_root(case: SandboxCase) -> None:
    report = verify_quote(case.quote, sandbox_collateral(case.tee), now=AN_HOUR_LATER)
    assert not report.valid
    assert report.failures[0].name == "pck.root_pinned"
    assert report.root_label == "Intel SGX Root CA"
    for name in ("pck.chain", "root.crl", "tcb_info.signer", "qe_identity.signer"):
        assert not report.check(name).ok


def test_measurements_round_trip_through_the_verifier() -> None:
    report = verify_quote(tdx_v4(), sandbox_collateral("tdx"), now=AN_HOUR_LATER, root=sandbox_root())
    assert report.valid
    assert report.measurements.to_json() == {
        "mrTd": MR_TD.hex(),
        **{f"rtmr{i}": rtmr.hex() for i, rtmr in enumerate(RTMRS)},
        "mrConfigId": MR_CONFIG_ID.hex(),
    }


def test_saved_pki_signs_quotes_the_same_verifier_accepts(tmp_path: Path) -> None:
    sandbox_pki().save(tmp_path)
    loaded = SandboxPki.load(tmp_path)
    assert loaded.root_der == sandbox_pki().root_der
    quote = build_tdx_quote(loaded, report_data=REPORT_DATA, mr_td=MR_TD)
    collateral = load_qvl_json(build_collateral(loaded, tee="tdx", now=SANDBOX_EPOCH))
    assert verify_quote(quote, collateral, now=AN_HOUR_LATER, root=sandbox_root()).valid


def test_collateral_can_revoke_the_sandbox_platform() -> None:
    pki = sandbox_pki()
    text = build_collateral(
        pki, tee="tdx", now=SANDBOX_EPOCH, revoked_pck_serials=(pki.pck.certificate.serial_number,)
    )
    report = verify_quote(tdx_v4(), load_qvl_json(text), now=AN_HOUR_LATER, root=sandbox_root())
    assert [c.name for c in report.failures] == ["pck.leaf_not_revoked"]


def test_collateral_validity_follows_the_requested_window() -> None:
    text = build_collateral(sandbox_pki(), tee="tdx", now=SANDBOX_EPOCH, validity=timedelta(days=2))
    collateral = load_qvl_json(text)
    assert collateral.tcb.next_update - collateral.tcb.issue_date == timedelta(days=2)
    assert collateral.pck_crl.next_update_utc == SANDBOX_EPOCH + timedelta(days=2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"report_data": bytes(63)}, "REPORTDATA must be 64"),
        ({"mr_td": bytes(32)}, "MRTD must be 48"),
        ({"rtmrs": (bytes(48),) * 3}, "four RTMRs"),
        ({"rtmrs": (bytes(48),) * 3 + (bytes(47),)}, "RTMR3"),
        ({"version": 3}, "version 4 or 5"),
    ],
)
def test_builder_refuses_wrong_sizes(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"report_data": REPORT_DATA, "mr_td": MR_TD, **kwargs}
    with pytest.raises(ValueError, match=message):
        build_tdx_quote(sandbox_pki(), **arguments)  # type: ignore[arg-type]
