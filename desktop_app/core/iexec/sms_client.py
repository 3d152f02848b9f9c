"""The Secret Management Service as the flows use it: push a dataset's key, a result key, a requester secret.

Each push is one signed request (``sms_auth`` builds and signs the challenge), so there is no login. A
dataset key and a requester secret can be written once only; a repeated push answers 409, which comes out
as :class:`SecretAlreadyExists` so the protect flow, resuming after a crash, can check
:meth:`SmsClient.has_dataset_key` and carry on instead of failing. The result-encryption key is an
ordinary account secret that can be replaced, so it is created or updated as needed.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import quote

from desktop_app.core import http
from desktop_app.core.errors import ProtocolUnavailable, UserFacingError
from desktop_app.core.iexec.network import NetworkProfile
from desktop_app.core.iexec.sms_auth import (
    requester_secret_challenge,
    sign_challenge,
    web2_secret_challenge,
    web3_secret_challenge,
)

if TYPE_CHECKING:  # httpx and eth_account load when first used: startup budget, see ui/app.py
    import httpx
    from eth_account.signers.local import LocalAccount

RESULT_KEY_NAME = "iexec-result-encryption-public-key"
MAX_SECRET_BYTES = 4096  # the SMS's limit (SecretUtils)


class SecretAlreadyExists(UserFacingError):
    """The SMS already holds this secret, and such a secret cannot be replaced."""

    def __init__(self, what: str) -> None:
        super().__init__(what, "nothing to do: the SMS keeps the first value pushed")


class SmsClient:
    """One network's SMS. Use ``async with SmsClient(profile) as sms:``."""

    def __init__(self, profile: NetworkProfile, *, timeout: float = 30.0) -> None:
        import httpx

        self._url = profile.sms
        self._http = http.client(httpx.Timeout(timeout, connect=10.0))

    async def __aenter__(self) -> SmsClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def push_dataset_key(self, dataset: str, key_b64: str, account: LocalAccount) -> None:
        """Give the SMS a dataset's AES key (base64), signed by the dataset's owner, after it is mined."""
        auth = sign_challenge(web3_secret_challenge(dataset, key_b64), account)
        response = await self._send(
            "POST", "/secrets/web3", {"secretAddress": dataset}, key_b64, auth, "the dataset key"
        )
        if response.status_code == 409:
            raise SecretAlreadyExists(f"The SMS already holds a key for {dataset}.")
        self._check(response, "the dataset key", f"{account.address} does not own {dataset}")

    async def has_dataset_key(self, dataset: str) -> bool:
        return await self._exists("/secrets/web3", {"secretAddress": dataset}, "the dataset key")

    async def push_result_key(self, owner_account: LocalAccount, pem: str) -> None:
        """Store the account's RSA public key (PEM) that workers encrypt its results with.

        The SMS keeps base64 of the PEM text, as the SDK sends it. An existing key is replaced (PUT).
        """
        value = base64.b64encode(pem.encode()).decode()
        owner = owner_account.address
        params = {"ownerAddress": owner, "secretName": RESULT_KEY_NAME}
        auth = sign_challenge(web2_secret_challenge(owner, RESULT_KEY_NAME, value), owner_account)
        action = "the result encryption key"
        method = "PUT" if await self._exists("/secrets/web2", params, action) else "POST"
        response = await self._send(method, "/secrets/web2", params, value, auth, action)
        if method == "POST" and response.status_code == 409:  # created meanwhile by another session
            response = await self._send("PUT", "/secrets/web2", params, value, auth, action)
        self._check(response, action, f"the signature is not {owner}'s")

    async def push_requester_secret(self, account: LocalAccount, name: str, value: str) -> None:
        """A named secret of the requester, which a run's ``iexec_secrets`` hands to the iApp."""
        requester = account.address
        auth = sign_challenge(requester_secret_challenge(requester, name, value), account)
        path = f"/requesters/{requester}/secrets/{quote(name, safe='')}"  # a "/" must not change the path
        response = await self._send("POST", path, {}, value, auth, "the secret")
        if response.status_code == 409:
            raise SecretAlreadyExists(f"The SMS already holds a secret named {name!r} for {requester}.")
        self._check(response, "the secret", f"the signature is not {requester}'s")

    async def _send(
        self, method: str, path: str, params: dict[str, str], value: str, auth: str, action: str
    ) -> httpx.Response:
        with _http_errors(action):
            return await self._http.request(
                method,
                self._url + path,
                params=params,
                content=value.encode(),
                headers={"Authorization": auth, "Content-Type": "text/plain"},
            )

    async def _exists(self, path: str, params: dict[str, str], action: str) -> bool:
        with _http_errors(action):
            response = await self._http.head(self._url + path, params=params)
        if response.status_code == 404:
            return False
        self._check(response, action, "")
        return True

    @staticmethod
    def _check(response: httpx.Response, action: str, not_owner: str) -> None:
        """Map a refusal to the taxonomy; ``not_owner`` says who failed to prove ownership, for a 401."""
        status = response.status_code
        if response.is_success:
            return
        if status == 401:
            raise UserFacingError(
                "The SMS refused the signature: the account is not the owner"
                + (f" ({not_owner})." if not_owner else "."),
                "select the account that owns it and retry",
            )
        if status == 413:
            raise UserFacingError(
                f"The SMS refused {action}: it is larger than the {MAX_SECRET_BYTES} bytes it accepts.",
                "use a shorter value",
            )
        if status >= 500:
            raise ProtocolUnavailable("SMS", f"HTTP {status} for {action}")
        raise UserFacingError(f"The SMS refused {action}: {_message(response)}.", "check the value and retry")


@contextmanager
def _http_errors(action: str) -> Iterator[None]:
    import httpx

    try:
        yield
    except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as e:
        raise ProtocolUnavailable("SMS", f"sending {action} failed: {type(e).__name__} {e}".strip()) from e


def _message(response: httpx.Response) -> str:
    """The SMS's error text: the sandbox's ``{"error": …}`` or the Spring default's ``message``."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("error", "message"):
            if isinstance(body.get(key), str):
                return str(body[key])
    return response.text[:200] or f"HTTP {response.status_code}"
