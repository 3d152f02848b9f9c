"""Protect: a file, a folder or a record becomes protected data, step by step, resumable at every step.

The steps are the DataProtector SDK's, in its order: serialize and encrypt locally, upload the encrypted
file, register it with ``createDatasetWithSchema``, then push its key to the SMS (which checks the
dataset's on-chain owner, so the key push must come last). The upload streams the ciphertext to IPFS
while it is being produced, and the encrypted file is still written whole, so each finished step is
written to the protect journal before the next is journaled; ``resume`` continues a job from the last
finished step after a crash, a dead service or a cancelled upload. The dataset key waits in the journal
only sealed under the owner's account, and only until the SMS has it. The user's original file is only
ever read.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from desktop_app.core.errors import UserCancelled, UserFacingError
from desktop_app.core.iexec import multiaddr
from desktop_app.core.iexec.chain import PocoClient
from desktop_app.core.iexec.ipfs_client import IpfsClient, Progress
from desktop_app.core.iexec.network import NetworkProfile
from desktop_app.core.iexec.sms_client import SecretAlreadyExists, SmsClient
from desktop_app.core.protect import pipeline
from desktop_app.core.protect.channel import CiphertextChannel
from desktop_app.core.protect.record import Record
from desktop_app.core.store.activity import Activity, Kind
from desktop_app.core.store.protect_jobs import JobState, ProtectJob, ProtectJobs
from desktop_app.core.wallet import FeeData, SignedTx, TxRequest, WalletSession
from desktop_app.core.wallet.sealing import Sealed, seal, unseal
from desktop_app.flows.progress import BytesProgress, Cancellation, Event, Reporter, StepDone, StepStarted
from desktop_app.flows.signing import Review, ReviewedSigner, SigningRequest, approve

log = logging.getLogger(__name__)

# The SDK's status titles, in order (dataProtectorCore/protectData.ts).
EXTRACT_DATA_SCHEMA = "EXTRACT_DATA_SCHEMA"
CREATE_ZIP_FILE = "CREATE_ZIP_FILE"
CREATE_ENCRYPTION_KEY = "CREATE_ENCRYPTION_KEY"
ENCRYPT_FILE = "ENCRYPT_FILE"
UPLOAD_ENCRYPTED_FILE = "UPLOAD_ENCRYPTED_FILE"
DEPLOY_PROTECTED_DATA = "DEPLOY_PROTECTED_DATA"
PUSH_SECRET_TO_SMS = "PUSH_SECRET_TO_SMS"  # noqa: S105 - a step name
STEPS = (
    EXTRACT_DATA_SCHEMA,
    CREATE_ZIP_FILE,
    CREATE_ENCRYPTION_KEY,
    ENCRYPT_FILE,
    UPLOAD_ENCRYPTED_FILE,
    DEPLOY_PROTECTED_DATA,
    PUSH_SECRET_TO_SMS,
)
RECORD_SOURCE = "<record>"
_KEY_PURPOSE = b"dataprotector-desktop/dataset-key/v1/"


@dataclass(frozen=True)
class ProtectOutcome:
    job_id: str
    dataset: str
    name: str
    schema: str
    checksum: str
    size: int
    cid: str
    tx_hash: str


@dataclass
class ProtectServices:
    profile: NetworkProfile
    session: WalletSession
    jobs: ProtectJobs
    work_dir: Path  # encrypted files wait here for upload (they are ciphertext: not secret)
    unlocking: asyncio.Future[None] | None = None
    """``session``'s unlock while it still runs: the CLI overlaps its scrypt with the encryption. Each step
    that needs the key waits for it; if it fails, the protect stops with its error, and a job that was
    not yet encrypted is dropped (the user starts again with the right password)."""
    review: Review = approve
    """Shown the registration transaction, with its gas and fee, before it is signed (the GUI's dialog)."""


class _JournalingSigner:
    """Signs as the wallet does, and journals the transaction's hash before it is sent, so a crash while
    it is in flight resumes by looking the transaction up instead of registering the data twice."""

    def __init__(self, session: WalletSession, jobs: ProtectJobs, job_id: str) -> None:
        self._session, self._jobs, self._job_id = session, jobs, job_id

    @property
    def address(self) -> str:
        return self._session.address

    def sign_transaction(self, tx: TxRequest, fees: FeeData) -> SignedTx:
        signed = self._session.sign_transaction(tx, fees)
        self._jobs.update(self._job_id, state=JobState.REGISTERING, tx_hash=signed.hash_hex)
        return signed


async def protect(
    services: ProtectServices, source: Path | Record, name: str, report: Reporter, cancel: Cancellation
) -> ProtectOutcome:
    """Protect ``source`` (a path, or a record mapping) under ``name``; see the module docstring."""
    origin = await asyncio.to_thread(_origin, source)
    job = services.jobs.create(services.profile.name, services.session.address, name, origin)
    return await _advance(services, job, source, report, cancel)


def _origin(source: Path | Record) -> str:
    """What the journal keeps to re-read the source on resume: a record's content is never kept."""
    if not isinstance(source, Path):
        return RECORD_SOURCE
    if not source.exists():
        raise UserFacingError(f"{source} does not exist.", "check the path")
    return str(source.resolve())


async def resume(
    services: ProtectServices, job_id: str, report: Reporter, cancel: Cancellation
) -> ProtectOutcome:
    """Continue a protect that stopped (crash, dead service, cancel) from its last finished step."""
    job = services.jobs.get(job_id)
    if job.state == JobState.PROTECTED:
        return _outcome(job)
    if job.state in (JobState.CREATED, JobState.CANCELLED) and job.source == RECORD_SOURCE:
        raise UserFacingError(
            "This record was never kept on disk, so its protection cannot be resumed.",
            "protect the record again",
        )
    source = Path(job.source) if job.source != RECORD_SOURCE else None
    if job.state == JobState.CANCELLED:
        job = services.jobs.update(job_id, state=JobState.CREATED)
    return await _advance(services, job, source, report, cancel)


async def _advance(
    services: ProtectServices,
    job: ProtectJob,
    source: Path | Record | None,
    report: Reporter,
    cancel: Cancellation,
) -> ProtectOutcome:
    jobs = services.jobs
    try:
        if job.state == JobState.CREATED:
            assert source is not None  # resume() refuses a record that was never encrypted
            job = await _encrypt_and_upload(services, job, source, report, cancel)
        if job.state == JobState.ENCRYPTED:
            job = await _upload(services, job, report, cancel)
        await _key_ready(services)
        if job.state in (JobState.UPLOADED, JobState.REGISTERING):
            job = await _register(services, job, report)
        if job.state == JobState.REGISTERED:
            job = await _push_key(services, job, report)
    except UserCancelled:
        if jobs.get(job.id).state in (JobState.CREATED, JobState.ENCRYPTED, JobState.UPLOADED):
            await asyncio.to_thread(_discard, services, jobs.get(job.id))
            jobs.update(job.id, state=JobState.CANCELLED, error="")
        raise
    except Exception as e:
        if _unlock_failed(services) and jobs.get(job.id).state == JobState.CREATED:
            await asyncio.to_thread(_discard, services, jobs.get(job.id))
            jobs.update(job.id, state=JobState.CANCELLED, error="")
        else:
            jobs.update(job.id, error=str(e))
        Activity(jobs.db).record(services.profile.name, Kind.PROTECT, job.name, f"Protect failed: {e}")
        raise
    Activity(jobs.db).record(services.profile.name, Kind.PROTECT, job.name, f"Protected as {job.dataset}")
    return _outcome(job)


def _encrypted_path(services: ProtectServices, job: ProtectJob) -> Path:
    services.work_dir.mkdir(parents=True, exist_ok=True)
    return services.work_dir / f"{job.id}.enc"


class _LocalSteps:
    """Turns the pipeline's two stages into the SDK's four local steps, on the loop's thread.

    The pipeline reports from its worker thread: every event hops onto the loop with
    ``call_soon_threadsafe``. "scan" (reading files for the zip) is EXTRACT_DATA_SCHEMA + CREATE_ZIP_FILE;
    "encrypt" is CREATE_ENCRYPTION_KEY + ENCRYPT_FILE.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, report: Reporter) -> None:
        self._loop, self._report = loop, report
        self._stage: str | None = None

    def _emit(self, *events: Event) -> None:
        for event in events:
            self._loop.call_soon_threadsafe(self._report, event)

    def __call__(self, stage: pipeline.Stage, done: int, total: int) -> None:
        if stage != self._stage:
            if stage == "scan":
                self._emit(
                    StepStarted(EXTRACT_DATA_SCHEMA),
                    StepDone(EXTRACT_DATA_SCHEMA),
                    StepStarted(CREATE_ZIP_FILE),
                )
            else:
                if self._stage == "scan":
                    self._emit(StepDone(CREATE_ZIP_FILE))
                self._emit(
                    StepStarted(CREATE_ENCRYPTION_KEY),
                    StepDone(CREATE_ENCRYPTION_KEY),
                    StepStarted(ENCRYPT_FILE),
                )
            self._stage = stage
        self._emit(BytesProgress(CREATE_ZIP_FILE if stage == "scan" else ENCRYPT_FILE, done, total))


async def _key_ready(services: ProtectServices) -> None:
    """Wait for the session's unlock if it still runs; raises its error if it failed."""
    if services.unlocking is not None:
        await services.unlocking


def _unlock_failed(services: ProtectServices) -> bool:
    unlocking = services.unlocking
    if unlocking is None or not unlocking.done():
        return False
    return unlocking.cancelled() or unlocking.exception() is not None


async def _encrypt_and_upload(
    services: ProtectServices, job: ProtectJob, source: Path | Record, report: Reporter, cancel: Cancellation
) -> ProtectJob:
    """Encrypt into the job's work file while the same bytes stream to IPFS.

    The two are journaled apart as before: ENCRYPTED once the file is whole and its key sealed, then
    UPLOADED. A failed upload lets the encryption finish, so the job stops at ENCRYPTED and resumes by
    uploading the file; a failed or cancelled encryption cancels the upload, and the IPFS service drops
    a cut-off add.
    """
    channel = CiphertextChannel(asyncio.get_running_loop())

    async def stream() -> str:
        try:
            size = await channel.size

            def add(ipfs: IpfsClient, progress: Progress, stop: asyncio.Event) -> Awaitable[str]:
                return ipfs.add_stream(channel.chunks(), size, on_progress=progress, cancel=stop)

            return await _uploaded(services, report, cancel, add)
        finally:
            channel.close()

    uploading = asyncio.ensure_future(stream())
    try:
        job = await _encrypt(services, job, source, report, cancel, channel)
    except BaseException:
        uploading.cancel()
        await asyncio.gather(uploading, return_exceptions=True)
        raise
    cid = await uploading
    return services.jobs.update(job.id, state=JobState.UPLOADED, cid=cid, error="")


async def _encrypt(
    services: ProtectServices,
    job: ProtectJob,
    source: Path | Record,
    report: Reporter,
    cancel: Cancellation,
    sink: pipeline.CiphertextSink,
) -> ProtectJob:
    progress = _LocalSteps(asyncio.get_running_loop(), report)
    output = _encrypted_path(services, job)
    unlock_failed = threading.Event()  # then finishing the encryption is of no use

    def on_unlocked(_: object) -> None:
        if _unlock_failed(services):
            unlock_failed.set()

    if services.unlocking is not None:
        services.unlocking.add_done_callback(on_unlocked)

    def should_cancel() -> bool:
        return cancel.is_set() or unlock_failed.is_set()

    def work() -> pipeline.ProtectedData:
        if isinstance(source, Path):
            return pipeline.protect_path(
                source, output, on_progress=progress, should_cancel=should_cancel, sink=sink
            )
        return pipeline.protect(source, output, on_progress=progress, should_cancel=should_cancel, sink=sink)

    try:
        protected = await asyncio.to_thread(work)
    except UserCancelled:
        await _key_ready(services)  # a failed unlock, not the user, may have stopped it: say so
        raise
    report(StepDone(ENCRYPT_FILE, protected.checksum))
    await _key_ready(services)
    sealed = seal(services.session, _KEY_PURPOSE, protected.key.encode(), job.id.encode())
    return services.jobs.update(
        job.id,
        state=JobState.ENCRYPTED,
        encrypted_path=str(protected.path),
        sealed_key=sealed.to_bytes(),
        checksum=protected.checksum,
        schema=protected.schema,
        size=protected.size,
        error="",
    )


async def _upload(
    services: ProtectServices, job: ProtectJob, report: Reporter, cancel: Cancellation
) -> ProtectJob:
    """Upload the work file of a job that stopped after its encryption."""

    def add(ipfs: IpfsClient, progress: Progress, stop: asyncio.Event) -> Awaitable[str]:
        return ipfs.add(Path(job.encrypted_path), on_progress=progress, cancel=stop)

    cid = await _uploaded(services, report, cancel, add)
    return services.jobs.update(job.id, state=JobState.UPLOADED, cid=cid, error="")


async def _uploaded(
    services: ProtectServices,
    report: Reporter,
    cancel: Cancellation,
    add: Callable[[IpfsClient, Progress, asyncio.Event], Awaitable[str]],
) -> str:
    """The CID of what ``add`` uploads, reported as the upload step; ``cancel`` stops it."""
    report(StepStarted(UPLOAD_ENCRYPTED_FILE))
    stop = asyncio.Event()

    async def watch_cancel() -> None:
        while not stop.is_set():
            if cancel.is_set():
                stop.set()
            await asyncio.sleep(0.05)

    watcher = asyncio.create_task(watch_cancel())
    try:
        async with IpfsClient(services.profile) as ipfs:
            cid = await add(
                ipfs, lambda done, total: report(BytesProgress(UPLOAD_ENCRYPTED_FILE, done, total)), stop
            )
    finally:
        stop.set()
        await watcher
    report(StepDone(UPLOAD_ENCRYPTED_FILE, cid))
    return cid


async def _register(services: ProtectServices, job: ProtectJob, report: Reporter) -> ProtectJob:
    report(StepStarted(DEPLOY_PROTECTED_DATA))
    async with PocoClient(services.profile) as chain:
        if job.state == JobState.REGISTERING and await chain.transaction_known(job.tx_hash):
            dataset, tx_hash = await chain.dataset_created_in(job.tx_hash), job.tx_hash
        else:
            dataset, tx_hash = await chain.create_dataset_with_schema(
                job.name,
                job.schema,
                multiaddr.encode_ipfs(job.cid),
                bytes.fromhex(job.checksum[2:]),
                signer=ReviewedSigner(
                    _JournalingSigner(services.session, services.jobs, job.id),
                    services.review,
                    services.profile,
                    _registration(services.profile, job),
                ),
            )
    report(StepDone(DEPLOY_PROTECTED_DATA, dataset))
    return services.jobs.update(job.id, state=JobState.REGISTERED, dataset=dataset, tx_hash=tx_hash, error="")


def _registration(profile: NetworkProfile, job: ProtectJob) -> SigningRequest:
    """What registering ``job`` means, for the review: the key push that follows needs no other consent."""
    return SigningRequest(
        "transaction",
        f"Register {job.name} as your protected data on {profile.label}. Only its encrypted copy is "
        "public; its key goes to the SMS, for the iApps you allow",
        (
            ("network", profile.label),
            ("contract", f"DataProtector ({profile.data_protector})"),
            ("name", job.name),
            ("schema", job.schema),
            ("size", f"{job.size:,} bytes encrypted"),
            ("checksum", job.checksum),
            ("storage", f"ipfs://{job.cid}"),
        ),
        "",
    )


async def _push_key(services: ProtectServices, job: ProtectJob, report: Reporter) -> ProtectJob:
    report(StepStarted(PUSH_SECRET_TO_SMS))
    assert job.sealed_key is not None
    key = unseal(services.session, _KEY_PURPOSE, Sealed.from_bytes(job.sealed_key), job.id.encode()).decode()
    async with SmsClient(services.profile) as sms:
        try:
            await sms.push_dataset_key(job.dataset, key, services.session.account())
        except SecretAlreadyExists:
            # Pushed by an earlier attempt that crashed before journaling it: the SMS has the key, done.
            log.info("the SMS already held the key of %s", job.dataset)
    report(StepDone(PUSH_SECRET_TO_SMS))
    done = services.jobs.update(job.id, state=JobState.PROTECTED, sealed_key=None, error="")
    await asyncio.to_thread(_discard, services, done)
    return done


def _discard(services: ProtectServices, job: ProtectJob) -> None:
    """Remove the job's encrypted file: uploaded already, or no longer wanted.

    Blocking, so callers run it in a thread: freeing a 1 GiB file takes ~0.1 s, a visible GUI stall.
    """
    _encrypted_path(services, job).unlink(missing_ok=True)
    for leftover in services.work_dir.glob(f".{job.id}.enc.*.partial"):
        leftover.unlink(missing_ok=True)


def _outcome(job: ProtectJob) -> ProtectOutcome:
    return ProtectOutcome(
        job.id, job.dataset, job.name, job.schema, job.checksum, job.size, job.cid, job.tx_hash
    )
