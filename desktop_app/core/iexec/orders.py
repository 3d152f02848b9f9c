"""PoCo's four orders: typed values, their EIP-712 hash, their signature and their on-chain form.

A grant is a signed DatasetOrder and a run is a signed RequestOrder matched with app and workerpool orders,
so the app, the market and the chain must all hash an order to the same 32 bytes: the app signs that hash,
the market keys its order book on it, and PoCo's ``viewConsumed``/``Closed*Order``/``OrdersMatched`` name
orders by it. Field names, Solidity types and their order follow ``IexecLibOrders_v5`` exactly (spec §2),
and the hashing is eth_account's EIP-712 implementation, never our own.

Every order is validated and canonicalised when it is built (checksummed addresses, lowercase bytes32,
uint256 in range), so an order that exists is one PoCo can hash and the JSON of two equal orders is equal.
The domain is never hard-coded: read it from ``hub.domain()`` (it differs per chain and deployment).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from desktop_app.core.eip55 import to_checksum_address

if TYPE_CHECKING:  # eth_account and eth_utils load where first used: startup budget, see ui/app.py
    from _typeshed import DataclassInstance
    from eth_account.messages import SignableMessage
    from eth_account.signers.local import LocalAccount

NULL_ADDRESS = "0x0000000000000000000000000000000000000000"
NULL_BYTES32 = "0x" + "00" * 32
TAG_TEE = "0x" + "00" * 31 + "01"
"""Bit 0 of a tag: run in a TEE (the minimum a market query asks of an app order)."""
TAG_TEE_TDX = "0x" + "00" * 31 + "09"
"""TEE + TDX: what the official SDK v9 signs for a ``['tee']`` grant or request (its ``sign*`` add the TDX
bit; tests/compat/test_sdk_hashes.py pins it), and what the sandbox pool and its apps offer."""

UINT256_MAX = 2**256 - 1

_ADDRESS = {"abi": "address"}
_UINT256 = {"abi": "uint256"}
_BYTES32 = {"abi": "bytes32"}
_STRING = {"abi": "string"}

_ADDRESS_RE = re.compile(r"0x[0-9a-fA-F]{40}")
_BYTES32_RE = re.compile(r"0x[0-9a-fA-F]{64}")
_DECIMAL_RE = re.compile(r"[0-9]{1,78}")

_DOMAIN_FIELDS = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


@dataclass(frozen=True)
class Eip712Domain:
    """PoCo's EIP-712 domain (``iExecODB``/``5.0.0``/chain id/hub), as returned by ``hub.domain()``."""

    name: str
    version: str
    chain_id: int
    verifying_contract: str

    def as_typed_data(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "chainId": self.chain_id,
            "verifyingContract": to_checksum_address(self.verifying_contract),
        }


@dataclass(frozen=True)
class AppOrder:
    """An app owner's offer to run their app: price per task, how many tasks, under which restrictions."""

    PRIMARY_TYPE: ClassVar[str] = "AppOrder"

    app: str = field(metadata=_ADDRESS)
    appprice: int = field(metadata=_UINT256)
    volume: int = field(metadata=_UINT256)
    tag: str = field(metadata=_BYTES32)
    datasetrestrict: str = field(metadata=_ADDRESS)
    workerpoolrestrict: str = field(metadata=_ADDRESS)
    requesterrestrict: str = field(metadata=_ADDRESS)
    salt: str = field(metadata=_BYTES32)

    def __post_init__(self) -> None:
        _canonicalise(self)


@dataclass(frozen=True)
class DatasetOrder:
    """A data owner's grant: which app (and requester, workerpool) may use the data, how often, how dear."""

    PRIMARY_TYPE: ClassVar[str] = "DatasetOrder"

    dataset: str = field(metadata=_ADDRESS)
    datasetprice: int = field(metadata=_UINT256)
    volume: int = field(metadata=_UINT256)
    tag: str = field(metadata=_BYTES32)
    apprestrict: str = field(metadata=_ADDRESS)
    workerpoolrestrict: str = field(metadata=_ADDRESS)
    requesterrestrict: str = field(metadata=_ADDRESS)
    salt: str = field(metadata=_BYTES32)

    def __post_init__(self) -> None:
        _canonicalise(self)


@dataclass(frozen=True)
class WorkerpoolOrder:
    """A workerpool's offer of compute: category, trust level and the TEE features it provides (tag)."""

    PRIMARY_TYPE: ClassVar[str] = "WorkerpoolOrder"

    workerpool: str = field(metadata=_ADDRESS)
    workerpoolprice: int = field(metadata=_UINT256)
    volume: int = field(metadata=_UINT256)
    tag: str = field(metadata=_BYTES32)
    category: int = field(metadata=_UINT256)
    trust: int = field(metadata=_UINT256)
    apprestrict: str = field(metadata=_ADDRESS)
    datasetrestrict: str = field(metadata=_ADDRESS)
    requesterrestrict: str = field(metadata=_ADDRESS)
    salt: str = field(metadata=_BYTES32)

    def __post_init__(self) -> None:
        _canonicalise(self)


@dataclass(frozen=True)
class RequestOrder:
    """A requester's demand: run this app on this dataset with these params, up to these prices."""

    PRIMARY_TYPE: ClassVar[str] = "RequestOrder"

    app: str = field(metadata=_ADDRESS)
    appmaxprice: int = field(metadata=_UINT256)
    dataset: str = field(metadata=_ADDRESS)
    datasetmaxprice: int = field(metadata=_UINT256)
    workerpool: str = field(metadata=_ADDRESS)
    workerpoolmaxprice: int = field(metadata=_UINT256)
    requester: str = field(metadata=_ADDRESS)
    volume: int = field(metadata=_UINT256)
    tag: str = field(metadata=_BYTES32)
    category: int = field(metadata=_UINT256)
    trust: int = field(metadata=_UINT256)
    beneficiary: str = field(metadata=_ADDRESS)
    callback: str = field(metadata=_ADDRESS)
    params: str = field(metadata=_STRING)
    salt: str = field(metadata=_BYTES32)

    def __post_init__(self) -> None:
        _canonicalise(self)


Order = AppOrder | DatasetOrder | WorkerpoolOrder | RequestOrder
OrderT = TypeVar("OrderT", bound=Order)


@dataclass(frozen=True)
class SignedOrder(Generic[OrderT]):
    """An order with its owner's signature, in the two shapes it travels in: market JSON and chain tuple."""

    order: OrderT
    sign: bytes

    def to_json(self) -> dict[str, Any]:
        """The market API's order object: the fields plus ``sign`` as 0x-hex."""
        return {**order_json(self.order), "sign": "0x" + self.sign.hex()}

    def as_tuple(self) -> tuple[Any, ...]:
        """The ABI tuple PoCo's ``matchOrders``/``manage*Order`` take: the fields in order, then ``sign``."""
        return (
            *(_abi_value(f.metadata["abi"], getattr(self.order, f.name)) for f in fields(self.order)),
            self.sign,
        )


def type_fields(order_type: type[Order]) -> list[dict[str, str]]:
    """The EIP-712 member list of an order type, in PoCo's field order."""
    return [{"name": f.name, "type": f.metadata["abi"]} for f in fields(order_type)]


def type_string(order_type: type[Order]) -> str:
    """The EIP-712 type string whose keccak is PoCo's ``*_TYPEHASH`` (e.g. ``DATASETORDER_TYPEHASH``)."""
    members = ",".join(f"{m['type']} {m['name']}" for m in type_fields(order_type))
    return f"{order_type.PRIMARY_TYPE}({members})"


def order_json(order: Order) -> dict[str, Any]:
    """The order's fields as JSON values (ints stay ints), in PoCo's field order."""
    return {f.name: getattr(order, f.name) for f in fields(order)}


def typed_data(order: Order, domain: Eip712Domain) -> dict[str, Any]:
    """The full EIP-712 message (``eth_signTypedData_v4`` shape) a wallet signs for ``order``."""
    return {
        "types": {"EIP712Domain": _DOMAIN_FIELDS, order.PRIMARY_TYPE: type_fields(type(order))},
        "primaryType": order.PRIMARY_TYPE,
        "domain": domain.as_typed_data(),
        "message": order_json(order),
    }


def order_hash(order: Order, domain: Eip712Domain) -> bytes:
    """The 32-byte EIP-712 digest that identifies the order on chain and in the market."""
    from eth_account.messages import encode_typed_data

    return eip191_digest(encode_typed_data(full_message=typed_data(order, domain)))


def eip191_digest(message: SignableMessage) -> bytes:
    """keccak256(0x19 ‖ version ‖ header ‖ body): what a wallet signs for any EIP-191/EIP-712 message."""
    from eth_utils.crypto import keccak

    return keccak(b"\x19" + message.version + message.header + message.body)


def sign_order(order: OrderT, domain: Eip712Domain, account: LocalAccount) -> SignedOrder[OrderT]:
    """Sign ``order`` as its owner would with ``eth_signTypedData_v4`` (65 bytes r ‖ s ‖ v, v = 27/28)."""
    from eth_account.messages import encode_typed_data

    signed = account.sign_message(encode_typed_data(full_message=typed_data(order, domain)))
    return SignedOrder(order, bytes(signed.signature))


def parse_order(order_type: type[OrderT], data: Mapping[str, Any]) -> OrderT:
    """An order from its JSON object; uint256 fields may be JSON integers or decimal strings.

    Raises ``ValueError`` naming the missing fields, or the first field not of its Solidity type.
    """
    missing = [f.name for f in fields(order_type) if f.name not in data]
    if missing:
        raise ValueError(f"{order_type.PRIMARY_TYPE} is missing {', '.join(missing)}")
    values: dict[str, Any] = {
        f.name: _json_value(f.metadata["abi"], f.name, data[f.name]) for f in fields(order_type)
    }
    return order_type(**values)


def parse_signed_order(order_type: type[OrderT], data: object) -> SignedOrder[OrderT]:
    """A signed order from the market's JSON; ``sign`` must be a 0x-hex 65-byte ECDSA signature.

    Unknown keys are refused rather than dropped, so a misspelt field is an error and not a silently
    different order hash.
    """
    if not isinstance(data, Mapping):
        raise ValueError(f"a signed {order_type.PRIMARY_TYPE} must be a JSON object")
    unknown = set(data) - {f.name for f in fields(order_type)} - {"sign"}
    if unknown:
        raise ValueError(f"unknown {order_type.PRIMARY_TYPE} field(s): {', '.join(sorted(unknown))}")
    return SignedOrder(parse_order(order_type, data), _parse_sign(data.get("sign")))


def new_salt() -> str:
    """32 random bytes: two otherwise identical orders (say, a re-grant) get distinct hashes."""
    return "0x" + secrets.token_bytes(32).hex()


def _parse_sign(value: object) -> bytes:
    if not isinstance(value, str) or not re.fullmatch(r"0x[0-9a-fA-F]{130}", value):
        raise ValueError("sign must be 0x followed by a 65-byte signature r ‖ s ‖ v")
    return bytes.fromhex(value[2:])


def _json_value(abi: str, name: str, value: object) -> object:
    """JSON to Python: only uint256 needs converting, from the decimal strings JavaScript clients send."""
    if abi == "uint256" and isinstance(value, str):
        if not _DECIMAL_RE.fullmatch(value):
            raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
        return int(value)
    return value


def _canonicalise(order: DataclassInstance) -> None:
    """Check every field against its Solidity type and store its canonical form (frozen, hence setattr)."""
    for f in fields(order):
        object.__setattr__(order, f.name, _canonical(f.metadata["abi"], f.name, getattr(order, f.name)))


def _canonical(abi: str, name: str, value: object) -> object:
    if abi == "address":
        if not isinstance(value, str) or not _ADDRESS_RE.fullmatch(value):
            raise ValueError(f"{name} must be a 0x-prefixed 20-byte address, got {value!r}")
        return to_checksum_address(value)
    if abi == "uint256":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= UINT256_MAX:
            raise ValueError(f"{name} must be an integer between 0 and 2^256-1, got {value!r}")
        return value
    if abi == "bytes32":
        if not isinstance(value, str) or not _BYTES32_RE.fullmatch(value):
            raise ValueError(f"{name} must be 0x followed by 32 bytes of hex, got {value!r}")
        return value.lower()
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string, got {value!r}")
    return value


def _abi_value(abi: str, value: Any) -> Any:
    """bytes32 as raw bytes for web3's strict bytes checks; everything else is already ABI-ready."""
    return bytes.fromhex(value[2:]) if abi == "bytes32" else value
