"""``sandbox up | status | down`` as a user runs them: real processes, real ports, state kept on disk."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from eth_account import Account
from web3 import Web3

from desktop_app.core.errors import UserFacingError
from desktop_app.core.localnet import control
from desktop_app.core.localnet.endpoints import SandboxEndpoints
from tests.support.by_hand import ByHand

pytestmark = pytest.mark.slow

EXPECTED_KEYS = {
    "rpc", "chainId", "hub", "dataProtector", "appRegistry", "datasetRegistry", "workerpoolRegistry",
    "ipfsApi", "ipfsGateway", "sms", "market", "faucet", "workerpool", "workerpoolApi", "devAccounts",
}  # fmt: skip


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "sandbox"
    control.down(tmp_path / "sandbox")


def test_up_json_status_down_through_the_cli(data_dir: Path) -> None:
    up = cli("sandbox", "up", "--json", "--data-dir", str(data_dir))
    assert up.returncode == 0, up.stderr
    printed = json.loads(up.stdout)
    assert printed.keys() >= EXPECTED_KEYS
    assert printed == json.loads((data_dir / "endpoints.json").read_text())
    assert printed["chainId"] == 31337
    w3 = Web3(Web3.HTTPProvider(printed["rpc"]))
    for account in printed["devAccounts"]:
        assert Account.from_key(account["privateKey"]).address == account["address"]
        assert w3.eth.get_balance(account["address"]) > 0

    status = cli("sandbox", "status", "--json", "--data-dir", str(data_dir))
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["parts"] == dict.fromkeys(control.PARTS, True)

    pids = json.loads((data_dir / "sandbox.pid").read_text())
    down = cli("sandbox", "down", "--data-dir", str(data_dir))
    assert down.returncode == 0, down.stderr
    assert not any(
        psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie" for pid in pids.values()
    )
    stopped = cli("sandbox", "status", "--data-dir", str(data_dir))
    assert stopped.returncode == 3
    assert "not running" in stopped.stdout
    with socket.socket() as s:  # the chain's port is free again, for a server (TIME_WAIT allowed)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", int(printed["rpc"].rsplit(":", 1)[1])))


def test_up_twice_returns_the_running_sandbox(data_dir: Path) -> None:
    first = control.up(data_dir)
    assert control.up(data_dir) == first


def test_state_survives_down_and_up(data_dir: Path) -> None:
    before = control.up(data_dir)
    dataset = ByHand(before, Account.from_key(before.devAccounts[0].privateKey)).protect({"f": b"kept"})
    cid = httpx.post(f"{before.ipfsApi}/api/v0/add", files={"file": ("a", b"still here")}).json()["Hash"]
    control.down(data_dir)

    after = control.up(data_dir)
    assert (after.hub, after.rpc) == (before.hub, before.rpc)
    w3 = Web3(Web3.HTTPProvider(after.rpc))
    registry_abi = [
        {
            "type": "function",
            "name": "isRegistered",
            "stateMutability": "view",
            "inputs": [{"name": "", "type": "address"}],
            "outputs": [{"name": "", "type": "bool"}],
        }
    ]
    registry = w3.eth.contract(address=Web3.to_checksum_address(after.datasetRegistry), abi=registry_abi)
    assert registry.functions.isRegistered(dataset).call()
    assert httpx.get(f"{after.ipfsGateway}/ipfs/{cid}").content == b"still here"
    assert (data_dir / "chain" / "state.json.bak").exists()


def test_taken_port_is_named_with_the_fix(data_dir: Path) -> None:
    endpoints = control.up(data_dir)
    control.down(data_dir)
    market_port = int(endpoints.market.rsplit(":", 1)[1])
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", market_port))
        squatter.listen()
        with pytest.raises(UserFacingError) as error:
            control.up(data_dir)
    assert f"Port {market_port}" in error.value.what
    assert "market" in error.value.what
    assert "--new-ports" in error.value.hint
    moved = control.up(data_dir, new_ports=True)
    assert moved.market != endpoints.market


def test_corrupt_state_file_is_reported_with_the_fix(data_dir: Path) -> None:
    control.up(data_dir)
    control.down(data_dir)
    state = data_dir / "chain" / "state.json"
    original = state.read_bytes()
    state.write_bytes(original[: len(original) // 2])
    with pytest.raises(UserFacingError) as error:
        control.up(data_dir)
    assert "corrupt" in error.value.what
    assert "state.json.bak" in error.value.hint
    # The fix the message gives works: restore the backup and start again.
    state.write_bytes((data_dir / "chain" / "state.json.bak").read_bytes())
    assert control.up(data_dir).chainId == 31337


def test_missing_npm_part_is_reported_with_the_fix(data_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "no-parts"
    empty.mkdir()
    result = cli("sandbox", "up", "--data-dir", str(data_dir), env={"DATAPROTECTOR_PARTS_DIR": str(empty)})
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, "one clear line, no traceback"
    assert "npm parts are missing" in result.stderr
    assert "make parts" in result.stderr


def test_faucet_funds_a_new_account_once(sandbox: SandboxEndpoints) -> None:
    newcomer = Account.create().address
    first = httpx.post(f"{sandbox.faucet}/faucet", json={"address": newcomer}, timeout=30)
    assert first.status_code == 200, first.text
    assert first.json()["txHash"]
    w3 = Web3(Web3.HTTPProvider(sandbox.rpc))
    assert w3.eth.get_balance(newcomer) == 100 * 10**18
    again = httpx.post(f"{sandbox.faucet}/faucet", json={"address": newcomer}, timeout=30)
    assert again.json()["txHash"] is None


@pytest.mark.parametrize(
    "body",
    [b"not json", b'{"address": "0x123"}', b"[]", b'{"address": 5}', b"x" * 10_000],
)
def test_faucet_rejects_bad_requests_and_keeps_serving(sandbox: SandboxEndpoints, body: bytes) -> None:
    reply = httpx.post(f"{sandbox.faucet}/faucet", content=body, headers={"content-type": "application/json"})
    assert reply.status_code in (400, 413)
    assert "error" in reply.json()
    ok = httpx.post(f"{sandbox.faucet}/faucet", json={"address": sandbox.devAccounts[0].address}, timeout=30)
    assert ok.status_code == 200
