"""The sandbox's Secret Management Service: the real SMS's HTTP interface over the sandbox chain.

Clients cannot tell it from iExec's SMS: same paths, bodies, signed challenges and status codes
(shared/spec/iexec-protocol.md §1, §4.2, §4.3, §5). Ownership is read from the chain at request time, as
the real SMS does, so a dataset's key can only be pushed by whoever ``owner()`` names right now.

Where the real SMS answers with an empty body, this one answers with JSON ``{"error", "status"}`` saying
what was wrong; every failure is a JSON reply and the service keeps serving. Choices where the real SMS
is silent or unhelpful, and why:

- **Malformed or missing ``Authorization``** (not ``0x`` + 130 hex digits, v not 27/28, unrecoverable):
  401, like a valid signature by the wrong key. Either way the request is not authenticated, and one
  status keeps clients simple.
- **Dataset not registered** (``POST /secrets/web3``): 401, as the real SMS, whose ownership check fails
  for an unknown address. protectData pushes only after the dataset is mined, so a client sees this only
  for a wrong address or a reset chain; the message says which.
- **Task not initialized on chain** (``POST /tee/challenges``): 404, so the scheduler can tell "retry
  once initialized" from "wrong key" (the real SMS says 401 for both). A task that is no longer ACTIVE, or
  whose deal is not a TEE deal, gets 409: the request is fine, the task's state refuses it.
- **Bad parameters** (address not 20-byte hex, task id not 32-byte hex, empty or non-UTF-8 value,
  requester secret name outside ``[A-Za-z0-9_-]{1,64}``): 400.
- **Chain unreachable**: 503, so a client retries instead of reporting a bug.
- **The enclave challenge** is returned as ``text/plain``: the checksummed address, as the real SMS's
  Spring ``String`` reply.

Replays: every challenge hashes the exact value, so a captured header only ever re-submits the same
value. A replayed web3 or requester push hits 409 (those secrets are immutable); a replayed web2 ``PUT``
rewrites the value its owner signed. That is harmless when it is the current value; replaying an *older*
signed ``PUT`` restores that older value, a limit of the protocol itself (its challenges carry no nonce),
which this service shares with the real SMS rather than break compatibility.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable
from pathlib import Path
from typing import TypeVar

import aiohttp
from aiohttp import web
from eth_typing import ChecksumAddress

from desktop_app.core.iexec.sms_auth import (
    InvalidAuthorization,
    recover_signer,
    requester_secret_challenge,
    tee_challenge_request_hash,
    web2_secret_challenge,
    web3_secret_challenge,
)
from desktop_app.sandbox.chain.view import ChainView
from desktop_app.sandbox.http import ServiceError, json_errors
from desktop_app.sandbox.sms.store import SecretKind, SecretStore

MAX_REQUEST_BYTES = 64 * 1024
MAX_SECRET_BYTES = 4096  # the real SMS's limit (SecretUtils)
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_TASK_ID = re.compile(r"0x[0-9a-fA-F]{64}")
_REQUESTER_SECRET_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TASK_UNSET, _TASK_ACTIVE = 0, 1  # PoCo's TaskStatusEnum
_TEE_BIT = 0x01  # bit 0 of a deal tag's last byte

_T = TypeVar("_T")


def create_app(store_dir: Path, chain: ChainView) -> web.Application:
    """The SMS as an aiohttp application; secrets live in ``store_dir``, ownership comes from ``chain``."""
    sms = _Sms(SecretStore(store_dir), chain)
    app = web.Application(client_max_size=MAX_REQUEST_BYTES, middlewares=[json_errors()])
    app.router.add_post("/secrets/web3", sms.push_web3_secret)
    app.router.add_route("HEAD", "/secrets/web3", sms.web3_secret_exists)
    app.router.add_post("/secrets/web2", sms.add_web2_secret)
    app.router.add_put("/secrets/web2", sms.update_web2_secret)
    app.router.add_route("HEAD", "/secrets/web2", sms.web2_secret_exists)
    app.router.add_post("/requesters/{requester}/secrets/{name}", sms.add_requester_secret)
    app.router.add_route("HEAD", "/requesters/{requester}/secrets/{name}", sms.requester_secret_exists)
    app.router.add_post("/tee/challenges/{task_id}", sms.tee_challenge)
    return app


class _Sms:
    """The endpoints' handlers; checks run parameters, size, signature, then chain and store state."""

    def __init__(self, store: SecretStore, chain: ChainView) -> None:
        self.store = store
        self.chain = chain

    # -- dataset keys ------------------------------------------------------------------------------------

    async def push_web3_secret(self, request: web.Request) -> web.Response:
        dataset = _address(request.query.get("secretAddress"), "secretAddress")
        value = await _secret_value(request)
        signer = _signer(request, web3_secret_challenge(dataset, value))
        owner = await _chain_read(self.chain.owner_of("dataset", dataset))
        if owner is None:
            raise ServiceError(401, f"{dataset} is not a registered dataset, so it has no owner to sign")
        _require_same(signer, owner, "the dataset's owner")
        if not self.store.add(SecretKind.WEB3, dataset, "", value):
            raise ServiceError(409, f"dataset {dataset} already has a key; a dataset key cannot be replaced")
        return web.Response(status=204)

    async def web3_secret_exists(self, request: web.Request) -> web.Response:
        dataset = _address(request.query.get("secretAddress"), "secretAddress")
        return _exists(self.store.has(SecretKind.WEB3, dataset))

    # -- an account's named secrets ----------------------------------------------------------------------

    async def _signed_web2_secret(self, request: web.Request) -> tuple[str, str, bytes]:
        owner, name = _web2_identity(request)
        value = await _secret_value(request)
        _require_same(_signer(request, web2_secret_challenge(owner, name, value)), owner, "ownerAddress")
        return owner, name, value

    async def add_web2_secret(self, request: web.Request) -> web.Response:
        owner, name, value = await self._signed_web2_secret(request)
        if not self.store.add(SecretKind.WEB2, owner, name, value):
            raise ServiceError(409, f"{owner} already has a secret named {name!r}; use PUT to update it")
        return web.Response(status=204)

    async def update_web2_secret(self, request: web.Request) -> web.Response:
        owner, name, value = await self._signed_web2_secret(request)
        if not self.store.update(SecretKind.WEB2, owner, name, value):
            raise ServiceError(404, f"{owner} has no secret named {name!r}; use POST to create it")
        return web.Response(status=204)

    async def web2_secret_exists(self, request: web.Request) -> web.Response:
        owner, name = _web2_identity(request)
        return _exists(self.store.has(SecretKind.WEB2, owner, name))

    # -- requester secrets -------------------------------------------------------------------------------

    async def add_requester_secret(self, request: web.Request) -> web.Response:
        requester, name = _requester_identity(request)
        value = await _secret_value(request)
        signer = _signer(request, requester_secret_challenge(requester, name, value))
        _require_same(signer, requester, "the requester")
        if not self.store.add(SecretKind.REQUESTER, requester, name, value):
            raise ServiceError(409, f"requester {requester} already has a secret named {name!r}")
        return web.Response(status=204)

    async def requester_secret_exists(self, request: web.Request) -> web.Response:
        requester, name = _requester_identity(request)
        return _exists(self.store.has(SecretKind.REQUESTER, requester, name))

    # -- enclave challenges ------------------------------------------------------------------------------

    async def tee_challenge(self, request: web.Request) -> web.Response:
        """The scheduler asks for the key its enclave will sign the result with (spec §5)."""
        task_id = request.match_info["task_id"]
        if not _TASK_ID.fullmatch(task_id):
            raise ServiceError(400, "the task id must be 0x followed by 32 bytes of hex")
        signer = _signer(request, tee_challenge_request_hash(task_id))
        status, deal_id, *_ = await _chain_read(self.chain.call("viewTask", bytes.fromhex(task_id[2:])))
        if status == _TASK_UNSET:
            raise ServiceError(404, f"task {task_id} is not initialized on chain; retry once it is")
        deal = await _chain_read(self.chain.call("viewDeal", deal_id))
        (_, pool_owner, _), tag = deal[2], deal[5]
        _require_same(signer, pool_owner, "the owner of the task's workerpool")
        if status != _TASK_ACTIVE:
            raise ServiceError(409, f"task {task_id} is no longer active (status {status})")
        if not tag[31] & _TEE_BIT:
            raise ServiceError(409, f"task {task_id} is not a TEE task (deal tag 0x{tag.hex()})")
        return web.Response(text=self.store.challenge_for(task_id), content_type="text/plain")


def _address(value: str | None, parameter: str) -> str:
    if value is None or not _ADDRESS.fullmatch(value):
        raise ServiceError(400, f"{parameter} must be 0x followed by a 20-byte hex address")
    return value.lower()


def _web2_identity(request: web.Request) -> tuple[str, str]:
    owner = _address(request.query.get("ownerAddress"), "ownerAddress")
    name = request.query.get("secretName", "")
    if not name:
        raise ServiceError(400, "secretName is missing")
    return owner, name


def _requester_identity(request: web.Request) -> tuple[str, str]:
    requester = _address(request.match_info["requester"], "the requester")
    name = request.match_info["name"]
    if not _REQUESTER_SECRET_NAME.fullmatch(name):
        raise ServiceError(400, "a requester secret name is 1 to 64 characters among A-Z a-z 0-9 _ -")
    return requester, name


async def _secret_value(request: web.Request) -> bytes:
    """The request body, within the SMS's size limit and as the UTF-8 text the real SMS stores."""
    value = await request.read()
    if len(value) > MAX_SECRET_BYTES:
        raise ServiceError(413, f"a secret is at most {MAX_SECRET_BYTES} bytes, got {len(value)}")
    if not value:
        raise ServiceError(400, "the secret value (the request body) is empty")
    try:
        value.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ServiceError(400, "the secret value must be UTF-8 text") from e
    return value


def _signer(request: web.Request, challenge: bytes) -> ChecksumAddress:
    try:
        return recover_signer(challenge, request.headers.get("Authorization"))
    except InvalidAuthorization as e:
        raise ServiceError(401, f"invalid Authorization header: {e}") from e


def _require_same(signer: str, expected: str, role: str) -> None:
    if signer.lower() != expected.lower():
        raise ServiceError(401, f"the challenge was signed by {signer}, not by {role} ({expected})")


def _exists(found: bool) -> web.Response:
    if not found:
        raise ServiceError(404, "no such secret")
    return web.Response(status=204)


async def _chain_read(read: Awaitable[_T]) -> _T:
    """Await a chain read, turning an unreachable node into 503 (retry later) rather than a 500 (a bug)."""
    try:
        return await read
    except (aiohttp.ClientError, TimeoutError) as e:
        raise ServiceError(503, f"the sandbox chain did not answer ({type(e).__name__}); retry later") from e
