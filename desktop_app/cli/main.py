"""``dataprotector-desktop``: the command-line front end.

Each command group lives in its own module and registers itself on the parser. Errors the user can act
on print as one line on stderr with a non-zero exit; a traceback appears only with ``--debug``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from desktop_app import __version__
from desktop_app.cli import access, attest, data, sandbox, tasks, wallet
from desktop_app.core.errors import UserCancelled, UserFacingError

Command = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dataprotector-desktop",
        description="Protect personal files for iExec confidential computing, and verify the proofs.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    sandbox.register(commands)
    wallet.register(commands)
    data.register(commands)
    access.register(commands)
    tasks.register(commands)
    attest.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING)
    run: Command = args.run
    try:
        return run(args)
    except UserCancelled:
        return 130
    except UserFacingError as e:
        if args.debug:
            raise
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
