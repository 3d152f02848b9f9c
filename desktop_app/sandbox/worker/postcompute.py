"""Post-compute: turn the app's output into the result iExec expects, attested and encrypted.

As iExec's TEE post-compute does (spec §4.9, §5): read ``computed.json``, compute the result digest, zip
``IEXEC_OUT``, encrypt it for the beneficiary's RSA key from the SMS (``aes-key.rsa`` = PKCS#1 v1.5 of a
fresh AES key, ``iexec_out.zip.aes`` = IV ‖ AES-256-CBC), add the enclave's quote, upload to IPFS, and
sign the result with the task's enclave challenge key.
"""

from __future__ import annotations

import base64
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from desktop_app.core.iexec.result_digest import result_digest
from desktop_app.core.protect.encrypt import encrypt, generate_key, key_bytes
from desktop_app.sandbox.sms.store import SecretKind
from desktop_app.sandbox.worker.context import TaskContext, TaskFailure

RESULT_KEY_NAME = "iexec-result-encryption-public-key"
IEXEC_OUT_PREFIX = "/iexec_out/"


@dataclass(frozen=True)
class Output:
    digest: bytes
    archive: Path  # the zip of IEXEC_OUT


def read_output(ctx: TaskContext, out_dir: Path) -> Output:
    computed_path = out_dir / "computed.json"
    try:
        computed = json.loads(computed_path.read_text())
    except FileNotFoundError:
        raise TaskFailure("the app wrote no computed.json, so it produced no result") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise TaskFailure(f"the app's computed.json is not JSON: {e}") from e
    if not isinstance(computed, dict):
        raise TaskFailure("the app's computed.json is not a JSON object")
    if computed.get("error-message"):
        raise TaskFailure(f"the app reported an error: {computed['error-message']}")
    declared = computed.get("deterministic-output-path")
    if not isinstance(declared, str):
        raise TaskFailure("the app's computed.json has no deterministic-output-path")
    path = _inside(out_dir, declared)
    try:
        digest = result_digest(path)
    except FileNotFoundError:
        raise TaskFailure(f"the app's declared output {declared} does not exist") from None
    archive = ctx.workdir / "iexec_out.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for file in sorted(p for p in out_dir.rglob("*") if p.is_file()):
            zipped.write(file, file.relative_to(out_dir).as_posix())
    return Output(digest, archive)


def _inside(out_dir: Path, declared: str) -> Path:
    """Map the app's path (``/iexec_out/...`` as in a real enclave, or absolute) into the output folder."""
    if declared.startswith(IEXEC_OUT_PREFIX):
        candidate = out_dir / declared[len(IEXEC_OUT_PREFIX) :]
    else:
        candidate = Path(declared)
    resolved = candidate.resolve()
    if resolved != out_dir.resolve() and out_dir.resolve() not in resolved.parents:
        raise TaskFailure(f"the app's output {declared} is outside IEXEC_OUT")
    return resolved


def beneficiary_key(ctx: TaskContext) -> RSAPublicKey:
    stored = ctx.secrets.get(SecretKind.WEB2, ctx.deal.beneficiary.lower(), RESULT_KEY_NAME)
    if stored is None:
        raise TaskFailure(
            f"the beneficiary {ctx.deal.beneficiary} has no result-encryption key in the SMS, "
            "so the result cannot be encrypted for them"
        )
    try:
        key = serialization.load_pem_public_key(base64.b64decode(stored))
    except ValueError as e:
        raise TaskFailure(f"the beneficiary's result-encryption key in the SMS is unusable: {e}") from e
    if not isinstance(key, RSAPublicKey):
        raise TaskFailure("the beneficiary's result-encryption key is not an RSA key")
    return key


def wants_encryption(ctx: TaskContext) -> bool:
    params = json.loads(ctx.deal.params or "{}")
    return bool(params.get("iexec_result_encryption", False))


def package(ctx: TaskContext, output: Output, attestation: dict[str, bytes]) -> Path:
    """The archive uploaded as the task's result: encrypted output (or the plain one) plus attestation."""
    result = ctx.workdir / "result.zip"
    with zipfile.ZipFile(result, "w", compression=zipfile.ZIP_STORED) as zipped:
        if wants_encryption(ctx):
            public_key = beneficiary_key(ctx)
            key = generate_key()
            sealed = ctx.workdir / "iexec_out.zip.aes"
            with output.archive.open("rb") as source, sealed.open("wb") as out:
                encrypt(source, out, key)
            zipped.writestr("aes-key.rsa", public_key.encrypt(key_bytes(key), padding.PKCS1v15()))
            zipped.write(sealed, "iexec_out.zip.aes")
        else:
            with zipfile.ZipFile(output.archive) as plain:
                for info in plain.infolist():
                    zipped.writestr(info, plain.read(info))
        for name, data in attestation.items():
            zipped.writestr(name, data)
    return result


def upload(ctx: TaskContext, archive: Path) -> str:
    """Upload to the sandbox IPFS; returns the ``results`` bytes' location ``/ipfs/<cid>``."""
    try:
        with archive.open("rb") as data:
            reply = httpx.post(
                f"{ctx.endpoints.ipfsApi}/api/v0/add",
                params={"pin": "true"},
                files={"file": ("result.zip", data, "application/zip")},
                timeout=120,
            )
    except httpx.HTTPError as e:
        raise TaskFailure(f"uploading the result to IPFS failed: {e}") from e
    if reply.status_code != 200:
        raise TaskFailure(f"uploading the result to IPFS failed with HTTP {reply.status_code}")
    cid = json.loads(reply.text.strip().splitlines()[-1])["Hash"]
    return f"/ipfs/{cid}"
