"""``apps``, ``run``, ``result`` and ``verify``: run iApps on protected data and check what came back."""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from desktop_app.cli.common import Output, add_network_args, add_output_args, unlocked_session
from desktop_app.cli.data import progress_reporter
from desktop_app.core.attestation.report_html import render
from desktop_app.core.attestation.task_proof import TaskProofReport
from desktop_app.core.errors import UserFacingError
from desktop_app.core.store.activity import Activity
from desktop_app.core.store.collateral_cache import CollateralCache
from desktop_app.core.store.database import Database
from desktop_app.core.store.runs import Runs
from desktop_app.core.wallet import PushedKeys, ResultKeys, Wallet, WalletSession
from desktop_app.flows import run as run_flow
from desktop_app.flows.apps import list_apps
from desktop_app.flows.network import open_profile
from desktop_app.flows.result import ResultFiles, fetch_result
from desktop_app.flows.verify import verify_task


def register(commands: Any) -> None:
    apps = commands.add_parser("apps", help="browse the iApps of the network")
    apps.add_argument("query", nargs="?", default="", help="filter by name or address")
    apps.add_argument("--network", default="local")
    add_output_args(apps)
    apps.set_defaults(run=_apps)

    run = commands.add_parser("run", help="run an iApp on your protected data inside a TEE")
    run.add_argument("dataset")
    run.add_argument("--app", required=True)
    run.add_argument("--args", default="", help="the app's arguments")
    run.add_argument("--wait", action="store_true", help="wait until the task ends")
    add_network_args(run)
    run.set_defaults(run=_run)

    result = commands.add_parser("result", help="download and decrypt a task's result")
    result.add_argument("task")
    result.add_argument("--out", type=Path, required=True, help="folder for the result")
    add_network_args(result)
    result.set_defaults(run=_result)

    verify = commands.add_parser("verify", help="verify a task's proof on this machine")
    verify.add_argument("task")
    verify.add_argument(
        "--out", type=Path, help="folder for the downloaded result (default: a temporary one)"
    )
    verify.add_argument("--report", type=Path, help="also write the report as a self-contained HTML page")
    add_network_args(verify)
    verify.set_defaults(run=_verify)


def _apps(args: argparse.Namespace) -> int:
    async def run() -> list[dict[str, Any]]:
        return [asdict(a) for a in await list_apps(await open_profile(args.network), query=args.query)]

    apps = asyncio.run(run())
    Output(args.json).emit(
        {"apps": apps},
        lambda d: (
            "\n".join(
                f"{a['address']}  {a['name']}  [{a['tee_framework'] or 'no TEE'}]"
                + ("" if a["price"] is None else f"  {a['price']} nRLC")
                for a in d["apps"]
            )
            or "no iApp found"
        ),
    )
    return 0


def _services(session: WalletSession, profile: Any) -> run_flow.RunServices:
    directory = session.wallet.directory
    return run_flow.RunServices(
        profile, session, Runs(Database()), ResultKeys(directory), PushedKeys(directory)
    )


def _run(args: argparse.Namespace) -> int:
    session = unlocked_session(args)

    async def run() -> run_flow.RunOutcome:
        profile = await open_profile(args.network)
        return await run_flow.run(
            _services(session, profile), args.dataset, args.app, args=args.args,
            report=progress_reporter(), wait=args.wait,
        )  # fmt: skip

    outcome = asyncio.run(run())
    Output(args.json).emit(
        asdict(outcome),
        lambda d: f"task {d['task_id']}: {d['status']}" + (f" ({d['reason']})" if d["reason"] else ""),
    )
    return 0 if outcome.status in ("COMPLETED", "ACTIVE") else 1


async def _fetch(args: argparse.Namespace, session: WalletSession, out: Path) -> tuple[Any, ResultFiles]:
    profile = await open_profile(args.network)
    return profile, await fetch_result(profile, session, args.task, out, report=progress_reporter())


def _result(args: argparse.Namespace) -> int:
    session = unlocked_session(args)
    _profile, files = asyncio.run(_fetch(args, session, args.out))
    data = {k: str(v) if v is not None else None for k, v in asdict(files).items()}
    Output(args.json).emit(
        data, lambda d: f"result in {d['output_dir']} (output: {d['deterministic_output']})"
    )
    return 0


def _verify(args: argparse.Namespace) -> int:
    session = unlocked_session(args)
    out = args.out or Path(Wallet().directory).parent / "results" / args.task

    async def run() -> TaskProofReport:
        profile, files = await _fetch(args, session, out)
        cache = CollateralCache(Database())
        return await verify_task(
            profile, session.address, args.task, files, cache=cache, activity=Activity(cache.db)
        )

    try:
        report = asyncio.run(run())
    except UserFacingError as e:
        print(f"error: {e}", file=__import__("sys").stderr)
        return 2
    if args.report:
        args.report.write_text(render(report))
    if args.json:
        print(json.dumps(report.to_json(), indent=1))
    else:
        for check in report.checks:
            print(f"{'✓' if check.ok else '✗'} {check.name}: {check.detail}")
        print("VALID" if report.valid else "INVALID")
    return 0 if report.valid else 1
