"""The signed challenges of iExec's Secret Management Service (SMS), shared by the app and the sandbox SMS.

The SMS authenticates a write with no session and no nonce: the client signs a 32-byte *challenge* that
hashes together a domain tag, the address the secret belongs to, the secret's name and the secret's value,
and sends the signature as the ``Authorization`` header. Binding the value is what stops a stolen header
from being reused for another secret. The signature is EIP-191 ``personal_sign`` over the 32 raw bytes,
so any Ethereum wallet can produce it and the SMS recovers the signer with ``ecrecover`` (spec §1, §4.2,
§4.3 and §5 of shared/spec/iexec-protocol.md).

The app uses the challenge and signing functions to push secrets; the sandbox SMS uses the same challenge
functions and :func:`recover_signer` to check them, so both sides hash byte for byte the same way.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:  # eth_account and eth_utils load where first used: startup budget, see ui/app.py
    from eth_account.signers.local import LocalAccount
    from eth_typing import ChecksumAddress

DOMAIN = "IEXEC_SMS_DOMAIN"

# 0x ‖ r (32 bytes) ‖ s (32 bytes) ‖ v (1 byte): the only form the SDK sends and the SMS parses.
_HEADER = re.compile(r"0x[0-9a-fA-F]{130}")
# The real SMS (web3j) rejects the 0/1 recovery ids some libraries emit; the sandbox is as strict, so a
# client that would fail against the public SMS fails here too.
_VALID_V = (27, 28)

Signer: TypeAlias = "LocalAccount | bytes | str"
"""Who signs: an unlocked eth_account account, or a raw private key (32 bytes or hex)."""


class InvalidAuthorization(ValueError):
    """The ``Authorization`` header is not a well-formed, recoverable 65-byte signature."""


def _as_bytes(value: str | bytes) -> bytes:
    """Secret values travel as text; the SMS hashes their UTF-8 bytes (Java ``Hash.sha3String``)."""
    return value.encode() if isinstance(value, str) else value


def web3_secret_challenge(secret_address: str, value: str | bytes) -> bytes:
    """Challenge of ``POST /secrets/web3``: a dataset's AES key, pushed by the dataset's owner."""
    from eth_utils.address import to_canonical_address
    from eth_utils.crypto import keccak

    return keccak(keccak(text=DOMAIN) + to_canonical_address(secret_address) + keccak(_as_bytes(value)))


def web2_secret_challenge(owner_address: str, secret_name: str, value: str | bytes) -> bytes:
    """Challenge of ``POST``/``PUT /secrets/web2`` (e.g. the result-encryption public key)."""
    from eth_utils.address import to_canonical_address
    from eth_utils.crypto import keccak

    return keccak(
        keccak(text=DOMAIN)
        + to_canonical_address(owner_address)
        + keccak(text=secret_name)
        + keccak(_as_bytes(value))
    )


def requester_secret_challenge(requester_address: str, secret_name: str, value: str | bytes) -> bytes:
    """Challenge of ``POST /requesters/{requester}/secrets/{name}``.

    It is built exactly like the web2 one; the SMS keeps them apart by endpoint, not by hash.
    """
    return web2_secret_challenge(requester_address, secret_name, value)


def tee_challenge_request_hash(task_id: str | bytes) -> bytes:
    """What the workerpool owner signs to ask ``POST /tee/challenges/{taskId}`` for an enclave key.

    The SMS checks it as a worker authorization with empty worker and enclave fields, which leaves
    ``keccak256(taskId)``.
    """
    raw = bytes.fromhex(task_id.removeprefix("0x")) if isinstance(task_id, str) else task_id
    if len(raw) != 32:
        raise ValueError(f"a task id is 32 bytes, got {len(raw)}")
    from eth_utils.crypto import keccak

    return keccak(raw)


def sign_challenge(challenge: bytes, signer: Signer) -> str:
    """The ``Authorization`` header value for ``challenge``: ``0x`` + r ‖ s ‖ v (v = 27/28)."""
    from eth_account import Account
    from eth_account.messages import encode_defunct
    from eth_account.signers.local import LocalAccount

    account: LocalAccount = signer if isinstance(signer, LocalAccount) else Account.from_key(signer)
    signed = account.sign_message(encode_defunct(primitive=challenge))
    return "0x" + bytes(signed.signature).hex()


def recover_signer(challenge: bytes, header: str | None) -> ChecksumAddress:
    """The address whose key signed ``challenge``, from an ``Authorization`` header value.

    A valid signature by the wrong key recovers to some other address, so callers still compare the result
    with whoever is allowed to write; this function only rejects headers that cannot be a signature.
    """
    if header is None or not _HEADER.fullmatch(header):
        raise InvalidAuthorization(
            "the Authorization header must be 0x followed by a 65-byte signature r‖s‖v"
        )
    signature = bytes.fromhex(header[2:])
    if signature[64] not in _VALID_V:
        raise InvalidAuthorization(f"the signature's v must be 27 or 28, got {signature[64]}")
    from eth_account import Account
    from eth_account.messages import encode_defunct
    from eth_keys.exceptions import BadSignature

    try:
        address: ChecksumAddress = Account.recover_message(
            encode_defunct(primitive=challenge), signature=signature
        )
    except BadSignature as e:
        raise InvalidAuthorization(f"the signature cannot be recovered ({e})") from e
    return address
