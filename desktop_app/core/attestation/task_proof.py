"""The whole proof of one task, checked link by link on the owner's machine.

Each link is a check a person can read: the result the owner holds is the one committed on chain (1),
PoCo's hash and seal agree with it (2), the enclave's key signed it (3), the pool authorized that enclave
(4), the task ran the app the owner granted on the data the owner granted (5), and, when the result
carries a quote, a genuine enclave measured as that app produced it (6) under a trust anchor that fits
the network (7). The evidence is gathered by ``flows.verify``; this module only judges it, offline.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from desktop_app.core.attestation.collateral import Collateral
from desktop_app.core.attestation.errors import QuoteFormatError
from desktop_app.core.attestation.report import Check, SgxMeasurements, TdxMeasurements, VerificationReport
from desktop_app.core.attestation.trust import TrustAnchor, intel_root
from desktop_app.core.attestation.verify import verify_quote
from desktop_app.core.iexec.poco_views import Contribution, Deal, Task, TaskStatus

NULL = "0x0000000000000000000000000000000000000000"
TrustKind = Literal["intel", "sandbox"]


@dataclass(frozen=True)
class Grant:
    """The dataset order PoCo consumed for this deal (its hash is OrdersMatched's ``datasetHash``)."""

    order_hash: bytes
    computed_hash: bytes  # our EIP-712 hash of ``order``: must equal order_hash
    signer: str  # recovered from the order's signature
    dataset: str
    apprestrict: str
    requesterrestrict: str


@dataclass(frozen=True)
class TaskEvidence:
    task_id: bytes
    task: Task
    deal: Deal
    contribution: Contribution
    worker: str  # the sender of contributeAndFinalize
    enclave_sign: bytes  # from that transaction's calldata: it is not kept in storage
    authorization_sign: bytes
    workerpool_owner: str
    teebroker: str
    owner: str  # the data owner checking the proof
    grant: Grant | None
    output_digest: bytes | None  # digest of the decrypted result's deterministic output, None if unreadable
    app_checksum: bytes
    app_mrenclave: bytes
    quote: bytes | None
    collateral: Collateral | None
    trust: TrustKind
    sandbox_root: TrustAnchor | None
    now: datetime


@dataclass(frozen=True)
class TaskProofReport:
    task_id: str
    checks: tuple[Check, ...]
    quote: VerificationReport | None
    simulated: bool

    @property
    def valid(self) -> bool:
        return all(check.ok for check in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {
            "taskId": self.task_id,
            "valid": self.valid,
            "simulated": self.simulated,
            "checks": [check.to_json() for check in self.checks],
            "quote": None if self.quote is None else self.quote.to_json(),
        }


def _same(a: str, b: str) -> bool:
    return a.lower() == b.lower()


def _recover(digest: bytes, signature: bytes) -> str | None:
    from eth_account import Account  # deferred, like eth_utils below: startup budget, see ui/app.py
    from eth_account.messages import encode_defunct

    try:
        return str(Account.recover_message(encode_defunct(primitive=digest), signature=signature))
    except Exception:  # any malformed signature is simply "recovers to nobody"
        return None


def _result_digest(ev: TaskEvidence) -> Check:
    name = "1. result digest"
    if ev.output_digest is None:
        return Check(name, False, "the result could not be downloaded and decrypted, so it cannot be checked")
    if ev.output_digest != ev.task.result_digest:
        return Check(
            name,
            False,
            f"the result you hold hashes to 0x{ev.output_digest.hex()}, but the chain recorded "
            f"0x{ev.task.result_digest.hex()}: it is not the result the enclave committed",
        )
    return Check(name, True, f"the result's digest 0x{ev.output_digest.hex()} is the one recorded on chain")


def _hash_and_seal(ev: TaskEvidence) -> Check:
    name = "2. result hash and seal"
    from eth_utils.crypto import keccak

    digest = ev.task.result_digest
    result_hash = keccak(ev.task_id + digest)
    result_seal = keccak(bytes.fromhex(ev.worker[2:]) + ev.task_id + digest)
    if result_hash != ev.contribution.result_hash:
        return Check(name, False, "keccak256(task ‖ digest) differs from the contribution's result hash")
    if result_seal != ev.contribution.result_seal:
        return Check(name, False, "keccak256(worker ‖ task ‖ digest) differs from the contribution's seal")
    return Check(
        name, True, f"hash and seal recomputed from the digest match worker {ev.worker}'s contribution"
    )


def _enclave_signature(ev: TaskEvidence) -> Check:
    name = "3. enclave signature"
    from eth_utils.crypto import keccak

    message = keccak(ev.contribution.result_hash + ev.contribution.result_seal)
    signer = _recover(message, ev.enclave_sign)
    if signer is None or not _same(signer, ev.contribution.enclave_challenge):
        return Check(
            name,
            False,
            f"the result was signed by {signer or 'an unreadable signature'}, not by the task's enclave key "
            f"{ev.contribution.enclave_challenge}",
        )
    return Check(name, True, f"signed by the task's enclave key {signer}")


def _authorization(ev: TaskEvidence) -> Check:
    name = "4. worker authorization"
    expected = ev.teebroker if not _same(ev.teebroker, NULL) else ev.workerpool_owner
    role = "the TEE broker" if not _same(ev.teebroker, NULL) else "the workerpool owner"
    from eth_utils.crypto import keccak

    digest = keccak(
        bytes.fromhex(ev.worker[2:]) + ev.task_id + bytes.fromhex(ev.contribution.enclave_challenge[2:])
    )
    signer = _recover(digest, ev.authorization_sign)
    if signer is None or not _same(signer, expected):
        return Check(name, False, f"the enclave was authorized by {signer}, not by {role} {expected}")
    return Check(name, True, f"{role} {expected} authorized this worker and enclave for this task")


def _granted(ev: TaskEvidence) -> Check:
    name = "5. task completed as granted"
    if ev.task.status != TaskStatus.COMPLETED:
        return Check(name, False, f"the task is {ev.task.status.name}, not COMPLETED")
    grant = ev.grant
    if grant is None:
        return Check(name, False, "the grant this deal consumed could not be found, so it cannot be checked")
    problems = []
    if grant.computed_hash != grant.order_hash:
        problems.append("the grant's content does not hash to the order the deal consumed")
    if not _same(grant.signer, ev.owner):
        problems.append(f"the grant was signed by {grant.signer}, not by you ({ev.owner})")
    if not _same(grant.dataset, ev.deal.dataset.pointer):
        problems.append("the deal's dataset is not the granted one")
    if not (_same(grant.apprestrict, NULL) or _same(grant.apprestrict, ev.deal.app.pointer)):
        problems.append(f"the deal ran app {ev.deal.app.pointer}, but the grant names {grant.apprestrict}")
    if not (_same(grant.requesterrestrict, NULL) or _same(grant.requesterrestrict, ev.deal.requester)):
        problems.append(f"the requester {ev.deal.requester} is not the one the grant names")
    if problems:
        return Check(name, False, "; ".join(problems))
    return Check(
        name,
        True,
        f"COMPLETED, running app {ev.deal.app.pointer} on dataset {grant.dataset} under your grant",
    )


def _expected_measurement(ev: TaskEvidence) -> bytes | None:
    """SGX apps register a fingerprint in their mrenclave JSON; TDX apps are measured by their checksum."""
    try:
        fingerprint = json.loads(ev.app_mrenclave.decode()).get("fingerprint") if ev.app_mrenclave else None
    except (UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        fingerprint = None
    return bytes.fromhex(fingerprint.removeprefix("0x")) if isinstance(fingerprint, str) else None


def _quote(ev: TaskEvidence) -> tuple[Check, VerificationReport | None]:
    name = "6. enclave quote"
    if ev.quote is None:
        return Check(name, True, "the result carries no quote: the enclave's identity rests on the SMS"), None
    if ev.collateral is None:
        return Check(name, False, "the result carries a quote but no usable collateral to verify it"), None
    root = ev.sandbox_root if ev.trust == "sandbox" and ev.sandbox_root is not None else intel_root()
    try:
        report = verify_quote(ev.quote, ev.collateral, now=ev.now, root=root)
    except QuoteFormatError as e:
        return Check(name, False, f"the result's quote is malformed: {e}"), None
    problems = [f"{c.name}: {c.detail}" for c in report.failures]
    challenge = bytes.fromhex(ev.contribution.enclave_challenge[2:])
    if report.report_data != hashlib.sha256(challenge + ev.task.result_digest).digest() + bytes(32):
        problems.append("its REPORTDATA does not bind this task's enclave key and result digest")
    measured = report.measurements
    if isinstance(measured, TdxMeasurements):
        matches = measured.mr_td == ev.app_checksum + bytes(16)
        what = f"MRTD {measured.mr_td.hex()[:16]}…"
    else:
        assert isinstance(measured, SgxMeasurements)
        matches = measured.mr_enclave == _expected_measurement(ev)
        what = f"MRENCLAVE {measured.mr_enclave.hex()[:16]}…"
    if not matches:
        problems.append(
            f"its measurement ({what}) is not the granted app's registered checksum or fingerprint"
        )
    if problems:
        return Check(name, False, "; ".join(problems)), report
    return Check(name, True, f"a genuine {report.tee.value.upper()} quote binds this result; {what}"), report


def _trust_anchor(ev: TaskEvidence, report: VerificationReport | None) -> Check:
    name = "7. trust anchor"
    if ev.trust == "sandbox":
        return Check(
            name,
            True,
            "SIMULATED: this enclave is the local sandbox's simulation, trusted only because you run it; "
            "on a public network only Intel's root is accepted",
        )
    if report is not None and report.root_label != intel_root().label:
        return Check(name, False, f"the quote chains to {report.root_label}, not to Intel's root")
    return Check(name, True, "Intel's SGX root CA, pinned by its SHA-256")


def check_task(ev: TaskEvidence) -> TaskProofReport:
    quote_check, quote_report = _quote(ev)
    checks = (
        _result_digest(ev),
        _hash_and_seal(ev),
        _enclave_signature(ev),
        _authorization(ev),
        _granted(ev),
        quote_check,
        _trust_anchor(ev, quote_report),
    )
    return TaskProofReport("0x" + ev.task_id.hex(), checks, quote_report, simulated=ev.trust == "sandbox")
