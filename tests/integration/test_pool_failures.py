"""Every way a sandbox task can fail ends it cleanly, with a reason the owner can read.

A failed task never contributes, so PoCo keeps it ACTIVE until its final deadline; after that anyone can
``claim`` it and it becomes FAILED on chain (requester refunded). The fault switches make the pool's
services fail the way real ones do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from eth_account import Account

from desktop_app.core.localnet import control
from desktop_app.core.localnet.endpoints import SandboxEndpoints
from desktop_app.sandbox import faults
from desktop_app.sandbox.iapps import EXTRA_ENV
from desktop_app.sandbox.worker.compute import TIME_LIMIT_ENV
from tests.support.by_hand import ByHand

pytestmark = pytest.mark.slow

RUN = {"iexec_result_storage_provider": "ipfs", "iexec_result_encryption": True}
CRASHER = "raise SystemExit('boom: the app crashed on purpose')\n"
SLEEPER = "import time\ntime.sleep(60)\n"


def owner_of(sandbox: SandboxEndpoints, index: int) -> ByHand:
    return ByHand(sandbox, Account.from_key(sandbox.devAccounts[index].privateKey))


@contextmanager
def started_sandbox(data_dir: Path, env: dict[str, str]) -> Iterator[SandboxEndpoints]:
    """A sandbox of its own, started with ``env`` added to the environment it inherits."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        endpoints = control.up(data_dir)
    try:
        yield endpoints
    finally:
        control.down(data_dir)


@pytest.fixture(scope="module")
def own_sandbox(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[SandboxEndpoints]:
    with started_sandbox(tmp_path_factory.mktemp("sandbox"), request.param) as endpoints:
        yield endpoints


def write_app(root: Path, slug: str, name: str, code: str) -> None:
    folder = root / slug
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(
        f'{{"name": "{name}", "description": "test app", "version": "0.0.1", "entrypoint": "app.py"}}'
    )
    (folder / "app.py").write_text(code)


def custom_apps_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("iapps")
    write_app(root, "crasher", "Crasher", CRASHER)
    write_app(root, "sleeper", "Sleeper", SLEEPER)
    return {EXTRA_ENV: str(root), TIME_LIMIT_ENV: "2"}


# --- failures on the shared sandbox -----------------------------------------------------------------


def test_a_dataset_that_does_not_match_its_checksum_fails_the_task(sandbox: SandboxEndpoints) -> None:
    me = owner_of(sandbox, 3)
    me.push_result_key()
    dataset = me.protect({"file": b"abc"}, checksum=b"\x01" * 32)
    record = me.wait_until_done(me.run(dataset, me.app_named("File statistics"), RUN))
    assert record["state"] == "failed"
    assert "does not match its on-chain checksum" in record["reason"]


def test_a_dataset_whose_key_was_never_pushed_fails_the_task(sandbox: SandboxEndpoints) -> None:
    me = owner_of(sandbox, 3)
    me.push_result_key()
    dataset = me.protect({"file": b"abc"}, push_key=False)
    record = me.wait_until_done(me.run(dataset, me.app_named("File statistics"), RUN))
    assert record["state"] == "failed"
    assert "holds no key" in record["reason"]


def test_an_app_error_message_ends_the_task_with_that_message(sandbox: SandboxEndpoints) -> None:
    me = owner_of(sandbox, 3)
    me.push_result_key()
    dataset = me.protect({"file": b"date,amount\n2026-01-01,3\n"})
    params = {**RUN, "iexec_args": "no_such_column"}
    record = me.wait_until_done(me.run(dataset, me.app_named("CSV column aggregates"), params))
    assert record["state"] == "failed"
    assert "the app reported an error" in record["reason"]
    assert "no_such_column" in record["reason"]


def test_a_beneficiary_without_a_result_key_fails_the_task(sandbox: SandboxEndpoints) -> None:
    me = owner_of(sandbox, 4)  # this account never pushes a result-encryption key
    dataset = me.protect({"email": b"\x0d\x00\x00\x00alice@mail.io"})
    record = me.wait_until_done(me.run(dataset, me.app_named("Email domain check"), RUN))
    assert record["state"] == "failed"
    assert "no result-encryption key" in record["reason"]


# --- crashes, time limits and claims, with custom apps ----------------------------------------------


@pytest.fixture(scope="module")
def apps_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxEndpoints]:
    env = custom_apps_env(tmp_path_factory)
    with started_sandbox(tmp_path_factory.mktemp("apps-sandbox"), env) as endpoints:
        yield endpoints


def test_a_crashing_app_fails_the_task_and_it_is_claimable_after_the_deadline(
    apps_sandbox: SandboxEndpoints,
) -> None:
    me = owner_of(apps_sandbox, 0)
    me.push_result_key()
    task_id = me.run(me.protect({"file": b"x"}), me.app_named("Crasher"), RUN)
    record = me.wait_until_done(task_id)
    assert record["state"] == "failed"
    assert "the app crashed (exit code 1)" in record["reason"]
    assert "boom" in record["reason"]

    task = me.hub.functions.viewTask(task_id).call()
    assert task[0] == 1  # still ACTIVE: nothing was contributed
    now = me.w3.eth.get_block("latest")["timestamp"]
    me.w3.provider.make_request("evm_increaseTime", [task[6] - now + 1])  # past finalDeadline
    me.w3.provider.make_request("evm_mine", [])
    tx = me.hub.functions.claim(task_id).transact({"from": me.owner.address})
    assert me.w3.eth.wait_for_transaction_receipt(tx)["status"] == 1
    assert me.hub.functions.viewTask(task_id).call()[0] == 4  # FAILED


def test_an_app_past_its_time_limit_is_stopped_and_the_task_fails(apps_sandbox: SandboxEndpoints) -> None:
    me = owner_of(apps_sandbox, 1)
    me.push_result_key()
    record = me.wait_until_done(me.run(me.protect({"file": b"x"}), me.app_named("Sleeper"), RUN))
    assert record["state"] == "failed"
    assert "past its time limit of 2 s" in record["reason"]


# --- fault switches ------------------------------------------------------------------------------------


@pytest.mark.parametrize("own_sandbox", [{faults.ENV: faults.WORKER_KILL_MID_TASK}], indirect=True)
def test_a_worker_killed_mid_task_is_restarted_and_the_task_completes(own_sandbox: SandboxEndpoints) -> None:
    me = owner_of(own_sandbox, 0)
    me.push_result_key()
    task_id = me.run(me.protect({"file": b"resume me"}), me.app_named("File statistics"), RUN)
    record = me.wait_until_done(task_id)
    assert record["state"] == "contributed", record["reason"]
    assert record["attempts"] == 2
    assert me.hub.functions.viewTask(task_id).call()[0] == 3


@pytest.mark.parametrize(
    "own_sandbox", [{faults.ENV: f"{faults.IPFS_500_ONCE},{faults.SMS_DOWN}"}], indirect=True
)
def test_ipfs_fails_once_and_the_sms_is_down(own_sandbox: SandboxEndpoints) -> None:
    first = httpx.post(f"{own_sandbox.ipfsApi}/api/v0/add", files={"file": ("a", b"data")})
    assert first.status_code == 500
    assert first.json()["Type"] == "error"
    second = httpx.post(f"{own_sandbox.ipfsApi}/api/v0/add", files={"file": ("a", b"data")})
    assert second.status_code == 200
    sms = httpx.post(
        f"{own_sandbox.sms}/secrets/web3", params={"secretAddress": "0x" + "11" * 20}, content="k"
    )
    assert sms.status_code == 503
    assert "SMS down" in sms.json()["error"]


def test_an_unknown_fault_name_is_refused_with_the_known_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(faults.ENV, "disk-on-fire")
    with pytest.raises(Exception, match="Unknown sandbox fault") as error:
        control.up(tmp_path / "sandbox")
    assert faults.IPFS_500_ONCE in str(error.value)
