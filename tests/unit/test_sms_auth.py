"""SMS challenges and Authorization headers: the spec §9 vectors, and what the server must refuse."""

from __future__ import annotations

import pytest
from eth_account import Account
from web3 import Web3

from desktop_app.core.iexec.sms_auth import (
    InvalidAuthorization,
    Signer,
    recover_signer,
    requester_secret_challenge,
    sign_challenge,
    tee_challenge_request_hash,
    web2_secret_challenge,
    web3_secret_challenge,
)

# shared/spec/iexec-protocol.md §9 (identical in ethers 6 and eth_account).
DATASET = "0x748e091bf16048cb5103E0E10F9D5a8b7fBDd860"
AES_KEY_B64 = "ubA6H9emVPJT91/flYAmnKHC0phSV3cfuqsLxQfgow0="
CHALLENGE = bytes.fromhex("2f649ae01fb9f66b2f4ae89e47ce521db581e7522a228ff0f061c815809d88bd")
PRIVATE_KEY = "0x" + "11" * 32
SIGNER = "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A"
SIGNATURE = (
    "0x6e288d62113ebf49fd6556fd21b408b9fa65933e2765758fcef8e166e737e38c"
    "2798063c987d5a8350aa6e3785f88ed13e6eac78857bd22cf12120e1b9d19ab61b"
)
DOMAIN_HASH = Web3.keccak(text="IEXEC_SMS_DOMAIN")


def test_web3_challenge_matches_the_spec_vector() -> None:
    assert web3_secret_challenge(DATASET, AES_KEY_B64) == CHALLENGE
    # The server hashes the raw body; a lowercased address (as the SMS stores it) names the same bytes.
    assert web3_secret_challenge(DATASET.lower(), AES_KEY_B64.encode()) == CHALLENGE


@pytest.mark.parametrize(
    "signer",
    [PRIVATE_KEY, bytes.fromhex(PRIVATE_KEY[2:]), Account.from_key(PRIVATE_KEY)],
    ids=["hex", "raw", "account"],
)
def test_signature_matches_the_spec_vector(signer: Signer) -> None:
    assert sign_challenge(CHALLENGE, signer) == SIGNATURE


def test_recover_signer_finds_the_vector_address() -> None:
    assert recover_signer(CHALLENGE, SIGNATURE) == SIGNER


def test_a_signature_over_another_value_recovers_someone_else() -> None:
    """A replayed header is bound to its value: over another value it names another (random) address."""
    other = web3_secret_challenge(DATASET, "another key")
    assert recover_signer(other, SIGNATURE) != SIGNER


def test_web2_and_requester_challenges_are_the_packed_hash_of_their_parts() -> None:
    """Cross-checked with web3's own encodePacked, the way the JS SDK concatenates hex strings."""
    owner, name, value = SIGNER, "iexec-result-encryption-public-key", "LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0="
    expected = Web3.solidity_keccak(
        ["bytes32", "address", "bytes32", "bytes32"],
        [DOMAIN_HASH, owner, Web3.keccak(text=name), Web3.keccak(text=value)],
    )
    assert web2_secret_challenge(owner, name, value) == expected
    assert requester_secret_challenge(owner, name, value) == expected
    assert web2_secret_challenge(owner, name + "x", value) != expected


def test_web3_challenge_is_the_packed_hash_of_its_parts() -> None:
    expected = Web3.solidity_keccak(
        ["bytes32", "address", "bytes32"], [DOMAIN_HASH, DATASET, Web3.keccak(text=AES_KEY_B64)]
    )
    assert expected == CHALLENGE


def test_tee_challenge_request_hash_is_keccak_of_the_task_id() -> None:
    task_id = "0x" + "ab" * 32
    expected = Web3.keccak(bytes.fromhex("ab" * 32))
    assert tee_challenge_request_hash(task_id) == expected
    assert tee_challenge_request_hash(bytes.fromhex("ab" * 32)) == expected
    with pytest.raises(ValueError, match="32 bytes"):
        tee_challenge_request_hash("0xabcd")


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        SIGNATURE[2:],  # no 0x
        SIGNATURE[:-2],  # 64 bytes
        SIGNATURE + "00",  # 66 bytes
        SIGNATURE[:-4] + "zz1b",  # not hex
        SIGNATURE[:-2] + "00",  # v = 0: some libraries emit it, the real SMS refuses it
        SIGNATURE[:-2] + "1d",  # v = 29
        "0x" + "00" * 64 + "1b",  # r = s = 0: not a point on the curve
        "0x" + "11" * 32 + "ff" * 32 + "1b",  # s above the curve order
    ],
    ids=["missing", "empty", "no-0x", "short", "long", "not-hex", "v0", "v29", "zero", "s-too-big"],
)
def test_malformed_headers_are_refused(header: str | None) -> None:
    with pytest.raises(InvalidAuthorization):
        recover_signer(CHALLENGE, header)
