"""A data owner's whole cycle through the CLI on the sandbox, then the proof under tampering.

protect → apps → grant → grants → run --wait → result → verify (all checks pass) → revoke. Then, with the
same result: one flipped byte fails check 1, another task's quote fails check 6. Last, nothing on disk,
in the logs or in the keyring holds the wallet's private key in the clear.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import os
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop_app.core.attestation.task_proof import TaskEvidence, check_task
from desktop_app.core.iexec.network import load_profile
from desktop_app.core.iexec.poco_views import TaskStatus
from desktop_app.core.localnet.control import DATA_DIR_ENV
from desktop_app.core.localnet.endpoints import SandboxEndpoints
from desktop_app.core.wallet import Wallet, WalletSession
from desktop_app.flows.result import ResultFiles, fetch_result
from desktop_app.flows.verify import gather_evidence, verify_task

pytestmark = pytest.mark.slow
PASSWORD = "a long wallet password"


class Cli:
    def __init__(self, home: Path, sandbox_dir: Path) -> None:
        self.home = home
        self.env = {**os.environ, "XDG_DATA_HOME": str(home / "data"), DATA_DIR_ENV: str(sandbox_dir),
                    "DATAPROTECTOR_PASSWORD": PASSWORD}  # fmt: skip

    def __call__(self, *args: str, expect: int = 0) -> Any:
        done = subprocess.run(
            [sys.executable, "-m", "desktop_app", *args, "--json"],
            capture_output=True,
            text=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
            env=self.env,
            cwd=self.home,
        )
        assert done.returncode == expect, f"{args}: {done.stderr}"
        return json.loads(done.stdout) if done.stdout.strip() else None


@pytest.fixture(scope="module")
def cycle(
    tmp_path_factory: pytest.TempPathFactory, sandbox: SandboxEndpoints, sandbox_dir: Path
) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("owner")
    cli = Cli(home, sandbox_dir)
    account = cli("wallet", "create", "--label", "owner")
    (home / "statement.csv").write_text("date,amount\n2026-11-01,12.5\n2026-11-02,7\n")
    protected = cli("protect", str(home / "statement.csv"))
    apps = cli("apps", "CSV")["apps"]
    app = next(a["address"] for a in apps if a["name"] == "CSV column aggregates")
    granted = cli("grant", protected["dataset"], "--app", app, "--volume", "2")
    again = cli("grant", protected["dataset"], "--app", app, "--volume", "2")
    run = cli("run", protected["dataset"], "--app", app, "--args", "amount", "--wait")
    verified = cli(
        "verify", run["task_id"], "--out", str(home / "result"), "--report", str(home / "proof.html")
    )
    grants = cli("grants", protected["dataset"])["grants"]
    return {
        "home": home, "cli": cli, "account": account, "protected": protected, "app": app,
        "granted": granted, "again": again, "run": run, "verified": verified, "grants": grants,
    }  # fmt: skip


def test_the_cycle_runs_and_the_proof_verifies(cycle: dict[str, Any]) -> None:
    assert cycle["granted"]["already_granted"] is False
    assert cycle["again"] == {**cycle["granted"], "already_granted": True}
    assert cycle["run"]["status"] == "COMPLETED"
    report = cycle["verified"]
    assert report["valid"], [c for c in report["checks"] if not c["ok"]]
    assert [c["name"][:2] for c in report["checks"]] == ["1.", "2.", "3.", "4.", "5.", "6.", "7."]
    assert report["simulated"] is True
    assert "SIMULATED" in report["checks"][6]["detail"]
    assert report["quote"]["tee"] == "tdx"
    result = json.loads((cycle["home"] / "result" / "iexec_out" / "result.json").read_text())
    assert (result["count"], result["sum"]) == (2, 19.5)
    page = (cycle["home"] / "proof.html").read_text()
    assert "Every check passed" in page and "simulated" in page and "<script" not in page
    (grant,) = cycle["grants"]
    assert (grant["volume"], grant["remaining"], grant["consumed"]) == (2, 1, 1)


def test_revoke_closes_an_open_grant_on_chain(cycle: dict[str, Any]) -> None:
    cli, dataset, app = cycle["cli"], cycle["protected"]["dataset"], cycle["app"]
    anyone = cli("grant", dataset, "--app", app, "--volume", "5", "--anyone")
    revoked = cli("revoke", dataset, "--order", anyone["order_hash"])["revoked"]
    assert revoked == [anyone["order_hash"]]
    assert all(g["remaining"] == 0 for g in cli("grants", dataset)["grants"] if g["order_hash"] in revoked)
    cli("revoke", dataset, "--order", anyone["order_hash"], expect=1)  # already closed: one clear error


def _owner_session(cycle: dict[str, Any]) -> WalletSession:
    wallet = Wallet(cycle["home"] / "data" / "DataProtector Desktop" / "wallet")
    session = WalletSession(wallet, cycle["account"]["address"])
    session.unlock(PASSWORD)
    return session


def _verify(sandbox: SandboxEndpoints, owner: str, task: str, files: ResultFiles) -> dict[str, bool]:
    report = asyncio.run(verify_task(load_profile("local", sandbox=sandbox), owner, task, files))
    return {check.name[:1]: check.ok for check in report.checks}


def test_tampered_results_and_swapped_quotes_fail_their_checks(
    cycle: dict[str, Any], sandbox: SandboxEndpoints, tmp_path: Path
) -> None:
    session = _owner_session(cycle)
    profile = load_profile("local", sandbox=sandbox)
    task = cycle["run"]["task_id"]

    async def fetch(task_id: str, out: Path) -> ResultFiles:
        return await fetch_result(profile, session, task_id, out)

    files = asyncio.run(fetch(task, tmp_path / "mine"))
    assert all(_verify(sandbox, session.address, task, files).values())

    # 5. One flipped byte of the downloaded result: check 1 fails, and only the checks that depend on it.
    assert files.deterministic_output is not None
    data = bytearray(files.deterministic_output.read_bytes())
    data[0] ^= 0x01
    files.deterministic_output.write_bytes(bytes(data))
    flipped = _verify(sandbox, session.address, task, files)
    assert flipped["1"] is False and flipped["3"] and flipped["4"] and flipped["6"]
    data[0] ^= 0x01
    files.deterministic_output.write_bytes(bytes(data))

    # 6. Another task's quote swapped into this result: check 6 fails (REPORTDATA binds another digest).
    other = cycle["cli"](
        "run", cycle["protected"]["dataset"], "--app", cycle["app"], "--args", "amount", "--wait"
    )
    assert other["status"] == "COMPLETED"  # the grant's second run
    other_files = asyncio.run(fetch(other["task_id"], tmp_path / "other"))
    with zipfile.ZipFile(other_files.archive) as theirs:
        their_quote = theirs.read("attestation/quote.bin")
    swapped = tmp_path / "swapped.zip"
    with zipfile.ZipFile(files.archive) as mine, zipfile.ZipFile(swapped, "w") as out:
        for info in mine.infolist():
            out.writestr(info, their_quote if info.filename == "attestation/quote.bin" else mine.read(info))
    result = _verify(
        sandbox, session.address, task, ResultFiles(swapped, files.output_dir, files.deterministic_output)
    )
    assert result["6"] is False and result["1"] and result["3"]


def test_no_plaintext_private_key_anywhere_after_the_cycle(cycle: dict[str, Any]) -> None:
    key = _owner_session(cycle).account().key
    needles = [bytes(key), key.hex().encode(), key.hex().upper().encode(), base64.b64encode(bytes(key))]
    scanned = 0
    for path in (cycle["home"]).rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            scanned += 1
            assert not any(n in content for n in needles), f"{path} holds the private key in the clear"
    assert scanned > 5  # the wallet, the app's database, the results and the work folder were all read


def _flip(data: bytes, index: int = 0) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def _tamper_cases(ev: TaskEvidence) -> list[tuple[str, TaskEvidence, set[str]]]:
    """(what was changed, the evidence with that change, the checks that must fail because of it)."""
    other = "0x" + "11" * 20
    task, grant, contribution = ev.task, ev.grant, ev.contribution
    assert grant is not None and ev.output_digest is not None and ev.quote is not None
    later = ev.now + timedelta(days=31)  # the sandbox's collateral is valid for 30 days
    replace = dataclasses.replace

    def in_task(**changes: Any) -> TaskEvidence:
        return replace(ev, task=replace(task, **changes))

    def in_contribution(**changes: Any) -> TaskEvidence:
        return replace(ev, contribution=replace(contribution, **changes))

    def in_grant(**changes: Any) -> TaskEvidence:
        return replace(ev, grant=replace(grant, **changes))

    return [
        ("result digest of the held file", replace(ev, output_digest=_flip(ev.output_digest)), {"1"}),
        ("result not readable", replace(ev, output_digest=None), {"1"}),
        ("digest on chain", in_task(result_digest=_flip(task.result_digest)), {"1", "2", "6"}),
        (
            "contribution's result hash",
            in_contribution(result_hash=_flip(contribution.result_hash)),
            {"2", "3"},
        ),
        (
            "contribution's result seal",
            in_contribution(result_seal=_flip(contribution.result_seal)),
            {"2", "3"},
        ),
        ("enclave challenge address", in_contribution(enclave_challenge=other), {"3", "4", "6"}),
        ("enclave signature, one bit", replace(ev, enclave_sign=_flip(ev.enclave_sign, 10)), {"3"}),
        ("enclave signature, truncated", replace(ev, enclave_sign=ev.enclave_sign[:40]), {"3"}),
        ("enclave signature, v byte", replace(ev, enclave_sign=_flip(ev.enclave_sign, 64)), {"3"}),
        (
            "worker authorization, a bit",
            replace(ev, authorization_sign=_flip(ev.authorization_sign, 5)),
            {"4"},
        ),
        ("worker address", replace(ev, worker=other), {"2", "4"}),
        ("workerpool owner", replace(ev, workerpool_owner=other), {"4"}),
        ("a TEE broker set", replace(ev, teebroker=other), {"4"}),
        ("someone else verifying", replace(ev, owner=other), {"5"}),
        ("grant not found", replace(ev, grant=None), {"5"}),
        ("grant signed by another", in_grant(signer=other), {"5"}),
        ("grant content vs consumed hash", in_grant(computed_hash=_flip(grant.computed_hash)), {"5"}),
        ("grant for another dataset", in_grant(dataset=other), {"5"}),
        ("grant for another app", in_grant(apprestrict=other), {"5"}),
        ("grant for another requester", in_grant(requesterrestrict=other), {"5"}),
        ("task not completed", in_task(status=TaskStatus.ACTIVE), {"5"}),
        ("app checksum on chain", replace(ev, app_checksum=_flip(ev.app_checksum)), {"6"}),
        ("quote's REPORTDATA", replace(ev, quote=_flip(ev.quote, 568)), {"6"}),
        ("quote's MRTD", replace(ev, quote=_flip(ev.quote, 184)), {"6"}),
        ("quote's signature", replace(ev, quote=_flip(ev.quote, 640)), {"6"}),
        ("quote without collateral", replace(ev, collateral=None), {"6"}),
        ("collateral past nextUpdate", replace(ev, now=later), {"6"}),
        ("collateral not yet issued", replace(ev, now=ev.now - timedelta(days=2)), {"6"}),
        ("sandbox quote under Intel's root", replace(ev, trust="intel"), {"6"}),
    ]


def test_every_tampered_link_of_the_task_proof_is_rejected_with_its_reason(
    cycle: dict[str, Any], sandbox: SandboxEndpoints, tmp_path: Path
) -> None:
    session = _owner_session(cycle)
    profile = load_profile("local", sandbox=sandbox)
    task = cycle["run"]["task_id"]

    async def evidence() -> TaskEvidence:
        files = await fetch_result(profile, session, task, tmp_path / "r")
        return await gather_evidence(profile, session.address, task, files)

    base = asyncio.run(evidence())
    assert check_task(base).valid
    cases = _tamper_cases(base)
    for what, tampered, expected in cases:
        report = check_task(tampered)
        failed = {check.name[0] for check in report.checks if not check.ok}
        assert failed == expected, f"{what}: failed {failed}, expected {expected}"
        assert all(check.detail for check in report.checks if not check.ok), what
    assert len(cases) == 29
