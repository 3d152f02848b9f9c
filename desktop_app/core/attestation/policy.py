"""The app's own acceptance rules, applied after Intel's verification (spec §3 step 13).

Intel's checks say the evidence is genuine; they do not say it is *acceptable*: a debug enclave, a TD
that can be single-stepped through #VE, or a TD running under a service TD all pass every signature.
These rules close that gap. Revoked is never acceptable, whatever the configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Final

from desktop_app.core.attestation.quote import Quote, TdReport
from desktop_app.core.attestation.report import Check
from desktop_app.core.attestation.tcb_info import TcbStatus

DEFAULT_ACCEPTED_STATUSES: Final = frozenset({TcbStatus.UP_TO_DATE, TcbStatus.SW_HARDENING_NEEDED})

_TD_DEBUG: Final = 1 << 0
_TD_RESERVED: Final = 0b1111_1110  # bits 1–7
_TD_SEPT_VE_DISABLE: Final = 1 << 28


@dataclass(frozen=True)
class Policy:
    """``collateral_grace`` lets collateral (TCB info, QE identity, CRLs) be used that long past its
    nextUpdate, e.g. when verifying offline; its use is reported. ``expected_mr_service_td``: the one
    non-zero MRSERVICETD accepted (TD 1.5 only); by default only zero is."""

    accepted_statuses: frozenset[TcbStatus] = field(default=DEFAULT_ACCEPTED_STATUSES)
    collateral_grace: timedelta = timedelta(0)
    expected_mr_service_td: bytes | None = None

    def __post_init__(self) -> None:
        if TcbStatus.REVOKED in self.accepted_statuses:
            raise ValueError("a Revoked TCB can never be accepted")
        if self.collateral_grace < timedelta(0):
            raise ValueError("the collateral grace period cannot be negative")


def policy_checks(quote: Quote, status: TcbStatus | None, policy: Policy) -> list[Check]:
    """The policy's checks for ``quote`` whose converged Intel status is ``status``."""
    checks = [_status_check(status, policy)]
    if quote.td is not None:
        checks.extend(_td_checks(quote.td, policy))
    else:
        assert quote.enclave is not None
        debug = quote.enclave.debug
        checks.append(
            Check(
                "policy.debug",
                not debug,
                "debug enclave: its memory is readable by the host"
                if debug
                else "production enclave (DEBUG attribute clear)",
            )
        )
    return checks


def _status_check(status: TcbStatus | None, policy: Policy) -> Check:
    accepted = ", ".join(sorted(policy.accepted_statuses))
    if status is None:
        return Check("policy.tcb_status", False, "no TCB status could be established")
    if status is TcbStatus.REVOKED:
        return Check("policy.tcb_status", False, "the TCB is Revoked, which is never accepted")
    if status not in policy.accepted_statuses:
        return Check("policy.tcb_status", False, f"TCB status {status} is not accepted ({accepted})")
    return Check("policy.tcb_status", True, f"TCB status {status} is accepted ({accepted})")


def _td_checks(td: TdReport, policy: Policy) -> list[Check]:
    attributes = td.td_attributes
    debug = bool(attributes & _TD_DEBUG)
    checks = [
        Check(
            "policy.debug",
            not debug,
            "debug TD: the host can read and change its state" if debug else "production TD (DEBUG clear)",
        )
    ]
    if attributes & _TD_RESERVED:
        checks.append(
            Check("policy.td_attributes", False, f"reserved TDATTRIBUTES bits set ({attributes:#018x})")
        )
    elif not attributes & _TD_SEPT_VE_DISABLE:
        checks.append(
            Check(
                "policy.td_attributes", False, "SEPT_VE_DISABLE is clear: the TD may be attacked through #VE"
            )
        )
    else:
        checks.append(Check("policy.td_attributes", True, "SEPT_VE_DISABLE set, reserved bits clear"))
    service = td.mr_service_td
    if service is None:
        checks.append(Check("policy.mr_service_td", True, "a TD 1.0 report has no MRSERVICETD"))
    elif service == bytes(48):
        checks.append(Check("policy.mr_service_td", True, "no service TD is bound (MRSERVICETD is zero)"))
    elif service == policy.expected_mr_service_td:
        checks.append(Check("policy.mr_service_td", True, "MRSERVICETD is the expected service TD"))
    else:
        checks.append(Check("policy.mr_service_td", False, f"unexpected service TD {service.hex()}"))
    return checks
