"""``grant``, ``grants`` and ``revoke``: who may process a protected dataset, and taking it back."""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import asdict
from typing import Any

from desktop_app.cli.common import Output, add_network_args, add_output_args, unlocked_session
from desktop_app.cli.data import progress_reporter
from desktop_app.core.errors import UserFacingError
from desktop_app.core.store.activity import Activity
from desktop_app.core.store.database import Database
from desktop_app.flows import access
from desktop_app.flows.network import open_profile


def register(commands: Any) -> None:
    grant = commands.add_parser("grant", help="allow an iApp to process a protected dataset")
    grant.add_argument("dataset")
    grant.add_argument("--app", required=True)
    who = grant.add_mutually_exclusive_group()
    who.add_argument("--requester", help="who may run it (default: you)")
    who.add_argument("--anyone", action="store_true", help="let anyone run the app on this data")
    grant.add_argument("--volume", type=int, default=1, help="how many runs (default 1)")
    grant.add_argument("--price", type=int, default=0, help="price per run in nRLC (default 0)")
    add_network_args(grant)
    grant.set_defaults(run=_grant)

    listed = commands.add_parser("grants", help="list a dataset's grants with remaining and consumed runs")
    listed.add_argument("dataset")
    listed.add_argument("--network", default="local")
    add_output_args(listed)
    listed.set_defaults(run=_grants)

    revoke = commands.add_parser("revoke", help="revoke grants on chain (one transaction each)")
    revoke.add_argument("dataset")
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("--order", help="the grant's order hash")
    which.add_argument("--app", help="every grant to this app")
    which.add_argument("--all", action="store_true", help="every open grant of the dataset")
    add_network_args(revoke)
    revoke.set_defaults(run=_revoke)


def _grant(args: argparse.Namespace) -> int:
    session = unlocked_session(args)
    requester = None if args.anyone else (args.requester or session.address)

    async def run() -> access.GrantOutcome:
        profile = await open_profile(args.network)
        return await access.grant(
            profile,
            session,
            args.dataset,
            args.app,
            requester=requester,
            volume=args.volume,
            price=args.price,
            activity=Activity(Database()),
        )

    outcome = asyncio.run(run())
    Output(args.json).emit(
        asdict(outcome),
        lambda d: f"{'already granted' if d['already_granted'] else 'granted'}: order {d['order_hash']}",
    )
    return 0


def _grants(args: argparse.Namespace) -> int:
    async def run() -> list[access.GrantView]:
        return await access.grants(await open_profile(args.network), args.dataset)

    views = asyncio.run(run())
    rows = [{**asdict(v), "consumed": v.consumed} for v in views]
    Output(args.json).emit(
        {"dataset": args.dataset, "grants": rows},
        lambda d: (
            "\n".join(
                f"{g['order_hash']}  app {g['app']}  "
                f"{'ANYONE' if int(g['requester'], 16) == 0 else g['requester']}  "
                f"{g['remaining']}/{g['volume']} left  {g['price']} nRLC  {g['status']}"
                for g in d["grants"]
            )
            or "no grant"
        ),
    )
    return 0


def _revoke(args: argparse.Namespace) -> int:
    session = unlocked_session(args)

    async def run() -> list[str]:
        profile = await open_profile(args.network)
        return await access.revoke(
            profile,
            session,
            args.dataset,
            order_hash=args.order,
            app=args.app,
            report=progress_reporter(),
            activity=Activity(Database()),
        )

    if not (args.order or args.app or args.all):
        raise UserFacingError("Say which grants to revoke.", "use --order HASH, --app APP or --all")
    closed = asyncio.run(run())
    Output(args.json).emit({"revoked": closed}, lambda d: f"revoked {len(d['revoked'])} grant(s)")
    return 0
