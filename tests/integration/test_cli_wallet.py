"""``dataprotector-desktop wallet …`` as a script uses it: no terminal, password from a file or the env."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from eth_account import Account
from web3 import Web3

from desktop_app.core.localnet.control import DATA_DIR_ENV
from desktop_app.core.localnet.endpoints import SandboxEndpoints

pytestmark = pytest.mark.slow


def cli(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *args],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "XDG_DATA_HOME": str(home), **(env or {})},
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "pw").write_text("correct horse battery\n")
    return tmp_path


def test_create_funds_on_local_and_lists_and_exports(
    home: Path, sandbox: SandboxEndpoints, sandbox_dir: Path
) -> None:
    created = cli(home, "wallet", "create", "--label", "me", "--password-file", str(home / "pw"), "--json",
                  env={DATA_DIR_ENV: str(sandbox_dir)})  # fmt: skip
    assert created.returncode == 0, created.stderr
    data = json.loads(created.stdout)
    assert len(data["mnemonic"].split()) == 12
    assert (
        Web3(Web3.HTTPProvider(sandbox.rpc)).eth.get_balance(data["address"]) == int(data["balanceWei"]) > 0
    )

    listed = json.loads(cli(home, "wallet", "list", "--json").stdout)
    assert [a["address"] for a in listed["accounts"]] == [data["address"]]

    exported = cli(home, "wallet", "export", data["address"], "--out", str(home / "backup.json"))
    assert exported.returncode == 0, exported.stderr
    keystore = json.loads((home / "backup.json").read_text())
    assert Account.decrypt(keystore, "correct horse battery")  # the exported keystore opens with the password
    assert data["mnemonic"] not in (home / "backup.json").read_text()


def test_import_a_private_key_from_a_file_with_the_password_from_the_environment(home: Path) -> None:
    account = Account.create()
    (home / "key").write_text("0x" + account.key.hex())
    imported = cli(home, "wallet", "import", "--private-key-file", str(home / "key"), "--json",
                   env={"DATAPROTECTOR_PASSWORD": "from the env"})  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["address"] == account.address
    again = cli(home, "wallet", "import", "--private-key-file", str(home / "key"),
                env={"DATAPROTECTOR_PASSWORD": "from the env"})  # fmt: skip
    assert again.returncode == 1
    assert again.stderr.startswith("error: ") and again.stderr.count("\n") == 1


def test_no_password_and_no_terminal_is_one_clear_line(home: Path) -> None:
    result = cli(home, "wallet", "create", "--network", "none")
    assert result.returncode == 1
    assert result.stderr == (
        "error: A wallet password is needed and there is no terminal to ask on. "
        "Pass --password-file FILE or set DATAPROTECTOR_PASSWORD.\n"
    )


def test_a_wrong_keystore_password_is_one_clear_line(home: Path) -> None:
    keystore = Account.encrypt(Account.create().key, "right", kdf="pbkdf2", iterations=2)
    (home / "ks.json").write_text(json.dumps(keystore))
    (home / "wrong").write_text("wrong")
    keystore_args = ["--keystore", str(home / "ks.json"), "--keystore-password-file", str(home / "wrong")]
    result = cli(home, "wallet", "import", *keystore_args, "--password-file", str(home / "pw"))
    assert result.returncode == 1
    assert "password" in result.stderr.lower()
    assert "Traceback" not in result.stderr
