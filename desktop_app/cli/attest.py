"""``dataprotector-desktop attest verify``: check an SGX/TDX quote offline against saved collateral.

Exit codes let scripts tell a bad proof from a bad invocation: 0 the quote is valid and acceptable,
1 it was read but fails verification or policy, 2 an input file is unreadable or malformed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from desktop_app.core.attestation.collateral import load_qvl_json
from desktop_app.core.attestation.errors import AttestationInputError
from desktop_app.core.attestation.policy import DEFAULT_ACCEPTED_STATUSES, Policy
from desktop_app.core.attestation.quote import parse_quote
from desktop_app.core.attestation.report import VerificationReport
from desktop_app.core.attestation.tcb_info import TcbStatus
from desktop_app.core.attestation.trust import TrustAnchor
from desktop_app.core.attestation.verify import verify_quote

EXIT_VALID, EXIT_INVALID, EXIT_UNUSABLE = 0, 1, 2


def register(commands: Any) -> None:
    group = commands.add_parser("attest", help="verify SGX/TDX attestation evidence offline")
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True)
    verify: argparse.ArgumentParser = actions.add_parser(
        "verify", help="verify a DCAP quote against collateral (exit 0 valid, 1 invalid, 2 unusable input)"
    )
    verify.add_argument("quote", type=Path, metavar="QUOTE", help="the quote: raw bytes or hex text")
    verify.add_argument(
        "--collateral", type=Path, required=True, metavar="FILE", help="collateral as QuoteCollateralV3 JSON"
    )
    verify.add_argument(
        "--at",
        type=int,
        default=None,
        metavar="UNIX_SECONDS",
        help="verify as of this instant (default: now)",
    )
    verify.add_argument(
        "--root",
        type=Path,
        default=None,
        metavar="DER",
        help="pin this root CA instead of Intel's SGX Root CA",
    )
    verify.add_argument(
        "--accept",
        action="append",
        choices=[s.value for s in TcbStatus if s is not TcbStatus.REVOKED],
        metavar="STATUS",
        help="a TCB status to accept (repeatable; default: UpToDate and SWHardeningNeeded)",
    )
    verify.add_argument(
        "--grace-days",
        type=float,
        default=0.0,
        metavar="DAYS",
        help="accept collateral up to DAYS past its nextUpdate (reported)",
    )
    verify.add_argument("--json", action="store_true", help="machine-readable output")
    verify.set_defaults(run=_verify)


def _verify(args: argparse.Namespace) -> int:
    try:
        quote = parse_quote(_read_quote(args.quote))
        collateral = load_qvl_json(_read(args.collateral))
        root = _read_root(args.root) if args.root is not None else None
        now = _instant(args.at)
        grace = _days(args.grace_days)
    except (AttestationInputError, _Unreadable) as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_UNUSABLE
    accepted = frozenset(TcbStatus(s) for s in args.accept) if args.accept else DEFAULT_ACCEPTED_STATUSES
    policy = Policy(accepted_statuses=accepted, collateral_grace=grace)
    report = verify_quote(quote, collateral, now=now, root=root, policy=policy)
    if args.json:
        print(json.dumps(report.to_json(), indent=1))
    else:
        _print_report(report)
    return EXIT_VALID if report.valid else EXIT_INVALID


class _Unreadable(Exception):
    pass


def _instant(at: int | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    try:
        return datetime.fromtimestamp(at, UTC)
    except (ValueError, OverflowError, OSError) as e:
        raise _Unreadable(f"--at {at} is not a usable time") from e


def _days(days: float) -> timedelta:
    if not 0 <= days <= 3650:
        raise _Unreadable(f"--grace-days {days} must be between 0 and 3650")
    return timedelta(days=days)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise _Unreadable(f"cannot read {path}: {e.strerror or e}") from e


def _read_quote(path: Path) -> bytes:
    """Quotes are binary, but samples often travel as hex text (optionally ``0x``-prefixed): take both."""
    data = _read(path)
    text = data.strip()
    if re.fullmatch(rb"(0x)?([0-9a-fA-F]{2})+", text):
        return bytes.fromhex(text.removeprefix(b"0x").decode("ascii"))
    return data


def _read_root(path: Path) -> TrustAnchor:
    data = _read(path)
    if data.lstrip().startswith(b"-----BEGIN"):
        try:
            data = x509.load_pem_x509_certificate(data).public_bytes(serialization.Encoding.DER)
        except ValueError as e:
            raise _Unreadable(f"{path} is not a certificate") from e
    return TrustAnchor.from_der(data, f"root from {path.name}")


def _print_report(report: VerificationReport) -> None:
    verdict = "VALID" if report.valid else "INVALID"
    status = report.status.value if report.status else "unknown"
    print(f"{verdict}: {report.tee.value.upper()} quote, TCB status {status}")
    print(f"  pinned root  {report.root_label} (SHA-256 {report.root_sha256.hex()})")
    print(f"  verified at  {report.verified_at:%Y-%m-%d %H:%M:%S}Z")
    print(f"  collateral   next update {report.collateral_next_update:%Y-%m-%d %H:%M:%S}Z")
    if report.grace_used:
        print("               past nextUpdate, accepted within the grace period")
    if report.advisories:
        print(f"  advisories   {', '.join(report.advisories)}")
    for check in report.checks:
        print(f"  {'ok  ' if check.ok else 'FAIL'} {check.name:24} {check.detail}")
    for name, value in report.measurements.to_json().items():
        print(f"  {name:12} {value}")
    print(f"  {'reportData':12} {report.report_data.hex()}")
