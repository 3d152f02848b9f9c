"""The outcome of a quote verification: every check with its reason, the status, and what was measured.

A verification never answers a bare yes/no: the person looking at a proof needs to see *which* check
failed and why, and the caller needs the measurements and REPORTDATA to compare with what it expects
(the app bundle's MRTD, the REPORTDATA binding of the enclave key and result digest).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from desktop_app.core.attestation.quote import Tee
from desktop_app.core.attestation.tcb_info import TcbStatus


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True)
class SgxMeasurements:
    mr_enclave: bytes
    mr_signer: bytes
    isv_prod_id: int
    isv_svn: int

    def to_json(self) -> dict[str, Any]:
        return {
            "mrEnclave": self.mr_enclave.hex(),
            "mrSigner": self.mr_signer.hex(),
            "isvProdId": self.isv_prod_id,
            "isvSvn": self.isv_svn,
        }


@dataclass(frozen=True)
class TdxMeasurements:
    mr_td: bytes
    rtmr: tuple[bytes, bytes, bytes, bytes]
    mr_config_id: bytes
    mr_service_td: bytes | None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"mrTd": self.mr_td.hex()}
        out.update({f"rtmr{i}": value.hex() for i, value in enumerate(self.rtmr)})
        out["mrConfigId"] = self.mr_config_id.hex()
        if self.mr_service_td is not None:
            out["mrServiceTd"] = self.mr_service_td.hex()
        return out


@dataclass(frozen=True)
class VerificationReport:
    """``valid`` only if every check passed, Intel's and the app policy's alike.

    ``status`` is Intel's converged TCB status (``None`` when no TCB level could be matched);
    ``collateral_next_update`` is the earliest nextUpdate among TCB info, QE identity and both CRLs, and
    ``grace_used`` says that some of them were past it and accepted only through the policy's grace period.
    """

    tee: Tee
    status: TcbStatus | None
    advisories: tuple[str, ...]
    measurements: SgxMeasurements | TdxMeasurements
    report_data: bytes
    checks: tuple[Check, ...]
    verified_at: datetime
    root_label: str
    root_sha256: bytes
    collateral_next_update: datetime
    grace_used: bool

    @property
    def valid(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.ok)

    def check(self, name: str) -> Check:
        """The check called ``name`` (raises ``KeyError`` if this verification had none such)."""
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "status": None if self.status is None else self.status.value,
            "advisories": list(self.advisories),
            "tee": self.tee.value,
            "measurements": self.measurements.to_json(),
            "reportData": self.report_data.hex(),
            "checks": [check.to_json() for check in self.checks],
            "verifiedAt": int(self.verified_at.timestamp()),
            "root": {"label": self.root_label, "sha256": self.root_sha256.hex()},
            "collateralNextUpdate": int(self.collateral_next_update.timestamp()),
            "graceUsed": self.grace_used,
        }
