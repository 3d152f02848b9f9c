"""``dataprotector-desktop --self-test``: the installed app's whole cycle, offline, in a throwaway folder.

It starts the bundled sandbox in a temporary data directory, protects a small CSV file, grants a sample
iApp access, runs it in the simulated enclave, downloads and decrypts the result, checks the iApp's answer
and verifies the proof, then stops the sandbox. It prints ONE JSON line on stdout::

    {"ok": true, "version": "0.1.0", "frozen": true, "steps": {"sandbox_up": 4.1, ...}, "total": 21.3}

and exits 0; on a failure ``"ok": false`` names the ``failed_step`` and the ``error`` (plus the sandbox
log's last lines) and the exit code is 1. It opens no window, reads no stdin, and touches neither the
user's wallet nor the user's sandbox: every file it writes lives in the temporary folder, removed at the
end (``DATAPROTECTOR_SELFTEST_KEEP=1`` keeps it, for a post-mortem). Installer smoke tests run it.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from desktop_app import __version__
from desktop_app.core.errors import UserFacingError
from desktop_app.core.iexec.network import NetworkProfile, load_profile
from desktop_app.core.localnet import control
from desktop_app.core.localnet.endpoints import SandboxEndpoints
from desktop_app.core.localnet.files import LOG_FILE
from desktop_app.core.store.database import Database
from desktop_app.core.store.protect_jobs import ProtectJobs
from desktop_app.core.store.runs import Runs
from desktop_app.core.wallet import PushedKeys, ResultKeys, Wallet, WalletSession
from desktop_app.flows import access
from desktop_app.flows import protect as protect_flow
from desktop_app.flows import run as run_flow
from desktop_app.flows.apps import list_apps
from desktop_app.flows.progress import Cancellation, ignore
from desktop_app.flows.result import ResultFiles, fetch_result
from desktop_app.flows.verify import verify_task
from desktop_app.frozen import is_frozen

KEEP_ENV = "DATAPROTECTOR_SELFTEST_KEEP"
APP_NAME = "CSV column aggregates"
COLUMN = "amount"
SAMPLE = "date,amount\n2026-11-01,12.5\n2026-11-02,7\n2026-11-03,0.5\n"
EXPECTED = {"count": 3, "sum": 20.0}
PASSWORD = "self-test password, throwaway wallet"  # noqa: S105 - a temporary wallet's, deleted after
SCRYPT_N = 2**10  # the throwaway keystore needs no production cost
LOG_LINES = 15

T = TypeVar("T")


class StepFailed(Exception):
    """A step's own check did not hold (the flow ran, but its answer is wrong)."""


class SelfTest:
    """The steps, each timed; ``run`` returns the JSON document and the exit code."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.sandbox_dir = root / "sandbox"
        self.steps: dict[str, float] = {}
        self.current = ""

    def _timed(self, step: str, work: Callable[[], T]) -> T:
        self.current = step
        start = time.perf_counter()
        result = work()
        self.steps[step] = round(time.perf_counter() - start, 3)
        return result

    def _timed_async(self, step: str, work: Callable[[], Awaitable[T]]) -> T:
        async def wrapped() -> T:
            return await work()

        return self._timed(step, lambda: asyncio.run(wrapped()))

    def cycle(self) -> dict[str, Any]:
        endpoints = self._timed("sandbox_up", lambda: control.up(self.sandbox_dir))
        profile = load_profile("local", sandbox=endpoints)
        session = self._timed("wallet", lambda: self._wallet(endpoints))
        database = Database(self.root / "app.sqlite3")
        source = self.root / "statement.csv"
        source.write_text(SAMPLE)
        protected = self._timed_async("protect", lambda: self._protect(profile, session, database, source))
        app = self._timed_async("find_app", lambda: self._find_app(profile))
        self._timed_async(
            "grant",
            lambda: access.grant(profile, session, protected.dataset, app, requester=session.address),
        )
        task = self._timed_async("run", lambda: self._run(profile, session, database, protected.dataset, app))
        files = self._timed_async("result", lambda: self._result(profile, session, task))
        self._timed("check_output", lambda: self._check_output(files))
        self._timed_async("verify", lambda: self._verify(profile, session, task, files))
        return {"dataset": protected.dataset, "app": app, "task": task}

    def _wallet(self, endpoints: SandboxEndpoints) -> WalletSession:
        if not endpoints.devAccounts:
            raise StepFailed("the sandbox published no funded dev account")
        wallet = Wallet(self.root / "wallet", scrypt_n=SCRYPT_N)
        account = wallet.import_private_key(endpoints.devAccounts[0].privateKey, PASSWORD, "self-test")
        session = WalletSession(wallet, account.address)
        session.unlock(PASSWORD)
        return session

    async def _protect(
        self, profile: NetworkProfile, session: WalletSession, database: Database, source: Path
    ) -> protect_flow.ProtectOutcome:
        services = protect_flow.ProtectServices(profile, session, ProtectJobs(database), self.root / "work")
        return await protect_flow.protect(services, source, source.name, ignore, Cancellation())

    async def _find_app(self, profile: NetworkProfile) -> str:
        apps = [a for a in await list_apps(profile, query=APP_NAME) if a.name == APP_NAME]
        if not apps:
            raise StepFailed(f"the sandbox has no sample iApp named {APP_NAME!r}")
        return apps[0].address

    async def _run(
        self, profile: NetworkProfile, session: WalletSession, database: Database, dataset: str, app: str
    ) -> str:
        directory = session.wallet.directory
        services = run_flow.RunServices(
            profile, session, Runs(database), ResultKeys(directory), PushedKeys(directory)
        )
        outcome = await run_flow.run(services, dataset, app, args=COLUMN, wait=True, poll_interval=0.5)
        if outcome.status != "COMPLETED":
            raise StepFailed(f"task {outcome.task_id} ended {outcome.status}: {outcome.reason}")
        return outcome.task_id

    async def _result(self, profile: NetworkProfile, session: WalletSession, task: str) -> ResultFiles:
        return await fetch_result(profile, session, task, self.root / "result")

    @staticmethod
    def _check_output(files: ResultFiles) -> None:
        answer = json.loads((files.output_dir / "result.json").read_text())
        got = {key: answer.get(key) for key in EXPECTED}
        if got != EXPECTED:
            raise StepFailed(f"the iApp answered {got}, expected {EXPECTED}")

    @staticmethod
    async def _verify(profile: NetworkProfile, session: WalletSession, task: str, files: ResultFiles) -> None:
        report = await verify_task(profile, session.address, task, files)
        failed = [f"{c.name}: {c.detail}" for c in report.checks if not c.ok]
        if failed:
            raise StepFailed("the proof did not verify: " + "; ".join(failed))

    def _log_tail(self) -> list[str]:
        try:
            lines = (self.sandbox_dir / LOG_FILE).read_text(errors="replace").splitlines()
        except OSError:
            return []
        return lines[-LOG_LINES:]

    def run(self) -> tuple[dict[str, Any], int]:
        started = time.perf_counter()
        document: dict[str, Any] = {"ok": False, "version": __version__, "frozen": is_frozen()}
        failure: dict[str, Any] | None = None
        try:
            document.update(self.cycle())
        except Exception as e:  # every failure, a bug included, is reported in the one JSON line
            failure = {"failed_step": self.current, "error": _describe(e)}
            if not isinstance(e, UserFacingError | StepFailed):
                failure["traceback"] = traceback.format_exc(limit=-6).splitlines()
            failure["log"] = self._log_tail()
        finally:
            try:
                self._timed("sandbox_down", lambda: control.down(self.sandbox_dir))
            except Exception as e:
                failure = failure or {"failed_step": "sandbox_down", "error": _describe(e)}
        document["steps"] = self.steps
        document["total"] = round(time.perf_counter() - started, 3)
        if failure is not None:
            document.update(failure)
            return document, 1
        document["ok"] = True
        return document, 0


def _describe(error: BaseException) -> str:
    return str(error) or type(error).__name__


def main() -> int:
    """Run the self-test, print its one JSON line, and return the exit code."""
    keep = bool(os.environ.get(KEEP_ENV))
    root = Path(tempfile.mkdtemp(prefix="dataprotector-selftest-"))
    try:
        document, code = SelfTest(root).run()
    finally:
        if keep:
            print(f"self-test files kept in {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(document, separators=(",", ":")), flush=True)
    return code
