"""``dataprotector-desktop protect PATH`` and ``list``: turn files into protected data, and see them."""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from desktop_app.cli.common import Output, add_network_args, locked_session, pick_account, read_password
from desktop_app.core.errors import UserFacingError
from desktop_app.core.paths import app_data_dir
from desktop_app.core.store.database import Database
from desktop_app.core.store.protect_jobs import ProtectJobs
from desktop_app.core.wallet import Wallet
from desktop_app.flows import protect as protect_flow
from desktop_app.flows.listing import list_protected
from desktop_app.flows.network import open_profile
from desktop_app.flows.progress import BytesProgress, Cancellation, Event, StepDone, StepStarted, ignore


def register(commands: Any) -> None:
    protect = commands.add_parser(
        "protect", help="protect a file or a folder (encrypt, upload, register, key to SMS)"
    )
    protect.add_argument("path", type=Path, nargs="?", help="the file or folder to protect")
    protect.add_argument("--name", help="the protected data's name (default: the file name)")
    protect.add_argument(
        "--resume", metavar="JOB", help="resume an interrupted protect from its last finished step"
    )
    add_network_args(protect)
    protect.set_defaults(run=_protect)

    listed = commands.add_parser("list", help="list your protected data")
    add_network_args(listed)
    listed.set_defaults(run=_list)


def terminal_progress(event: Event) -> None:
    """Progress on stderr, only when a person is watching it."""
    if isinstance(event, StepStarted):
        print(f"… {event.step}", file=sys.stderr)
    elif isinstance(event, StepDone):
        print(f"✓ {event.step}" + (f" {event.detail}" if event.detail else ""), file=sys.stderr)
    elif isinstance(event, BytesProgress) and event.total:
        print(
            f"\r  {event.done * 100 // event.total:3d}% of {event.total / 2**20:.1f} MiB",
            end="",
            file=sys.stderr,
        )
        if event.done >= event.total:
            print(file=sys.stderr)


def progress_reporter() -> Any:
    return terminal_progress if sys.stderr.isatty() else ignore


def _protect(args: argparse.Namespace) -> int:
    if (args.path is None) == (args.resume is None):
        raise SystemExit("give either a PATH to protect or --resume JOB")
    session = locked_session(args)
    password = read_password(args)

    async def run() -> protect_flow.ProtectOutcome:
        # scrypt takes half a second and frees the GIL: it runs while the file is encrypted, which does
        # not need the key (the flow waits for it before the first step that does).
        unlocking = asyncio.ensure_future(asyncio.to_thread(session.unlock, password))
        try:
            profile, jobs = await open_profile(args.network), ProtectJobs(Database())
            work_dir = app_data_dir() / "work"
            services = protect_flow.ProtectServices(profile, session, jobs, work_dir, unlocking)
            if args.resume:
                return await protect_flow.resume(services, args.resume, progress_reporter(), Cancellation())
            name = args.name or args.path.name
            return await protect_flow.protect(services, args.path, name, progress_reporter(), Cancellation())
        finally:
            await asyncio.gather(unlocking, return_exceptions=True)  # never leave it running, nor unheard

    try:
        outcome = asyncio.run(run())
    except UserFacingError as e:
        unfinished = [j for j in ProtectJobs(Database()).of_owner(args.network, session.address) if j.error]
        if not unfinished:
            raise
        resume = f"resume with `dataprotector-desktop protect --resume {unfinished[-1].id}`"
        raise UserFacingError(e.what, f"{e.hint}; {resume}" if e.hint else resume) from e
    Output(args.json).emit(asdict(outcome), lambda d: f"protected {d['name']} as {d['dataset']}")
    return 0


def _list(args: argparse.Namespace) -> int:
    owner = pick_account(Wallet(), args.account)

    async def run() -> list[dict[str, Any]]:
        profile = await open_profile(args.network)
        return [asdict(item) for item in await list_protected(profile, owner, ProtectJobs(Database()))]

    items = asyncio.run(run())
    Output(args.json).emit(
        {"owner": owner, "items": items},
        lambda d: (
            "\n".join(
                f"{i['address'] or '(not on chain yet)':42}  {i['state']:11} {i['name']}"
                + (f"  [{i['error']}; resume: protect --resume {i['job_id']}]" if i["error"] else "")
                for i in d["items"]
            )
            or "no protected data yet: run `dataprotector-desktop protect FILE`"
        ),
    )
    return 0
