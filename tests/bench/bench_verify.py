"""How long local proof verification takes: one quote, then the whole proof of a task on the sandbox.

Run from the project root: ``.venv/bin/python tests/bench/bench_verify.py [--rounds 300] [--runs 5]``.

(a) The median time of one full DCAP quote verification, ours next to dcap-qvl on the same quotes: the
figures of ``bench_attestation.py``, run from here so both benchmarks print one table.
(b) The median time of ``flows.verify.verify_task`` on one real task: a sandbox is started in a temp
folder, a "File statistics" task is run by hand (``tests/support/by_hand.py``), its result fetched and
decrypted as the app does, then the proof is verified ``--runs`` times (after one warm-up). Each run's
time is split between chain reads, the market, the sandbox's root, collateral parsing and the quote
verification, by timing those calls where ``verify_task`` makes them; "other" is what remains (result
digest, reading the archive, opening clients). The sandbox is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import inspect
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from unittest.mock import patch

from eth_account import Account
from eth_account.signers.local import LocalAccount

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import desktop_app.core.attestation.task_proof as task_proof
import desktop_app.flows.verify as verify_flow
from desktop_app.core.iexec.chain import PocoClient
from desktop_app.core.iexec.market_client import MarketClient
from desktop_app.core.iexec.network import NetworkProfile, load_profile
from desktop_app.core.iexec.sms_client import SmsClient
from desktop_app.core.localnet import control
from desktop_app.core.localnet.endpoints import SandboxEndpoints
from desktop_app.core.wallet import ResultKeys, Wallet, WalletSession
from desktop_app.flows.result import ResultFiles, fetch_result
from tests.bench import bench_attestation
from tests.support.by_hand import ByHand

PASSWORD = "bench password"
STATEMENT = b"date,amount\n2026-11-01,12.5\n2026-11-02,7\n"
Intervals = dict[str, list[tuple[float, float]]]


class GrantingOwner(ByHand):
    """``ByHand.run`` signs its dataset order without publishing it; the proof's check 5 looks the grant
    up in the market, so this owner publishes every dataset order it signs, as the app's grant does."""

    def sign(self, kind: str, order: dict[str, Any]) -> dict[str, Any]:
        signed = super().sign(kind, order)
        if kind == "DatasetOrder":
            reply = self.market.post(
                "/datasetorders", json={"order": signed}, headers={"authorization": self.market_auth()}
            )
            assert reply.status_code == 200, reply.text
        return signed


def owner_session(endpoints: SandboxEndpoints, folder: Path) -> tuple[LocalAccount, WalletSession]:
    """A dev account imported into a throwaway wallet (cheap scrypt), unlocked."""
    account: LocalAccount = Account.from_key(endpoints.devAccounts[2].privateKey)
    wallet = Wallet(folder / "wallet", scrypt_n=2**4)
    wallet.import_private_key(endpoints.devAccounts[2].privateKey, PASSWORD)
    session = WalletSession(wallet, account.address)
    session.unlock(PASSWORD)
    return account, session


async def push_app_result_key(profile: NetworkProfile, session: WalletSession) -> None:
    """The app's result key rather than ``ByHand.push_result_key``'s, so ``fetch_result`` can decrypt."""
    pair = await asyncio.to_thread(ResultKeys(session.wallet.directory).ensure, session)
    async with SmsClient(profile) as sms:
        await sms.push_result_key(session.account(), pair.public_pem())


async def fetch(profile: NetworkProfile, session: WalletSession, task_id: str, out: Path) -> ResultFiles:
    return await fetch_result(profile, session, task_id, out)


def covered(intervals: list[tuple[float, float]]) -> float:
    """Seconds covered by the union of ``intervals`` (nested calls are counted once)."""
    total, reached = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end > reached:
            total += end - max(start, reached)
            reached = end
    return total


def timed(function: Callable[..., Any], into: list[tuple[float, float]]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def awaited(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                into.append((start, time.perf_counter()))

        return awaited

    @functools.wraps(function)
    def called(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            into.append((start, time.perf_counter()))

    return called


PARTS = (
    "chain reads",
    "market",
    "sandbox root",
    "opening clients",
    "result digest+zip",
    "collateral parsing",
    "quote verify",
)


@contextmanager
def stopwatch() -> Iterator[Intervals]:
    """Time the calls ``verify_task`` makes, by part (see the module docstring)."""
    intervals: Intervals = {name: [] for name in PARTS}
    with ExitStack() as stack:

        def time_calls(owner: object, attribute: str, part: str) -> None:
            original = getattr(owner, attribute)
            stack.enter_context(patch.object(owner, attribute, timed(original, intervals[part])))

        for cls, part in ((PocoClient, "chain reads"), (MarketClient, "market")):
            for attribute, function in vars(cls).items():
                if inspect.iscoroutinefunction(function) and not attribute.startswith("_"):
                    time_calls(cls, attribute, part)
            time_calls(cls, "__init__", "opening clients")
            time_calls(cls, "__aexit__", "opening clients")
        time_calls(verify_flow, "_sandbox_root", "sandbox root")
        time_calls(verify_flow, "result_digest", "result digest+zip")
        time_calls(verify_flow, "_attestation", "result digest+zip")
        time_calls(verify_flow, "load_qvl_json", "collateral parsing")
        time_calls(task_proof, "verify_quote", "quote verify")
        yield intervals


def verify_once(profile: NetworkProfile, owner: str, task_id: str, files: ResultFiles) -> dict[str, float]:
    async def verify() -> tuple[float, bool]:
        start = time.perf_counter()
        report = await verify_flow.verify_task(profile, owner, task_id, files)
        return time.perf_counter() - start, report.valid

    with stopwatch() as intervals:
        total, valid = asyncio.run(verify())
    if not valid:
        raise SystemExit("the task's proof did not verify: the figures would not be representative")
    shares = {name: covered(spans) for name, spans in intervals.items()}
    return {"total": total, **shares, "other": total - sum(shares.values())}


def task_figures(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        endpoints = control.up(folder / "sandbox")
        try:
            print(f"\nsandbox up in {time.perf_counter() - started:.1f} s; running one task by hand")
            profile = load_profile("local", sandbox=endpoints)
            account, session = owner_session(endpoints, folder)
            asyncio.run(push_app_result_key(profile, session))
            owner = GrantingOwner(endpoints, account)
            dataset = owner.protect({"statement.csv": STATEMENT})
            app = owner.app_named("File statistics")
            ran = time.perf_counter()
            task = owner.run(
                dataset, app, {"iexec_result_storage_provider": "ipfs", "iexec_result_encryption": True}
            )
            record = owner.wait_until_done(task)
            if record.get("state") != "contributed":
                raise SystemExit(f"the task failed: {record}")
            task_id = "0x" + task.hex()
            files = asyncio.run(fetch(profile, session, task_id, folder / "result"))
            print(f"task {task_id[:18]}… completed and fetched in {time.perf_counter() - ran:.1f} s")
            verify_once(profile, account.address, task_id, files)  # warm-up: imports, first connections
            samples = [verify_once(profile, account.address, task_id, files) for _ in range(runs)]
        finally:
            control.down(folder / "sandbox")
    total = statistics.median(s["total"] for s in samples)
    print(f"\nverify_task on the sandbox, median of {runs} runs (all checks passed)")
    print(f"{'part':20} {'median ms':>10} {'share':>7}")
    for name in samples[0]:
        median = statistics.median(s[name] for s in samples)
        print(f"{name:20} {median * 1000:10.1f} {median / total:7.1%}")
    quote = statistics.median(s["collateral parsing"] + s["quote verify"] for s in samples)
    chain = statistics.median(s["chain reads"] + s["market"] for s in samples)
    print(
        f"quote verification (parse + verify) {quote / total:.1%}; chain and market reads {chain / total:.1%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=300, help="quote verifications per figure in (a)")
    parser.add_argument("--runs", type=int, default=5, help="task verifications in (b)")
    args = parser.parse_args()
    print("(a) one quote verification")
    with patch.object(sys, "argv", [bench_attestation.__file__, "--rounds", str(args.rounds)]):
        bench_attestation.main()
    print("\n(b) one task's whole proof")
    task_figures(args.runs)


if __name__ == "__main__":
    main()
