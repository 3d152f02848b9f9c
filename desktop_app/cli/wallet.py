"""``dataprotector-desktop wallet create | import | list | export``.

Keys never travel on the command line: a private key or recovery phrase to import is read from a file,
and the new password comes from ``--password-file``, ``DATAPROTECTOR_PASSWORD`` or a prompt.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from desktop_app.cli.common import Output, add_account_args, add_output_args, read_password
from desktop_app.core.errors import UserFacingError
from desktop_app.core.localnet import control, faucet
from desktop_app.core.wallet import AccountInfo, Wallet


def register(commands: Any) -> None:
    group = commands.add_parser("wallet", help="create, import, list or export wallet accounts")
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True)

    create = actions.add_parser("create", help="create an account from a new recovery phrase")
    create.add_argument("--label", default="", help="a name for the account")
    create.add_argument("--network", default="local", help="fund the account there if it is `local`")
    add_account_args(create)
    add_output_args(create)
    create.set_defaults(run=_create)

    imported = actions.add_parser("import", help="import an account")
    source = imported.add_mutually_exclusive_group(required=True)
    source.add_argument("--private-key-file", type=Path, help="a file holding the private key (hex)")
    source.add_argument("--mnemonic-file", type=Path, help="a file holding a BIP-39 recovery phrase")
    source.add_argument("--keystore", type=Path, help="a v3 keystore JSON file")
    imported.add_argument("--index", type=int, default=0, help="account index for a recovery phrase")
    imported.add_argument("--label", default="")
    imported.add_argument(
        "--keystore-password-file",
        type=Path,
        help="the keystore's own password (default: the wallet password)",
    )
    add_account_args(imported)
    add_output_args(imported)
    imported.set_defaults(run=_import)

    listed = actions.add_parser("list", help="list the accounts")
    add_output_args(listed)
    listed.set_defaults(run=_list)

    export = actions.add_parser("export", help="export an account as a v3 keystore file")
    export.add_argument("address")
    export.add_argument("--out", type=Path, required=True, help="where to write the keystore")
    add_output_args(export)
    export.set_defaults(run=_export)


def _describe(account: AccountInfo) -> dict[str, Any]:
    return {"address": account.address, "label": account.label, "created": account.created_at}


def _create(args: argparse.Namespace) -> int:
    password = read_password(args, "New wallet password: ", confirm=True)
    new = Wallet().create_account(password, args.label)
    data: dict[str, Any] = {**_describe(new.account), "mnemonic": new.mnemonic}
    if args.network == "local":
        data["balanceWei"] = str(faucet.fund(control.up(), new.account.address))
    Output(args.json).emit(
        data,
        lambda d: (
            f"created {d['address']}\n"
            f"recovery phrase (write it down now; it is never shown or stored again):\n  {d['mnemonic']}"
        ),
    )
    return 0


def _read_secret(path: Path, what: str) -> str:
    try:
        return path.read_text().strip()
    except OSError as e:
        raise UserFacingError(f"Cannot read the {what} file {path}: {e.strerror}.") from e


def _import(args: argparse.Namespace) -> int:
    wallet = Wallet()
    password = read_password(args, "Wallet password for this account: ")
    if args.private_key_file:
        account = wallet.import_private_key(_read_secret(args.private_key_file, "key"), password, args.label)
    elif args.mnemonic_file:
        phrase = _read_secret(args.mnemonic_file, "recovery phrase")
        account = wallet.import_mnemonic(phrase, password, args.label, index=args.index)
    else:
        keystore_password = (
            _read_secret(args.keystore_password_file, "keystore password")
            if args.keystore_password_file
            else password
        )
        account = wallet.import_keystore(
            _read_secret(args.keystore, "keystore"), keystore_password, args.label, password=password
        )
    Output(args.json).emit(_describe(account), lambda d: f"imported {d['address']}")
    return 0


def _list(args: argparse.Namespace) -> int:
    wallet = Wallet()
    accounts = [_describe(a) for a in wallet.accounts()]
    damaged = [str(e) for e in wallet.damaged_files()]
    Output(args.json).emit(
        {"accounts": accounts, "damaged": damaged},
        lambda d: (
            "\n".join(
                [f"{a['address']}  {a['label']}" for a in d["accounts"]]
                + [f"warning: {w}" for w in d["damaged"]]
            )
            or "no account yet: run `dataprotector-desktop wallet create`"
        ),
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    Wallet().export_keystore(args.address, args.out)
    Output(args.json).emit(
        {"address": args.address, "keystore": str(args.out)}, lambda d: f"wrote {d['keystore']}"
    )
    return 0
