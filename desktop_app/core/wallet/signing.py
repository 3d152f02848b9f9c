"""Signing with an unlocked account: EIP-191 messages, EIP-712 typed data and transactions.

These are pure functions of an eth_account ``LocalAccount``; ``WalletSession`` wraps them with the lock
check. Fees come in as data (``FeeData``) rather than from an RPC call, so core stays network-free and
the review dialog can show exactly the numbers that get signed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop_app.core.eip55 import is_address, to_checksum_address

if TYPE_CHECKING:  # eth_account is imported by whoever made the account: startup budget, see ui/app.py
    from eth_account.datastructures import SignedMessage
    from eth_account.signers.local import LocalAccount


@dataclass(frozen=True)
class FeeData:
    """The fee market of a chain at signing time.

    ``base_fee_per_gas`` is the latest block's ``baseFeePerGas``, or None on a chain without EIP-1559,
    which then gets a legacy transaction at ``gas_price``.
    """

    base_fee_per_gas: int | None
    max_priority_fee_per_gas: int
    gas_price: int

    @classmethod
    def from_latest_block(
        cls, block: Mapping[str, Any], *, gas_price: int, max_priority_fee_per_gas: int
    ) -> FeeData:
        """From ``eth_getBlockByNumber("latest")``, ``eth_gasPrice`` and ``eth_maxPriorityFeePerGas``."""
        base_fee = block.get("baseFeePerGas")
        return cls(None if base_fee is None else int(base_fee), max_priority_fee_per_gas, gas_price)

    def __post_init__(self) -> None:
        if min(self.base_fee_per_gas or 0, self.max_priority_fee_per_gas, self.gas_price) < 0:
            raise ValueError("fees cannot be negative")

    @property
    def is_eip1559(self) -> bool:
        return self.base_fee_per_gas is not None

    @property
    def max_fee_per_gas(self) -> int:
        """2 × base fee + tip, web3.py's default: still valid after ~6 full blocks (+12.5 % each)."""
        if self.base_fee_per_gas is None:
            return self.gas_price
        return 2 * self.base_fee_per_gas + self.max_priority_fee_per_gas


@dataclass(frozen=True)
class TxRequest:
    """A transaction to sign; ``to=None`` deploys a contract."""

    chain_id: int
    nonce: int
    gas: int
    to: str | None
    value: int = 0
    data: bytes = b""

    def __post_init__(self) -> None:
        if min(self.chain_id, self.nonce, self.gas, self.value) < 0 or self.chain_id == 0 or self.gas == 0:
            raise ValueError("chain id and gas must be positive; nonce and value non-negative")
        if self.to is not None and not is_address(self.to):
            raise ValueError(f"{self.to!r} is not an Ethereum address")


@dataclass(frozen=True)
class SignedTx:
    """What ``eth_sendRawTransaction`` takes, and the hash to follow the transaction by."""

    raw: bytes
    hash: bytes

    @property
    def raw_hex(self) -> str:
        return "0x" + self.raw.hex()

    @property
    def hash_hex(self) -> str:
        return "0x" + self.hash.hex()


def sign_message(account: LocalAccount, message: str | bytes) -> SignedMessage:
    """EIP-191 ``personal_sign``: text is signed as UTF-8, bytes as is (e.g. a 32-byte SMS challenge)."""
    from eth_account.messages import encode_defunct

    signable = encode_defunct(text=message) if isinstance(message, str) else encode_defunct(primitive=message)
    return account.sign_message(signable)


def sign_typed_data(account: LocalAccount, typed_data: Mapping[str, Any]) -> SignedMessage:
    """EIP-712 (``eth_signTypedData_v4``) over a full ``{types, primaryType, domain, message}`` document."""
    return account.sign_typed_data(full_message=dict(typed_data))


def sign_transaction(account: LocalAccount, tx: TxRequest, fees: FeeData) -> SignedTx:
    """Sign a type-2 (EIP-1559) transaction when the chain has a base fee, else a legacy one."""
    fields: dict[str, Any] = {
        "chainId": tx.chain_id,
        "nonce": tx.nonce,
        "gas": tx.gas,
        "value": tx.value,
        "data": tx.data,
    }
    if tx.to is not None:
        fields["to"] = to_checksum_address(tx.to)
    if fees.is_eip1559:
        fields |= {
            "type": 2,
            "maxFeePerGas": fees.max_fee_per_gas,
            "maxPriorityFeePerGas": fees.max_priority_fee_per_gas,
        }
    else:
        fields["gasPrice"] = fees.gas_price
    signed = account.sign_transaction(fields)
    return SignedTx(raw=bytes(signed.raw_transaction), hash=bytes(signed.hash))
