"""The sandbox SMS over real HTTP, against the real PoCo on anvil: the status codes clients rely on.

Every refusal is checked to be a JSON error, and the service to answer the next request.
"""

from __future__ import annotations

import sqlite3
import stat
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.exceptions import InvalidTag
from eth_account import Account
from eth_account.signers.local import LocalAccount

from desktop_app.core.iexec.orders import NULL_BYTES32
from desktop_app.core.iexec.sms_auth import (
    requester_secret_challenge,
    sign_challenge,
    tee_challenge_request_hash,
    web2_secret_challenge,
    web3_secret_challenge,
)
from desktop_app.sandbox.chain.view import ChainView
from desktop_app.sandbox.sms.server import create_app
from desktop_app.sandbox.sms.store import DATABASE_FILE, MASTER_KEY_FILE, SecretKind, SecretStore
from tests.support.chain import LocalChain, dev_account, free_port
from tests.support.deal import Task, contribute_and_finalize, create_protected_data, start_task
from tests.support.servers import serve

OWNER = dev_account(1)
OTHER = dev_account(2)
POOL_OWNER = dev_account(3)
APP_OWNER = dev_account(4)
REQUESTER = dev_account(5)
WORKER = dev_account(6)
AES_KEY = "ubA6H9emVPJT91/flYAmnKHC0phSV3cfuqsLxQfgow0="
RESULT_KEY_NAME = "iexec-result-encryption-public-key"
NOBODY = "0x000000000000000000000000000000000000dead"


@contextmanager
def running_sms(store_dir: Path, chain: LocalChain, rpc_url: str | None = None) -> Iterator[httpx.Client]:
    view = ChainView(rpc_url or chain.rpc_url, chain.deployment, chain.parts)
    with serve(create_app(store_dir, view)) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "sms"


@pytest.fixture
def sms(chain: LocalChain, store_dir: Path) -> Iterator[httpx.Client]:
    with running_sms(store_dir, chain) as client:
        yield client


def push_key(client: httpx.Client, dataset: str, value: str | bytes, signer: LocalAccount) -> httpx.Response:
    """What protectData does after the dataset is mined (spec §1)."""
    return client.post(
        "/secrets/web3",
        params={"secretAddress": dataset},
        content=value,
        headers={"Authorization": sign_challenge(web3_secret_challenge(dataset, value), signer)},
    )


def web2(client: httpx.Client, method: str, name: str, value: str, signer: LocalAccount) -> httpx.Response:
    """A named secret of OWNER's, signed by ``signer``."""
    owner = OWNER.address
    return client.request(
        method,
        "/secrets/web2",
        params={"ownerAddress": owner, "secretName": name},
        content=value,
        headers={"Authorization": sign_challenge(web2_secret_challenge(owner, name, value), signer)},
    )


def push_requester_secret(
    client: httpx.Client, requester: str, name: str, value: str, signer: LocalAccount
) -> httpx.Response:
    return client.post(
        f"/requesters/{requester}/secrets/{name}",
        content=value,
        headers={"Authorization": sign_challenge(requester_secret_challenge(requester, name, value), signer)},
    )


def ask_challenge(client: httpx.Client, task_id: str, signer: LocalAccount) -> httpx.Response:
    return client.post(
        f"/tee/challenges/{task_id}",
        headers={"Authorization": sign_challenge(tee_challenge_request_hash(task_id), signer)},
    )


def head_web3(client: httpx.Client, dataset: str) -> int:
    return client.head("/secrets/web3", params={"secretAddress": dataset}).status_code


def head_web2(client: httpx.Client, name: str) -> int:
    return client.head(
        "/secrets/web2", params={"ownerAddress": OWNER.address, "secretName": name}
    ).status_code


def start(chain: LocalChain, **options: Any) -> Task:
    """A task of a fresh deal, with this module's cast of accounts."""
    return start_task(
        chain, app_owner=APP_OWNER, dataset_owner=OWNER, pool_owner=POOL_OWNER, requester=REQUESTER, **options
    )


def assert_refused(client: httpx.Client, response: httpx.Response, status: int) -> str:
    """``response`` is a JSON error with ``status``, and the service still answers afterwards."""
    assert response.status_code == status, response.text
    if response.request.method != "HEAD":
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        assert body["status"] == status
        assert body["error"]
    assert head_web3(client, NOBODY) == 404
    return str(response.json()["error"]) if response.content else ""


# -- dataset keys (spec §1) ---------------------------------------------------------------------------------


def test_owner_pushes_a_dataset_key_once(chain: LocalChain, sms: httpx.Client) -> None:
    dataset = create_protected_data(chain, OWNER)
    assert head_web3(sms, dataset) == 404

    assert push_key(sms, dataset, AES_KEY, OWNER).status_code == 204
    assert head_web3(sms, dataset) == 204
    assert head_web3(sms, dataset.lower()) == 204  # addresses are lowercased server-side

    # A replay of the successful push, and any later push, meet an immutable key.
    assert "cannot be replaced" in assert_refused(sms, push_key(sms, dataset, AES_KEY, OWNER), 409)
    assert_refused(sms, push_key(sms, dataset, "another key", OWNER), 409)


def test_a_non_owner_cannot_push_a_dataset_key(chain: LocalChain, sms: httpx.Client) -> None:
    dataset = create_protected_data(chain, OWNER)
    message = assert_refused(sms, push_key(sms, dataset, AES_KEY, OTHER), 401)
    assert OTHER.address in message
    assert head_web3(sms, dataset) == 404
    assert push_key(sms, dataset, AES_KEY, OWNER).status_code == 204


def test_an_unregistered_dataset_has_no_owner_to_sign(sms: httpx.Client) -> None:
    unregistered = Account.create().address
    message = assert_refused(sms, push_key(sms, unregistered, AES_KEY, OWNER), 401)
    assert "not a registered dataset" in message


def test_secret_size_limits(chain: LocalChain, sms: httpx.Client) -> None:
    dataset = create_protected_data(chain, OWNER)
    assert_refused(sms, push_key(sms, dataset, "k" * 4097, OWNER), 413)
    too_big = sms.post("/secrets/web3", params={"secretAddress": dataset}, content=b"k" * (65 * 1024))
    assert "65536" in assert_refused(sms, too_big, 413)  # refused by the server's request limit
    assert push_key(sms, dataset, "k" * 4096, OWNER).status_code == 204


@pytest.mark.parametrize(
    "header",
    [None, "not a signature", "0x1234", "0x" + "zz" * 65],
    ids=["missing", "garbage", "short", "not-hex"],
)
def test_malformed_authorization_is_unauthorized(
    chain: LocalChain, sms: httpx.Client, header: str | None
) -> None:
    dataset = create_protected_data(chain, OWNER)
    headers = {} if header is None else {"Authorization": header}
    response = sms.post("/secrets/web3", params={"secretAddress": dataset}, content=AES_KEY, headers=headers)
    assert "Authorization" in assert_refused(sms, response, 401)


def test_a_signature_with_v_0_is_refused_like_the_real_sms(chain: LocalChain, sms: httpx.Client) -> None:
    dataset = create_protected_data(chain, OWNER)
    signature = bytearray.fromhex(sign_challenge(web3_secret_challenge(dataset, AES_KEY), OWNER)[2:])
    signature[64] -= 27
    response = sms.post(
        "/secrets/web3",
        params={"secretAddress": dataset},
        content=AES_KEY,
        headers={"Authorization": "0x" + signature.hex()},
    )
    assert_refused(sms, response, 401)


def test_malformed_requests_get_json_errors(chain: LocalChain, sms: httpx.Client) -> None:
    dataset = create_protected_data(chain, OWNER)
    assert_refused(sms, sms.post("/secrets/web3", content=AES_KEY), 400)
    assert_refused(sms, sms.post("/secrets/web3", params={"secretAddress": "0x1234"}, content=AES_KEY), 400)
    assert_refused(sms, push_key(sms, dataset, b"", OWNER), 400)
    assert_refused(sms, push_key(sms, dataset, b"\xff\xfe not UTF-8", OWNER), 400)
    assert_refused(sms, sms.get("/secrets/web3", params={"secretAddress": dataset}), 405)
    assert_refused(sms, sms.post("/no/such/endpoint"), 404)
    assert_refused(sms, sms.head("/secrets/web3", params={"secretAddress": "nope"}), 400)


# -- an account's named secrets (spec §4.3) -----------------------------------------------------------------


def test_web2_post_put_head(sms: httpx.Client, store_dir: Path) -> None:
    assert head_web2(sms, RESULT_KEY_NAME) == 404
    assert_refused(sms, web2(sms, "PUT", RESULT_KEY_NAME, "pem-1", OWNER), 404)  # PUT never creates

    assert web2(sms, "POST", RESULT_KEY_NAME, "pem-1", OWNER).status_code == 204
    assert head_web2(sms, RESULT_KEY_NAME) == 204
    assert_refused(sms, web2(sms, "POST", RESULT_KEY_NAME, "pem-2", OWNER), 409)

    assert_refused(sms, web2(sms, "PUT", RESULT_KEY_NAME, "pem-2", OTHER), 401)
    assert_refused(sms, web2(sms, "POST", "other-name", "x", OTHER), 401)
    assert web2(sms, "PUT", RESULT_KEY_NAME, "pem-2", OWNER).status_code == 204
    # Replaying the same signed PUT is idempotent: it rewrites the value its owner signed.
    assert web2(sms, "PUT", RESULT_KEY_NAME, "pem-2", OWNER).status_code == 204
    assert SecretStore(store_dir).get(SecretKind.WEB2, OWNER.address, RESULT_KEY_NAME) == b"pem-2"

    assert_refused(sms, sms.post("/secrets/web2", params={"ownerAddress": OWNER.address}, content="x"), 400)
    assert_refused(sms, sms.head("/secrets/web2", params={"ownerAddress": OWNER.address}), 400)


# -- requester secrets (spec §4.2) --------------------------------------------------------------------------


def test_requester_secrets(sms: httpx.Client, store_dir: Path) -> None:
    requester, name = REQUESTER.address, "0123456789abcdef0123456789abcdef"
    path = f"/requesters/{requester}/secrets/{name}"
    assert sms.head(path).status_code == 404

    assert_refused(sms, push_requester_secret(sms, requester, name, "s3cret", OTHER), 401)
    assert push_requester_secret(sms, requester, name, "s3cret", REQUESTER).status_code == 204
    assert sms.head(path).status_code == 204
    assert sms.head(path.replace(requester, requester.lower())).status_code == 204
    assert_refused(sms, push_requester_secret(sms, requester, name, "s3cret", REQUESTER), 409)
    assert SecretStore(store_dir).get(SecretKind.REQUESTER, requester, name) == b"s3cret"


@pytest.mark.parametrize(
    "name", ["a" * 65, "dot.name", "with space", "é"], ids=["long", "dot", "space", "accent"]
)
def test_requester_secret_names_are_restricted(sms: httpx.Client, name: str) -> None:
    response = push_requester_secret(sms, REQUESTER.address, name, "v", REQUESTER)
    assert "secret name" in assert_refused(sms, response, 400)


# -- enclave challenges (spec §5) ---------------------------------------------------------------------------


def test_enclave_challenge_refusals_before_any_task(sms: httpx.Client) -> None:
    uninitialized = "0x" + "42" * 32
    assert_refused(sms, ask_challenge(sms, uninitialized, POOL_OWNER), 404)
    assert_refused(sms, sms.post(f"/tee/challenges/{uninitialized}"), 401)
    assert_refused(sms, sms.post("/tee/challenges/0x1234", headers={"Authorization": "0x00"}), 400)


def test_enclave_challenge_for_a_live_tee_task(chain: LocalChain, store_dir: Path) -> None:
    """The whole custody chain: the pool owner gets an address, the worker gets its key, PoCo accepts it."""
    task = start(chain, price=5)
    with running_sms(store_dir, chain) as sms:
        assert_refused(sms, ask_challenge(sms, task.task_id_hex, OTHER), 401)
        response = ask_challenge(sms, task.task_id_hex, POOL_OWNER)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        challenge = response.text
        assert ask_challenge(sms, task.task_id_hex, POOL_OWNER).text == challenge  # idempotent
    with running_sms(store_dir, chain) as sms:  # and across a restart
        assert ask_challenge(sms, task.task_id_hex.upper().replace("0X", "0x"), POOL_OWNER).text == challenge

    key = SecretStore(store_dir).challenge_key(task.task_id_hex)
    assert Account.from_key(key).address == challenge
    contribute_and_finalize(
        chain, task, worker=WORKER, pool_owner=POOL_OWNER, enclave_key=key, result_digest=b"\x07" * 32
    )
    with running_sms(store_dir, chain) as sms:
        refusal = assert_refused(sms, ask_challenge(sms, task.task_id_hex, POOL_OWNER), 409)
    assert "no longer active" in refusal


def test_no_enclave_challenge_for_a_standard_task(
    chain: LocalChain, sms: httpx.Client, store_dir: Path
) -> None:
    task = start(chain, tag=NULL_BYTES32)
    assert "not a TEE task" in assert_refused(sms, ask_challenge(sms, task.task_id_hex, POOL_OWNER), 409)
    with pytest.raises(KeyError):
        SecretStore(store_dir).challenge_key(task.task_id_hex)


# -- the store ----------------------------------------------------------------------------------------------


def test_secrets_survive_a_restart(chain: LocalChain, store_dir: Path) -> None:
    dataset = create_protected_data(chain, OWNER)
    with running_sms(store_dir, chain) as sms:
        assert push_key(sms, dataset, AES_KEY, OWNER).status_code == 204
        assert web2(sms, "POST", RESULT_KEY_NAME, "pem", OWNER).status_code == 204
    with running_sms(store_dir, chain) as sms:
        assert head_web3(sms, dataset) == 204
        assert_refused(sms, push_key(sms, dataset, AES_KEY, OWNER), 409)
        assert web2(sms, "PUT", RESULT_KEY_NAME, "pem-2", OWNER).status_code == 204
    store = SecretStore(store_dir)
    assert store.get(SecretKind.WEB3, dataset) == AES_KEY.encode()
    assert store.get(SecretKind.WEB2, OWNER.address, RESULT_KEY_NAME) == b"pem-2"


def test_secrets_are_encrypted_at_rest(chain: LocalChain, sms: httpx.Client, store_dir: Path) -> None:
    dataset = create_protected_data(chain, OWNER)
    values = [AES_KEY, "requester-plaintext-marker", "web2-plaintext-marker"]
    assert push_key(sms, dataset, values[0], OWNER).status_code == 204
    assert push_requester_secret(sms, REQUESTER.address, "n", values[1], REQUESTER).status_code == 204
    assert web2(sms, "POST", "token", values[2], OWNER).status_code == 204

    files = [path for path in store_dir.rglob("*") if path.is_file()]
    assert {path.name for path in files} >= {DATABASE_FILE, MASTER_KEY_FILE}
    for path in files:
        content = path.read_bytes()
        for value in values:
            assert value.encode() not in content, f"{value!r} in clear in {path.name}"
    master_key = store_dir / MASTER_KEY_FILE
    assert len(master_key.read_bytes()) == 32
    if sys.platform != "win32":
        assert stat.S_IMODE(master_key.stat().st_mode) == 0o600


def test_a_ciphertext_moved_to_another_identity_does_not_decrypt(store_dir: Path) -> None:
    """The row's identity is authenticated data: one dataset's key cannot be passed off as another's."""
    store = SecretStore(store_dir)
    store.add(SecretKind.WEB3, "0x" + "aa" * 20, "", b"key of dataset A")
    store.add(SecretKind.WEB3, "0x" + "bb" * 20, "", b"key of dataset B")
    with closing(sqlite3.connect(store_dir / DATABASE_FILE)) as db, db:
        db.execute(
            "UPDATE secrets SET (nonce, ciphertext) = "
            "(SELECT nonce, ciphertext FROM secrets WHERE scope = ?) WHERE scope = ?",
            ("0x" + "aa" * 20, "0x" + "bb" * 20),
        )
    assert store.get(SecretKind.WEB3, "0x" + "AA" * 20) == b"key of dataset A"
    with pytest.raises(InvalidTag):
        store.get(SecretKind.WEB3, "0x" + "bb" * 20)


def test_an_unreachable_chain_is_a_retryable_503(chain: LocalChain, store_dir: Path) -> None:
    dead_rpc = f"http://127.0.0.1:{free_port()}"
    with running_sms(store_dir, chain, rpc_url=dead_rpc) as sms:
        # One request only: web3 retries a refused connection for ~2 s before giving up.
        assert "retry later" in assert_refused(sms, push_key(sms, NOBODY, AES_KEY, OWNER), 503)
