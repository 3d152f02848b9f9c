"""The market API's login: a one-time EIP-712 challenge, signed by the wallet, sent as ``authorization``.

Publishing or unpublishing an order changes what everyone else sees, so the market wants proof that the
caller holds the wallet it speaks for (the real API further requires that wallet to be the order's signer).
It hands out a random challenge as EIP-712 typed data (domain ``iExec Gateway``/``1``/chain id, no
verifying contract, type ``Challenge(string challenge)``); the client signs it like any typed data and
sends ``authorization: <eip712hash>_<signature>_<address>``. The hash lets the server find the challenge
it issued, and the server deletes it on first use, so a captured header cannot be replayed (spec §2).

The app uses :func:`authorization_header`; the sandbox market uses :func:`challenge_typed_data`,
:func:`parse_authorization` and :func:`verify_authorization`, so both hash the challenge the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop_app.core.eip55 import to_checksum_address
from desktop_app.core.errors import UserFacingError
from desktop_app.core.iexec.orders import eip191_digest

if TYPE_CHECKING:  # eth_account loads where first used: startup budget, see ui/app.py
    from eth_account.signers.local import LocalAccount
    from eth_typing import ChecksumAddress

DOMAIN_NAME = "iExec Gateway"
DOMAIN_VERSION = "1"
CHALLENGE_PREFIX = "Sign this message to log into iExec Gateway: "

_TYPES = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
    ],
    "Challenge": [{"name": "challenge", "type": "string"}],
}
_HEADER = re.compile(r"(0x[0-9a-fA-F]{64})_(0x[0-9a-fA-F]{130})_(0x[0-9a-fA-F]{40})")


class InvalidAuthorization(ValueError):
    """The ``authorization`` header is malformed, or its signature does not match its challenge or address."""


class UnexpectedChallenge(UserFacingError):
    """The market asked the wallet to sign something that is not a login challenge for this network."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"The market service sent a login challenge the app will not sign ({detail}).",
            "check that the network profile's market URL points to an iExec market API",
        )


@dataclass(frozen=True)
class Authorization:
    """The three parts of an ``authorization`` header."""

    digest: bytes
    signature: bytes
    address: ChecksumAddress


def challenge_typed_data(chain_id: int, nonce: str) -> dict[str, Any]:
    """The typed data the market serves from ``GET /challenge``; ``nonce`` is the random part."""
    return {
        "types": _TYPES,
        "domain": {"name": DOMAIN_NAME, "version": DOMAIN_VERSION, "chainId": chain_id},
        "primaryType": "Challenge",
        "message": {"challenge": CHALLENGE_PREFIX + nonce},
    }


def challenge_digest(typed: Mapping[str, Any]) -> bytes:
    """The EIP-712 hash of a challenge: the first part of the header and the server's lookup key."""
    from eth_account.messages import encode_typed_data

    return eip191_digest(encode_typed_data(full_message=dict(typed)))


def authorization_header(typed: Mapping[str, Any], account: LocalAccount, chain_id: int) -> str:
    """Sign the challenge a market served and return the ``authorization`` header value.

    The wallet signs a challenge rebuilt from the served one's random text, never the served typed data
    itself: a compromised or mistaken market could otherwise get a signature over anything, such as an
    order. A served message that is not exactly a login challenge for ``chain_id`` raises
    :class:`UnexpectedChallenge`.
    """
    from eth_account.messages import encode_typed_data

    rebuilt = challenge_typed_data(chain_id, _served_nonce(typed, chain_id))
    signed = account.sign_message(encode_typed_data(full_message=rebuilt))
    digest = challenge_digest(rebuilt)
    return f"0x{digest.hex()}_0x{bytes(signed.signature).hex()}_{account.address}"


def parse_authorization(header: str | None) -> Authorization:
    """Split an ``authorization`` header; raises :class:`InvalidAuthorization` if it is not well formed."""
    match = _HEADER.fullmatch(header or "")
    if match is None:
        raise InvalidAuthorization(
            "missing or malformed authorization header: expected <eip712hash>_<signature>_<address> "
            "(sign a challenge from GET /challenge first)"
        )
    digest, signature, address = match.groups()
    return Authorization(
        bytes.fromhex(digest[2:]), bytes.fromhex(signature[2:]), to_checksum_address(address)
    )


def verify_authorization(auth: Authorization, typed: Mapping[str, Any]) -> None:
    """Check that ``auth`` is ``auth.address``'s signature over the challenge ``typed``.

    Raises :class:`InvalidAuthorization` when the header's hash is not this challenge's or the signature
    recovers to another address.
    """
    if auth.digest != challenge_digest(typed):
        raise InvalidAuthorization("the authorization hash does not match the challenge")
    from eth_account import Account
    from eth_account.messages import encode_typed_data
    from eth_keys.exceptions import BadSignature

    try:
        signer = Account.recover_message(
            encode_typed_data(full_message=dict(typed)), signature=auth.signature
        )
    except (BadSignature, ValueError) as e:
        raise InvalidAuthorization(f"the authorization signature cannot be recovered ({e})") from e
    if signer != auth.address:
        raise InvalidAuthorization(f"the challenge was signed by {signer}, not by {auth.address}")


def _served_nonce(typed: Mapping[str, Any], chain_id: int) -> str:
    """The random part of a served challenge, after checking the rest is exactly what a market sends."""
    message = typed.get("message")
    text = message.get("challenge") if isinstance(message, Mapping) else None
    if not isinstance(text, str) or not text.startswith(CHALLENGE_PREFIX):
        raise UnexpectedChallenge("its message is not an iExec Gateway login text")
    nonce = text.removeprefix(CHALLENGE_PREFIX)
    expected = challenge_typed_data(chain_id, nonce)
    domain = typed.get("domain")
    # The real API takes chainId from the query string and serves it as a string; both hash the same.
    if isinstance(domain, Mapping) and str(domain.get("chainId")) == str(chain_id):
        domain = {**domain, "chainId": chain_id}
    served = {"types": typed.get("types"), "domain": domain, "primaryType": typed.get("primaryType")}
    if served != {k: expected[k] for k in ("types", "domain", "primaryType")}:
        raise UnexpectedChallenge(f"it is not an iExec Gateway challenge for chain {chain_id}")
    return nonce
