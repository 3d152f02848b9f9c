"""The protect flow on the sandbox: every step, and resuming after each way a step can stop."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import os
from pathlib import Path

import httpx
import pytest

from desktop_app.core.errors import ProtocolUnavailable, UserCancelled
from desktop_app.core.iexec.chain import PocoClient
from desktop_app.core.iexec.network import NetworkProfile, load_profile
from desktop_app.core.localnet.endpoints import SandboxEndpoints
from desktop_app.core.store.database import Database
from desktop_app.core.store.protect_jobs import JobState, ProtectJobs
from desktop_app.core.wallet import Wallet, WalletSession, WrongPassword
from desktop_app.flows import protect as flow
from desktop_app.flows.progress import BytesProgress, Cancellation, Event, StepDone, StepStarted
from desktop_app.sandbox.ports import free_port

pytestmark = pytest.mark.slow
DEAD = f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def services(tmp_path: Path, sandbox: SandboxEndpoints) -> flow.ProtectServices:
    wallet = Wallet(tmp_path / "wallet", scrypt_n=2**4)
    account = wallet.import_private_key(sandbox.devAccounts[4].privateKey, "pw")
    session = WalletSession(wallet, account.address)
    session.unlock("pw")
    profile = load_profile("local", sandbox=sandbox)
    return flow.ProtectServices(
        profile, session, ProtectJobs(Database(tmp_path / "app.sqlite3")), tmp_path / "work"
    )


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def protect(
    services: flow.ProtectServices, source: Path | dict[str, object], events: list[Event] | None = None
):  # type: ignore[no-untyped-def]
    sink = events.append if events is not None else (lambda _e: None)
    return run(flow.protect(services, source, "my data", sink, Cancellation()))


def on_chain(profile: NetworkProfile, dataset: str) -> tuple[str, bytes]:
    async def read() -> tuple[str, bytes]:
        async with PocoClient(profile) as chain:
            info = await chain.view_dataset(dataset)
        return info.owner, info.checksum

    return run(read())


def test_a_file_becomes_protected_data_and_the_original_is_untouched(
    services: flow.ProtectServices, tmp_path: Path
) -> None:
    original = tmp_path / "bank.csv"
    original.write_bytes(b"date,amount\n" + os.urandom(3 << 20).hex().encode())
    before = (hashlib.sha256(original.read_bytes()).digest(), original.stat().st_mtime_ns)
    events: list[Event] = []

    outcome = protect(services, original, events)

    assert (hashlib.sha256(original.read_bytes()).digest(), original.stat().st_mtime_ns) == before
    assert [e.step for e in events if isinstance(e, StepStarted)] == list(flow.STEPS)
    assert {e.step for e in events if isinstance(e, StepDone)} == set(flow.STEPS)
    uploads = [e for e in events if isinstance(e, BytesProgress) and e.step == flow.UPLOAD_ENCRYPTED_FILE]
    assert uploads[-1].done == uploads[-1].total == outcome.size
    (encrypted,) = [i for i, e in enumerate(events) if e == StepDone(flow.ENCRYPT_FILE, outcome.checksum)]
    assert events.index(StepStarted(flow.UPLOAD_ENCRYPTED_FILE)) < encrypted  # streamed while produced
    owner, checksum = on_chain(services.profile, outcome.dataset)
    assert owner == services.session.address
    assert "0x" + checksum.hex() == outcome.checksum
    served = httpx.get(f"{services.profile.ipfs_gateway}/ipfs/{outcome.cid}").content
    assert "0x" + hashlib.sha256(served).hexdigest() == outcome.checksum
    assert (
        httpx.head(
            f"{services.profile.sms}/secrets/web3", params={"secretAddress": outcome.dataset}
        ).status_code
        == 204
    )
    job = services.jobs.get(outcome.job_id)
    assert job.state == JobState.PROTECTED and job.sealed_key is None
    assert list(services.work_dir.iterdir()) == []  # the encrypted copy is gone once uploaded and registered


def test_a_record_is_protected_with_its_schema(services: flow.ProtectServices) -> None:
    outcome = protect(services, {"email": "alice@example.org", "age": 42, "vip": True})
    assert outcome.schema == '{"email":"string","age":"f64","vip":"bool"}'


def test_a_dead_ipfs_stops_after_encryption_and_resume_finishes(
    services: flow.ProtectServices, tmp_path: Path
) -> None:
    (tmp_path / "f").write_bytes(b"resume me")
    broken = dataclasses.replace(services, profile=dataclasses.replace(services.profile, ipfs_api=DEAD))
    with pytest.raises(ProtocolUnavailable):
        protect(broken, tmp_path / "f")
    (job,) = services.jobs.of_owner("local", services.session.address)[-1:]
    assert job.state == JobState.ENCRYPTED and "IPFS" in job.error
    assert job.sealed_key and b"resume me" not in job.sealed_key
    outcome = run(flow.resume(services, job.id, lambda _e: None, Cancellation()))
    assert services.jobs.get(job.id).state == JobState.PROTECTED
    assert outcome.dataset


def test_a_dead_sms_leaves_the_data_registered_and_resume_pushes_the_key(
    services: flow.ProtectServices, tmp_path: Path
) -> None:
    (tmp_path / "f").write_bytes(b"key later")
    broken = dataclasses.replace(services, profile=dataclasses.replace(services.profile, sms=DEAD))
    with pytest.raises(ProtocolUnavailable):
        protect(broken, tmp_path / "f")
    job = services.jobs.of_owner("local", services.session.address)[-1]
    assert job.state == JobState.REGISTERED and job.dataset
    run(flow.resume(services, job.id, lambda _e: None, Cancellation()))
    assert services.jobs.get(job.id).state == JobState.PROTECTED
    assert (
        httpx.head(f"{services.profile.sms}/secrets/web3", params={"secretAddress": job.dataset}).status_code
        == 204
    )


def test_a_crash_between_signing_and_sending_registers_once_on_resume(
    services: flow.ProtectServices, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "f").write_bytes(b"in flight")
    signed_then_crashed = flow._JournalingSigner.sign_transaction

    def power_cut(self: flow._JournalingSigner, tx, fees):  # type: ignore[no-untyped-def]
        signed_then_crashed(self, tx, fees)  # journaled as REGISTERING with the tx hash...
        raise RuntimeError("power cut")  # ...and never sent

    monkeypatch.setattr(flow._JournalingSigner, "sign_transaction", power_cut)
    with pytest.raises(RuntimeError, match="power cut"):
        protect(services, tmp_path / "f")
    monkeypatch.undo()
    job = services.jobs.of_owner("local", services.session.address)[-1]
    assert job.state == JobState.REGISTERING and job.tx_hash
    before = len(run(_datasets(services)))

    outcome = run(flow.resume(services, job.id, lambda _e: None, Cancellation()))

    assert services.jobs.get(job.id).state == JobState.PROTECTED
    assert outcome.dataset
    assert len(run(_datasets(services))) == before + 1  # registered exactly once


async def _datasets(services: flow.ProtectServices) -> list[str]:
    async with PocoClient(services.profile) as chain:
        return await chain.datasets_of(services.session.address)


def test_cancelling_during_encryption_rolls_back(services: flow.ProtectServices, tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    with big.open("wb") as f:
        f.truncate(512 << 20)  # sparse: no disk used
    cancel = Cancellation()

    def cancel_on_first_bytes(event: Event) -> None:
        if isinstance(event, BytesProgress):
            cancel.cancel()

    with pytest.raises(UserCancelled):
        run(flow.protect(services, big, "big", cancel_on_first_bytes, cancel))
    job = services.jobs.of_owner("local", services.session.address)[-1]
    assert job.state == JobState.CANCELLED
    assert not any(services.work_dir.iterdir())


def _still_unlocking(services: flow.ProtectServices, password: str) -> flow.ProtectServices:
    """``services`` with a locked session whose unlock runs in a thread, as the CLI starts it."""
    session = WalletSession(services.session.wallet, services.session.address)
    unlocking = asyncio.ensure_future(asyncio.to_thread(session.unlock, password))
    return dataclasses.replace(services, session=session, unlocking=unlocking)


def test_the_session_may_still_be_unlocking_when_the_protect_starts(
    services: flow.ProtectServices, tmp_path: Path
) -> None:
    (tmp_path / "f").write_bytes(b"unlocked meanwhile")

    async def main() -> flow.ProtectOutcome:
        unlocking = _still_unlocking(services, "pw")
        return await flow.protect(unlocking, tmp_path / "f", "f", lambda _e: None, Cancellation())

    outcome = run(main())
    assert services.jobs.get(outcome.job_id).state == JobState.PROTECTED
    assert on_chain(services.profile, outcome.dataset)[0] == services.session.address


def test_a_wrong_password_found_during_the_encryption_leaves_no_job_behind(
    services: flow.ProtectServices, tmp_path: Path
) -> None:
    (tmp_path / "f").write_bytes(b"wrong password")

    async def main() -> None:
        unlocking = _still_unlocking(services, "not the password")
        await flow.protect(unlocking, tmp_path / "f", "f", lambda _e: None, Cancellation())

    with pytest.raises(WrongPassword):
        run(main())
    job = services.jobs.of_owner("local", services.session.address)[-1]
    assert job.state == JobState.CANCELLED and not job.error
    assert not any(services.work_dir.iterdir())
