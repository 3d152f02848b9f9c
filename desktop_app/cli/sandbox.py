"""``dataprotector-desktop sandbox up | status | down``: the local iExec network the app uses by default."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from desktop_app.core.localnet import control


def register(commands: Any) -> None:
    group = commands.add_parser("sandbox", help="start, inspect or stop the local iExec sandbox")
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = actions.add_parser(name, help=help_text)
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help=f"where the sandbox keeps its state (default: {control.default_data_dir()})",
        )
        parser.add_argument("--json", action="store_true", help="machine-readable output")
        return parser

    up = add("up", "start the sandbox in the background and wait until every part is healthy")
    up.add_argument(
        "--new-ports", action="store_true", help="choose new free ports instead of the saved ones"
    )
    up.add_argument(
        "--reset", action="store_true", help="start a fresh chain (everything registered locally is lost)"
    )
    up.set_defaults(run=_up)
    add("status", "report the health of each part").set_defaults(run=_status)
    add("down", "stop everything the sandbox started").set_defaults(run=_down)


def _up(args: argparse.Namespace) -> int:
    endpoints = control.up(args.data_dir, new_ports=args.new_ports, reset=args.reset)
    if args.json:
        print(endpoints.to_json())
    else:
        print(f"sandbox running (chain {endpoints.chainId} at {endpoints.rpc})")
        for key in ("hub", "dataProtector", "ipfsApi", "sms", "market", "faucet"):
            print(f"  {key:14} {getattr(endpoints, key)}")
    return 0


def _status(args: argparse.Namespace) -> int:
    parts = control.status(args.data_dir)
    endpoints = control.running_endpoints(args.data_dir or control.default_data_dir())
    if args.json:
        out: dict[str, Any] = {"running": endpoints is not None, "parts": parts}
        if endpoints is not None:
            out["endpoints"] = asdict(endpoints)
        print(json.dumps(out, indent=1))
    elif endpoints is None:
        print("sandbox is not running")
    else:
        for name, healthy in parts.items():
            print(f"  {name:8} {'healthy' if healthy else 'NOT RESPONDING'}")
    return 0 if endpoints is not None and all(parts.values()) else 3


def _down(args: argparse.Namespace) -> int:
    stopped = control.down(args.data_dir)
    if args.json:
        print(json.dumps({"stopped": stopped}))
    else:
        print("stopped " + ", ".join(stopped) if stopped else "sandbox was not running", file=sys.stderr)
    return 0
