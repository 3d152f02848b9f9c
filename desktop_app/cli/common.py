"""What every CLI command shares: network and account selection, passwords, output, the session.

Secrets never come from the command line itself (other users can read a process's arguments): a
password comes from ``--password-file``, from ``DATAPROTECTOR_PASSWORD``, or from a prompt on a terminal.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.core.errors import UserFacingError
from desktop_app.core.wallet import Wallet, WalletSession

PASSWORD_ENV = "DATAPROTECTOR_PASSWORD"  # noqa: S105 - the variable's name, not a password


def add_output_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable output on stdout")


def add_account_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--account", help="address of the wallet account to use (default: the only/first one)"
    )
    parser.add_argument(
        "--password-file", type=Path, help=f"read the wallet password from this file (or set {PASSWORD_ENV})"
    )


def add_network_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--network", default="local", help="network profile (default: local)")
    add_account_args(parser)
    add_output_args(parser)


def read_password(
    args: argparse.Namespace, prompt: str = "Wallet password: ", *, confirm: bool = False
) -> str:
    path: Path | None = getattr(args, "password_file", None)
    if path is not None:
        try:
            return path.read_text().rstrip("\r\n")
        except OSError as e:
            raise UserFacingError(f"Cannot read the password file {path}: {e.strerror}.") from e
    if env := os.environ.get(PASSWORD_ENV):
        return env
    if not sys.stdin.isatty():
        raise UserFacingError(
            "A wallet password is needed and there is no terminal to ask on.",
            f"pass --password-file FILE or set {PASSWORD_ENV}",
        )
    password = getpass.getpass(prompt)
    if confirm and getpass.getpass("Repeat the password: ") != password:
        raise UserFacingError("The two passwords differ.", "run the command again")
    return password


def pick_account(wallet: Wallet, requested: str | None) -> str:
    accounts = wallet.accounts()
    if not accounts:
        raise UserFacingError("The wallet has no account yet.", "run `dataprotector-desktop wallet create`")
    if requested is None:
        return accounts[0].address
    for account in accounts:
        if account.address.lower() == requested.lower():
            return account.address
    raise UserFacingError(f"No account {requested} in the wallet.", "see `dataprotector-desktop wallet list`")


def locked_session(args: argparse.Namespace, wallet: Wallet | None = None) -> WalletSession:
    """The session of the account ``args`` name, still locked (the caller unlocks it when it suits)."""
    wallet = wallet or Wallet()
    return WalletSession(wallet, pick_account(wallet, getattr(args, "account", None)))


def unlocked_session(args: argparse.Namespace, wallet: Wallet | None = None) -> WalletSession:
    session = locked_session(args, wallet)
    session.unlock(read_password(args))
    return session


@dataclass
class Output:
    """Human lines on stdout, or one JSON document with ``--json``; progress goes to stderr."""

    as_json: bool

    def emit(self, data: dict[str, Any], human: Callable[[dict[str, Any]], str]) -> None:
        print(json.dumps(data, indent=1, default=str) if self.as_json else human(data))
