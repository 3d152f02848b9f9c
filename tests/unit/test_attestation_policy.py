"""The app policy on top of Intel's verdict: statuses, debug, TD attributes, MRSERVICETD, grace periods."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desktop_app.core.attestation.policy import DEFAULT_ACCEPTED_STATUSES, Policy
from desktop_app.core.attestation.report import VerificationReport
from desktop_app.core.attestation.tcb_info import TcbStatus
from desktop_app.core.attestation.verify import verify_quote
from desktop_app.sandbox.enclave.quote_builder import TD_SEPT_VE_DISABLE, build_sgx_quote, build_tdx_quote
from tests.support.attestation import (
    AN_HOUR_LATER,
    MR_ENCLAVE,
    MR_SIGNER,
    MR_TD,
    REPORT_DATA,
    last_valid_instant,
    real_collateral,
    real_quote,
    sandbox_collateral,
    sandbox_pki,
    sandbox_root,
)


def tdx(policy: Policy | None = None, **kwargs: object) -> VerificationReport:
    quote = build_tdx_quote(sandbox_pki(), report_data=REPORT_DATA, mr_td=MR_TD, **kwargs)  # type: ignore[arg-type]
    return verify_quote(
        quote, sandbox_collateral("tdx"), now=AN_HOUR_LATER, root=sandbox_root(), policy=policy
    )


def only_failure(report: VerificationReport) -> str:
    assert [c.name for c in report.failures if not c.name.startswith("policy.")] == []
    failures = [c.name for c in report.failures]
    assert len(failures) == 1, failures
    return failures[0]


def test_default_accepts_up_to_date_and_sw_hardening_only() -> None:
    assert Policy().accepted_statuses == {TcbStatus.UP_TO_DATE, TcbStatus.SW_HARDENING_NEEDED}


def test_revoked_can_never_be_accepted() -> None:
    with pytest.raises(ValueError, match="Revoked"):
        Policy(accepted_statuses=frozenset({TcbStatus.REVOKED}))
    with pytest.raises(ValueError, match="negative"):
        Policy(collateral_grace=timedelta(seconds=-1))


def test_accepted_statuses_are_configurable() -> None:
    collateral = real_collateral("sgx_quote")
    now = last_valid_instant(collateral)
    quote = real_quote("sgx_quote")
    strict = verify_quote(quote, collateral, now=now)
    assert only_failure(strict) == "policy.tcb_status"
    assert "ConfigurationAndSWHardeningNeeded is not accepted" in strict.check("policy.tcb_status").detail
    relaxed = Policy(
        accepted_statuses=DEFAULT_ACCEPTED_STATUSES | {TcbStatus.CONFIGURATION_AND_SW_HARDENING_NEEDED}
    )
    assert verify_quote(quote, collateral, now=now, policy=relaxed).valid


@pytest.mark.parametrize(
    ("attributes", "failure"),
    [
        (TD_SEPT_VE_DISABLE | 1, "policy.debug"),
        (0, "policy.td_attributes"),
        (TD_SEPT_VE_DISABLE | 0x80, "policy.td_attributes"),
        (TD_SEPT_VE_DISABLE | 0x02, "policy.td_attributes"),
    ],
)
def test_td_attributes(attributes: int, failure: str) -> None:
    assert only_failure(tdx(td_attributes=attributes)) == failure


def test_td_attributes_that_are_allowed() -> None:
    assert tdx(td_attributes=TD_SEPT_VE_DISABLE | (1 << 30) | (1 << 63)).valid  # PKS, PERFMON


def test_debug_enclave_is_rejected() -> None:
    quote = build_sgx_quote(
        sandbox_pki(), report_data=REPORT_DATA, mr_enclave=MR_ENCLAVE, mr_signer=MR_SIGNER, debug=True
    )
    report = verify_quote(quote, sandbox_collateral("sgx"), now=AN_HOUR_LATER, root=sandbox_root())
    assert only_failure(report) == "policy.debug"
    assert "debug enclave" in report.check("policy.debug").detail


def test_mr_service_td_must_be_zero_or_expected() -> None:
    service = b"\x42" * 48
    assert tdx(version=5).check("policy.mr_service_td").ok
    assert only_failure(tdx(version=5, mr_service_td=service)) == "policy.mr_service_td"
    assert tdx(Policy(expected_mr_service_td=service), version=5, mr_service_td=service).valid
    assert only_failure(
        tdx(Policy(expected_mr_service_td=service), version=5, mr_service_td=b"\x43" * 48)
    ) == ("policy.mr_service_td")


def test_grace_period_is_reported() -> None:
    collateral = sandbox_collateral("tdx")
    late = collateral.tcb.next_update + timedelta(days=1)
    quote = build_tdx_quote(sandbox_pki(), report_data=REPORT_DATA, mr_td=MR_TD)
    refused = verify_quote(quote, collateral, now=late, root=sandbox_root())
    assert not refused.valid and not refused.grace_used
    assert {c.name for c in refused.failures} == {
        "root.crl",
        "pck.crl",
        "tcb_info.current",
        "qe_identity.current",
    }
    allowed = verify_quote(
        quote, collateral, now=late, root=sandbox_root(), policy=Policy(collateral_grace=timedelta(days=2))
    )
    assert allowed.valid and allowed.grace_used
    assert allowed.to_json()["graceUsed"] is True
    assert "grace period" in allowed.check("tcb_info.current").detail
