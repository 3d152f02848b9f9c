"""TCB level selection and status convergence (spec §3 steps 9–12), on hand-made values."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from cryptography import x509

from desktop_app.core.attestation.pck import PckExtension, pck_extension
from desktop_app.core.attestation.quote import parse_quote
from desktop_app.core.attestation.tcb import (
    converge,
    platform_level,
    qe_identity_mismatch,
    qe_level,
    tdx_module,
    union,
)
from desktop_app.core.attestation.tcb_info import TcbLevel, TcbStatus
from tests.support.attestation import real_collateral, real_quote, sandbox_cases, sandbox_collateral

S = TcbStatus
DATE = datetime(2025, 1, 1, tzinfo=UTC)


def level(sgx: int, pce: int, tdx: list[int] | None, status: TcbStatus) -> TcbLevel:
    return TcbLevel(
        (sgx,) * 16, pce, None if tdx is None else tuple(tdx + [0] * (16 - len(tdx))), DATE, status, ()
    )


def pck(sgx: int, pce: int) -> PckExtension:
    return PckExtension(bytes(16), (sgx,) * 16, pce, bytes(16), bytes(2), bytes(6), 0, None, None, None)


@pytest.mark.parametrize(
    ("platform", "other", "expected"),
    [
        (S.UP_TO_DATE, S.OUT_OF_DATE, S.OUT_OF_DATE),
        (S.SW_HARDENING_NEEDED, S.OUT_OF_DATE, S.OUT_OF_DATE),
        (S.CONFIGURATION_NEEDED, S.OUT_OF_DATE, S.OUT_OF_DATE_CONFIGURATION_NEEDED),
        (S.CONFIGURATION_AND_SW_HARDENING_NEEDED, S.OUT_OF_DATE, S.OUT_OF_DATE_CONFIGURATION_NEEDED),
        (S.OUT_OF_DATE, S.OUT_OF_DATE, S.OUT_OF_DATE),
        (S.OUT_OF_DATE_CONFIGURATION_NEEDED, S.OUT_OF_DATE, S.OUT_OF_DATE_CONFIGURATION_NEEDED),
        (S.UP_TO_DATE, S.REVOKED, S.REVOKED),
        (S.CONFIGURATION_NEEDED, S.REVOKED, S.REVOKED),
        (S.CONFIGURATION_NEEDED, S.UP_TO_DATE, S.CONFIGURATION_NEEDED),
        (S.SW_HARDENING_NEEDED, S.UP_TO_DATE, S.SW_HARDENING_NEEDED),
        (S.REVOKED, S.UP_TO_DATE, S.REVOKED),
    ],
)
def test_convergence_follows_intel(platform: TcbStatus, other: TcbStatus, expected: TcbStatus) -> None:
    assert converge(platform, other) is expected


def test_first_reached_level_wins_and_pcesvn_counts() -> None:
    info = replace(
        real_collateral("sgx_quote").tcb,
        levels=(
            level(5, 10, None, S.UP_TO_DATE),
            level(3, 10, None, S.SW_HARDENING_NEEDED),
            level(0, 0, None, S.OUT_OF_DATE),
        ),
    )
    assert platform_level(info, pck(5, 10), None) == info.levels[0]
    assert platform_level(info, pck(5, 9), None) == info.levels[2]  # PCESVN too low for the first two
    assert platform_level(info, pck(4, 12), None) == info.levels[1]
    assert platform_level(replace(info, levels=info.levels[:2]), pck(2, 12), None) is None


def test_tdx_module_svn_bytes_are_skipped_only_for_module_versions_above_zero() -> None:
    info = replace(
        sandbox_collateral("tdx").tcb,
        levels=(level(0, 0, [9, 9, 2], S.UP_TO_DATE), level(0, 0, [0], S.OUT_OF_DATE)),
    )
    newer_module = bytes([3, 1, 2]) + bytes(13)
    version_zero = bytes([3, 0, 2]) + bytes(13)
    assert platform_level(info, pck(0, 0), newer_module) == info.levels[0]
    assert platform_level(info, pck(0, 0), version_zero) == info.levels[1]
    assert platform_level(info, pck(0, 0), bytes([3, 1, 1]) + bytes(13)) == info.levels[1]


def test_sgx_tcb_info_never_matches_a_td() -> None:
    info = real_collateral("sgx_quote").tcb
    assert platform_level(info, pck(255, 255), bytes(16)) is None


def test_module_identity_by_major_version() -> None:
    info = real_collateral("tdx_quote").tcb
    td = parse_quote(real_quote("tdx_quote")).td
    assert td is not None
    found = tdx_module(info, td)
    assert not isinstance(found, str)
    assert found[0].id == "TDX_01" and found[1] is not None and found[1].status is S.UP_TO_DATE
    assert tdx_module(info, replace(td, tee_tcb_svn=bytes([9, 7]) + bytes(14))) == (
        "the TCB info has no module identity TDX_07"
    )
    assert "covers module SVN 1" in str(tdx_module(info, replace(td, tee_tcb_svn=bytes([1, 1]) + bytes(14))))
    assert "MRSIGNERSEAM" in str(tdx_module(info, replace(td, mr_signer_seam=b"\x01" * 48)))
    assert "SEAMATTRIBUTES" in str(tdx_module(info, replace(td, seam_attributes=b"\x01" + bytes(7))))
    version_zero = tdx_module(info, replace(td, tee_tcb_svn=bytes(16)))
    assert not isinstance(version_zero, str) and version_zero[1] is None  # tdxModule has no levels


def test_qe_level_and_advisory_union() -> None:
    identity = sandbox_collateral("tdx").qe
    assert qe_level(identity, 99) == identity.levels[0]
    assert qe_level(identity, 3) == identity.levels[1]
    assert qe_level(replace(identity, levels=identity.levels[:1]), 3) is None
    assert union(["A", "B"], [], ["B", "C", "A"]) == ("A", "B", "C")


def test_sandbox_quotes_match_the_first_level() -> None:
    for case in sandbox_cases():
        collateral = sandbox_collateral(case.tee)
        quote = parse_quote(case.quote)
        extension = pck_extension(x509.load_pem_x509_certificates(quote.pck_chain_pem)[0])
        found = platform_level(collateral.tcb, extension, quote.td.tee_tcb_svn if quote.td else None)
        assert found == collateral.tcb.levels[0]


def test_qe_identity_masks_and_miscselect_byte_order() -> None:
    identity = sandbox_collateral("tdx").qe
    qe = parse_quote(sandbox_cases()[0].quote).qe_report
    assert qe_identity_mismatch(identity, qe, "TD_QE") is None
    assert "needs" in str(qe_identity_mismatch(identity, qe, "QE"))
    # MISCSELECT is hex of the report's bytes: "01000000" is the u32 value 1 (little-endian).
    with_misc = replace(
        identity, misc_select=bytes.fromhex("01000000"), misc_select_mask=bytes.fromhex("FF000000")
    )
    assert qe_identity_mismatch(with_misc, replace(qe, misc_select=1), "TD_QE") is None
    assert "MISCSELECT" in str(qe_identity_mismatch(with_misc, qe, "TD_QE"))
    assert qe_identity_mismatch(with_misc, replace(qe, misc_select=0x100), "TD_QE") is not None
    assert (
        qe_identity_mismatch(with_misc, replace(qe, misc_select=0x1_0000_01), "TD_QE") is None
    )  # outside mask
    # Bits outside the ATTRIBUTES mask do not count, on either side.
    lax = replace(identity, attributes=b"\x11\x04" + bytes(14), attributes_mask=b"\xfb" + bytes(15))
    assert qe_identity_mismatch(lax, replace(qe, attributes=b"\x15" + bytes(15)), "TD_QE") is None
    assert "ATTRIBUTES" in str(
        qe_identity_mismatch(lax, replace(qe, attributes=b"\x13" + bytes(15)), "TD_QE")
    )
