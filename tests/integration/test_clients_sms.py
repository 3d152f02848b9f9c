"""``SmsClient`` against the sandbox's SMS, which checks owners on the sandbox chain as the real one does."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import os
import socket

import httpx
import pytest
from eth_account.signers.local import LocalAccount

from desktop_app.core.errors import ProtocolUnavailable, UserFacingError
from desktop_app.core.iexec.chain import PocoClient
from desktop_app.core.iexec.multiaddr import encode_ipfs
from desktop_app.core.iexec.network import NetworkProfile
from desktop_app.core.iexec.sms_client import RESULT_KEY_NAME, SecretAlreadyExists, SmsClient
from tests.support.signers import KeySigner

KEY = base64.b64encode(os.urandom(32)).decode()
PEM = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n"


async def new_dataset(profile: NetworkProfile, owner: LocalAccount) -> str:
    async with PocoClient(profile) as poco:
        dataset, _ = await poco.create_dataset_with_schema(
            "sms test", '{"f":"string"}', encode_ipfs("QmUVhChbLFiuzNK1g2GsWyWEiad7SXPqARnWzGumgziwEp"),
            os.urandom(32), signer=KeySigner(owner),
        )  # fmt: skip
        return dataset


def test_pushes_a_dataset_key_once(profile: NetworkProfile, owner: LocalAccount) -> None:
    async def main() -> None:
        dataset = await new_dataset(profile, owner)
        async with SmsClient(profile) as sms:
            assert not await sms.has_dataset_key(dataset)
            await sms.push_dataset_key(dataset, KEY, owner)
            assert await sms.has_dataset_key(dataset)
            assert await sms.has_dataset_key(dataset.lower())
            with pytest.raises(SecretAlreadyExists, match=f"already holds a key for {dataset}"):
                await sms.push_dataset_key(dataset, KEY, owner)

    asyncio.run(main())


def test_a_key_pushed_by_another_account_is_refused(
    profile: NetworkProfile, owner: LocalAccount, other: LocalAccount
) -> None:
    async def main() -> None:
        dataset = await new_dataset(profile, owner)
        async with SmsClient(profile) as sms:
            with pytest.raises(UserFacingError) as caught:
                await sms.push_dataset_key(dataset, KEY, other)
            assert caught.value.what.startswith("The SMS refused the signature: the account is not the owner")
            assert not isinstance(caught.value, SecretAlreadyExists)
            assert not await sms.has_dataset_key(dataset)

    asyncio.run(main())


def test_pushes_and_replaces_the_result_key(profile: NetworkProfile, owner: LocalAccount) -> None:
    async def main() -> None:
        async with SmsClient(profile) as sms:
            await sms.push_result_key(owner, PEM)
            await sms.push_result_key(owner, PEM.replace("MIIB", "MIIC"))  # replaced, not refused

    asyncio.run(main())
    exists = httpx.head(
        f"{profile.sms}/secrets/web2", params={"ownerAddress": owner.address, "secretName": RESULT_KEY_NAME}
    )
    assert exists.status_code == 204


def test_pushes_a_requester_secret_once(profile: NetworkProfile, other: LocalAccount) -> None:
    name = os.urandom(16).hex()

    async def main() -> None:
        async with SmsClient(profile) as sms:
            await sms.push_requester_secret(other, name, "alice@example.org")
            with pytest.raises(SecretAlreadyExists, match=name):
                await sms.push_requester_secret(other, name, "bob@example.org")
            with pytest.raises(UserFacingError, match="4096 bytes") as caught:
                await sms.push_requester_secret(other, name + "-big", "x" * 5000)
            assert not isinstance(caught.value, ProtocolUnavailable)
            with pytest.raises(UserFacingError, match="The SMS refused the secret: a requester secret name"):
                await sms.push_requester_secret(other, "not a valid name!", "v")

    asyncio.run(main())


def test_an_unreachable_sms_is_protocol_unavailable(profile: NetworkProfile, owner: LocalAccount) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = dataclasses.replace(profile, sms=f"http://127.0.0.1:{s.getsockname()[1]}")

        async def main() -> None:
            async with SmsClient(dead) as sms:
                with pytest.raises(ProtocolUnavailable) as caught:
                    await sms.push_result_key(owner, PEM)
                assert caught.value.service == "SMS"

        asyncio.run(main())
