"""Pre-compute: fetch the protected data, check it is the one registered, decrypt it for the app.

As iExec's TEE pre-compute does: download the dataset from where its on-chain multiaddr points, compare
``sha256`` of the download with the on-chain checksum, take the key the owner pushed to the SMS, and
write the plain zip to ``IEXEC_IN/<dataset address>``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx

from desktop_app.core.iexec import multiaddr
from desktop_app.core.iexec.orders import NULL_ADDRESS
from desktop_app.core.protect.encrypt import decrypt
from desktop_app.sandbox.sms.store import SecretKind
from desktop_app.sandbox.worker.context import TaskContext, TaskFailure


def _download_url(ctx: TaskContext, location: str) -> str:
    if location.startswith(("/p2p/", "/ipfs/")):
        return f"{ctx.endpoints.ipfsGateway}/ipfs/{location.split('/', 2)[2]}"
    if location.startswith(("http://", "https://")):
        return location
    raise TaskFailure(f"the dataset's location {location!r} is neither IPFS nor a URL")


def _download(url: str, target: Path) -> str:
    """Stream to ``target``; returns ``0x`` + sha256 of what was written."""
    digest = hashlib.sha256()
    try:
        with httpx.stream("GET", url, timeout=60, follow_redirects=True) as reply:
            if reply.status_code != 200:
                raise TaskFailure(f"downloading the dataset from {url} failed with HTTP {reply.status_code}")
            with target.open("wb") as out:
                for block in reply.iter_bytes(1 << 20):
                    digest.update(block)
                    out.write(block)
    except httpx.HTTPError as e:
        raise TaskFailure(f"downloading the dataset from {url} failed: {e}") from e
    return "0x" + digest.hexdigest()


def prepare_input(ctx: TaskContext, in_dir: Path) -> str | None:
    """Write the plain dataset to ``in_dir``; returns the dataset address, or None for a run without one."""
    dataset = ctx.deal.dataset.pointer
    if int(dataset, 16) == int(NULL_ADDRESS, 16):
        return None
    _owner, _name, location_bytes, checksum = ctx.hub.functions.viewDataset(dataset).call()
    encrypted = ctx.workdir / "dataset.enc"
    got = _download(_download_url(ctx, multiaddr.decode(location_bytes)), encrypted)
    if got != "0x" + bytes(checksum).hex():
        raise TaskFailure(
            "the downloaded dataset does not match its on-chain checksum (it was altered or replaced)"
        )
    key = ctx.secrets.get(SecretKind.WEB3, dataset.lower())
    if key is None:
        raise TaskFailure(f"the SMS holds no key for dataset {dataset}: its owner never pushed it")
    target = in_dir / dataset
    try:
        with encrypted.open("rb") as source, target.open("wb") as out:
            decrypt(source, out, key.decode("ascii"))
    except (ValueError, UnicodeDecodeError) as e:
        target.unlink(missing_ok=True)
        raise TaskFailure(f"the SMS key does not decrypt dataset {dataset}: {e}") from e
    finally:
        encrypted.unlink(missing_ok=True)
    return dataset
