"""Signing: EIP-191 (text and 32 raw bytes), EIP-712, and EIP-1559 versus legacy transactions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data
from eth_utils.crypto import keccak

from desktop_app.core.wallet import FeeData, TxRequest, Wallet, WalletSession

# shared/spec/iexec-protocol.md §9: the SMS challenge vector, signed with personal_sign.
KEY = "0x" + "11" * 32
SIGNER = "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A"
CHALLENGE = bytes.fromhex("2f649ae01fb9f66b2f4ae89e47ce521db581e7522a228ff0f061c815809d88bd")
SIGNATURE = (
    "6e288d62113ebf49fd6556fd21b408b9fa65933e2765758fcef8e166e737e38c"
    "2798063c987d5a8350aa6e3785f88ed13e6eac78857bd22cf12120e1b9d19ab61b"
)
TYPED: dict[str, Any] = {
    "types": {
        "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "chainId", "type": "uint256"}],
        "Challenge": [{"name": "challenge", "type": "string"}],
    },
    "primaryType": "Challenge",
    "domain": {"name": "iExec Gateway", "chainId": 134},
    "message": {"challenge": "Sign this message to log into iExec Gateway: abc"},
}
RECIPIENT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


@pytest.fixture
def session(tmp_path: Path) -> WalletSession:
    wallet = Wallet(tmp_path, scrypt_n=2**4)
    session = WalletSession(wallet, wallet.import_private_key(KEY, "pw").address)
    session.unlock("pw")
    return session


def test_personal_sign_of_32_raw_bytes_matches_the_spec_vector(session: WalletSession) -> None:
    assert session.sign_message(CHALLENGE).signature.hex() == SIGNATURE


def test_personal_sign_of_text(session: WalletSession) -> None:
    signed = session.sign_message("hello iExec")
    assert Account.recover_message(encode_defunct(text="hello iExec"), signature=signed.signature) == SIGNER
    # Text is its UTF-8 bytes: the two forms agree.
    assert session.sign_message(b"hello iExec").signature == signed.signature


def test_typed_data(session: WalletSession) -> None:
    signed = session.sign_typed_data(TYPED)
    assert (
        Account.recover_message(encode_typed_data(full_message=TYPED), signature=signed.signature) == SIGNER
    )


def test_eip1559_when_the_block_has_a_base_fee(session: WalletSession) -> None:
    fees = FeeData.from_latest_block({"baseFeePerGas": 7}, gas_price=99, max_priority_fee_per_gas=2)
    assert fees.is_eip1559 and fees.max_fee_per_gas == 16
    signed = session.sign_transaction(TxRequest(31337, 5, 50_000, RECIPIENT, value=3, data=b"\x01"), fees)
    # ECDSA here is deterministic (RFC 6979): the same fields give the same bytes.
    expected = Account.from_key(KEY).sign_transaction(
        {
            "type": 2,
            "chainId": 31337,
            "nonce": 5,
            "gas": 50_000,
            "to": RECIPIENT,
            "value": 3,
            "data": b"\x01",
            "maxFeePerGas": 16,
            "maxPriorityFeePerGas": 2,
        }
    )
    assert signed.raw == expected.raw_transaction and signed.raw[0] == 2
    assert signed.hash == keccak(signed.raw) == expected.hash
    assert signed.hash_hex == "0x" + signed.hash.hex() and signed.raw_hex.startswith("0x02")
    assert Account.recover_transaction(signed.raw) == SIGNER


def test_legacy_when_the_block_has_no_base_fee(session: WalletSession) -> None:
    fees = FeeData.from_latest_block({"number": 1}, gas_price=1_000, max_priority_fee_per_gas=2)
    assert not fees.is_eip1559
    signed = session.sign_transaction(TxRequest(134, 0, 21_000, RECIPIENT.lower()), fees)
    expected = Account.from_key(KEY).sign_transaction(
        {
            "chainId": 134,
            "nonce": 0,
            "gas": 21_000,
            "to": RECIPIENT,
            "value": 0,
            "data": b"",
            "gasPrice": 1_000,
        }
    )
    assert signed.raw == expected.raw_transaction
    assert signed.raw[0] >= 0xC0  # an RLP list, not a typed envelope
    assert Account.recover_transaction(signed.raw) == SIGNER


def test_contract_creation_has_no_recipient(session: WalletSession) -> None:
    signed = session.sign_transaction(TxRequest(1, 0, 100_000, None, data=b"\x60\x00"), FeeData(1, 1, 1))
    expected = Account.from_key(KEY).sign_transaction(
        {
            "type": 2,
            "chainId": 1,
            "nonce": 0,
            "gas": 100_000,
            "value": 0,
            "data": b"\x60\x00",
            "maxFeePerGas": 3,
            "maxPriorityFeePerGas": 1,
        }
    )
    assert signed.raw == expected.raw_transaction


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: TxRequest(1, 0, 21_000, "0x1234"), "not an Ethereum address"),
        (lambda: TxRequest(0, 0, 21_000, RECIPIENT), "positive"),
        (lambda: TxRequest(1, -1, 21_000, RECIPIENT), "non-negative"),
        (lambda: FeeData(-1, 0, 0), "negative"),
    ],
)
def test_malformed_requests_are_programming_errors(build: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()
