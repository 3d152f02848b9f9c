"""``dataprotector-desktop``: the command-line front end.

Each command group lives in its own module and registers itself on the parser. Only the module of the
command being run is imported: the modules of all commands together take about a second to import (web3,
eth_account, the attestation code), which a one-shot command such as ``protect`` would pay on every run.
With ``--help`` or an unknown word every module registers, so the help lists them all; with no command
at all none does (about 0.2 s), since the window is what opens. Errors the user can act on print as one
line on stderr with a non-zero exit; a traceback appears only with ``--debug``. Qt is imported only when
the window opens, so commands never load it.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence

from desktop_app import __version__
from desktop_app.core.errors import UserCancelled, UserFacingError

Command = Callable[[argparse.Namespace], int]

# Each command and the module of ``desktop_app.cli`` that registers it, in the order ``--help`` lists them.
COMMANDS = {
    "sandbox": "sandbox",
    "wallet": "wallet",
    "protect": "data",
    "list": "data",
    "grant": "access",
    "grants": "access",
    "revoke": "access",
    "apps": "tasks",
    "run": "tasks",
    "result": "tasks",
    "verify": "tasks",
    "attest": "attest",
}


class _SelfTest(argparse.Action):
    """``--self-test`` runs at once, before any command is required (like ``--version``)."""

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kwargs: object) -> None:
        from desktop_app import selftest  # only this path pays for importing every flow

        parser.exit(selftest.main())


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for ``argv``: with the command's own module only when ``argv`` names a known command."""
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
    for module in _modules_for(sys.argv[1:] if argv is None else argv):
        importlib.import_module(f"desktop_app.cli.{module}").register(commands)
    return parser


def _modules_for(argv: Sequence[str]) -> Sequence[str]:
    """The command modules ``argv`` needs: the named command's, none for the window (no word and no
    help asked), every one otherwise. The command is the first word that is not an option (no option
    before the command takes a value)."""
    word = next((arg for arg in argv if not arg.startswith("-")), None)
    if word in COMMANDS:
        return (COMMANDS[word],)
    if word is None and not {"-h", "--help"} & set(argv):
        return ()
    return tuple(dict.fromkeys(COMMANDS.values()))


def _open_window(_args: argparse.Namespace) -> int:
    from desktop_app.ui.app import main as open_window  # Qt is imported only when the window is wanted

    return open_window([sys.argv[0]])


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(argv)
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
