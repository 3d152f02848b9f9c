"""``dataprotector-desktop``: the command-line front end.

Each command group lives in its own module and registers itself on the parser. Errors the user can act
on print as one line on stderr with a non-zero exit; a traceback appears only with ``--debug``.
With no command at all it opens the window; Qt is imported only then, so commands never load it.
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


class _SelfTest(argparse.Action):
    """``--self-test`` runs at once, before any command is required (like ``--version``)."""

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kwargs: object) -> None:
        from desktop_app import selftest  # only this path pays for importing every flow

        parser.exit(selftest.main())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dataprotector-desktop",
        description="Protect personal files for iExec confidential computing, and verify the proofs.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    parser.add_argument(
        "--self-test",
        action=_SelfTest,
        nargs=0,
        help="run the whole cycle on a throwaway local sandbox and print one JSON line (exit 0 if ok)",
    )
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", help="a command to run; none opens the window"
    )
    sandbox.register(commands)
    wallet.register(commands)
    data.register(commands)
    access.register(commands)
    tasks.register(commands)
    attest.register(commands)
    return parser


def _open_window(_args: argparse.Namespace) -> int:
    from desktop_app.ui.app import main as open_window  # Qt is imported only when the window is wanted

    return open_window([sys.argv[0]])


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING)
    run: Command = args.run if args.command is not None else _open_window
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
