"""Fetch a task's result: download the encrypted archive, decrypt it with the owner's RSA key, unpack it.

The encrypted archive is kept beside the output: it carries the enclave's quote, which ``verify`` checks.
Unpacking refuses any entry that would land outside the output folder.
"""

from __future__ import annotations

import asyncio
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from desktop_app.core.errors import UserFacingError
from desktop_app.core.iexec.chain import PocoClient
from desktop_app.core.iexec.ipfs_client import IpfsClient
from desktop_app.core.iexec.network import NetworkProfile
from desktop_app.core.iexec.poco_views import TaskStatus
from desktop_app.core.iexec.results import decrypt_result
from desktop_app.core.wallet import ResultKeys, WalletSession
from desktop_app.flows.progress import BytesProgress, Reporter, StepDone, StepStarted, ignore

TASK_RESULT_DOWNLOAD = "TASK_RESULT_DOWNLOAD"
TASK_RESULT_DECRYPT = "TASK_RESULT_DECRYPT"


@dataclass(frozen=True)
class ResultFiles:
    archive: Path  # the result as the enclave uploaded it (encrypted output, attestation)
    output_dir: Path  # the decrypted iexec_out, unpacked
    deterministic_output: Path | None  # what computed.json names: the file whose digest is on chain


def _unpack(zipped: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    root = target.resolve()
    with zipfile.ZipFile(zipped) as archive:
        for info in archive.infolist():
            destination = (target / info.filename).resolve()
            if root not in destination.parents and destination != root:
                raise UserFacingError(
                    f"The result holds an unsafe path {info.filename!r}; it was not unpacked."
                )
        archive.extractall(target)


def deterministic_output(output_dir: Path) -> Path | None:
    try:
        computed = json.loads((output_dir / "computed.json").read_text())
        declared = str(computed["deterministic-output-path"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    relative = (
        declared.removeprefix("/iexec_out/") if declared.startswith("/iexec_out/") else Path(declared).name
    )
    path = (output_dir / relative).resolve()
    return path if path.exists() and output_dir.resolve() in path.parents else None


async def fetch_result(
    profile: NetworkProfile, session: WalletSession, task_id: str, out_dir: Path, *, report: Reporter = ignore
) -> ResultFiles:
    """Download ``task_id``'s result into ``out_dir`` and decrypt it with ``session``'s result key."""
    async with PocoClient(profile) as chain, IpfsClient(profile) as ipfs:
        return await _fetch(chain, ipfs, session, task_id, out_dir, report)


async def _fetch(
    chain: PocoClient, ipfs: IpfsClient, session: WalletSession, task_id: str, out_dir: Path, report: Reporter
) -> ResultFiles:
    task = await chain.view_task(task_id)
    if task.status != TaskStatus.COMPLETED:
        raise UserFacingError(
            f"Task {task_id} is {task.status.name}: it has no result.", "wait until it completes"
        )
    try:
        location = json.loads(task.results.decode())["location"]
    except (ValueError, KeyError, UnicodeDecodeError) as e:
        raise UserFacingError(f"Task {task_id} recorded a result location this app cannot read ({e}).") from e
    report(StepStarted(TASK_RESULT_DOWNLOAD))
    await asyncio.to_thread(out_dir.mkdir, parents=True, exist_ok=True)
    archive = await ipfs.download(
        location,
        out_dir / f"{task_id}.result.zip",
        on_progress=lambda done, total: report(BytesProgress(TASK_RESULT_DOWNLOAD, done, total)),
    )
    report(StepDone(TASK_RESULT_DOWNLOAD))
    report(StepStarted(TASK_RESULT_DECRYPT))
    pair = await asyncio.to_thread(ResultKeys(session.wallet.directory).ensure, session)
    inner = out_dir / f"{task_id}.iexec_out.zip"
    await asyncio.to_thread(decrypt_result, archive, pair.decrypt_aes_key, inner)
    output_dir = out_dir / "iexec_out"
    await asyncio.to_thread(_unpack, inner, output_dir)
    await asyncio.to_thread(inner.unlink)
    report(StepDone(TASK_RESULT_DECRYPT))
    return ResultFiles(archive, output_dir, deterministic_output(output_dir))
