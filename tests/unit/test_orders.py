"""Order types, hashes and signatures against the spec's vectors and PoCo's own type hashes."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils.crypto import keccak

from desktop_app.core.iexec.orders import (
    NULL_ADDRESS,
    TAG_TEE,
    AppOrder,
    DatasetOrder,
    Eip712Domain,
    RequestOrder,
    SignedOrder,
    WorkerpoolOrder,
    new_salt,
    order_hash,
    order_json,
    parse_order,
    parse_signed_order,
    sign_order,
    type_string,
    typed_data,
)
from desktop_app.sandbox.parts import Parts

# shared/spec/iexec-protocol.md §9
SEPOLIA = Eip712Domain("iExecODB", "5.0.0", 421614, "0xB2157BF2fAb286b2A4170E3491Ac39770111Da3E")
VECTOR_ORDER = DatasetOrder(
    dataset="0x748e091bf16048cb5103E0E10F9D5a8b7fBDd860",
    datasetprice=0,
    volume=1,
    tag=TAG_TEE,
    apprestrict="0x" + "22" * 20,
    workerpoolrestrict=NULL_ADDRESS,
    requesterrestrict=NULL_ADDRESS,
    salt="0x" + "33" * 32,
)
VECTOR_HASH = "db7887553338cb89f64abb56e14a00ccf6b4c1f40ae1da785a31907360f51074"
VECTOR_DOMAIN_SEPARATOR = "de6e7a8f1c22386ba73ee5376e4ec7089a2d2b07ebbfce54d4cb386daa34cc92"
OWNER = Account.from_key("0x" + "11" * 32)

# PoCo's IexecLibOrders_v5 type strings, written out here independently of the dataclasses.
POCO_TYPES = {
    AppOrder: "AppOrder(address app,uint256 appprice,uint256 volume,bytes32 tag,address datasetrestrict,"
    "address workerpoolrestrict,address requesterrestrict,bytes32 salt)",
    DatasetOrder: "DatasetOrder(address dataset,uint256 datasetprice,uint256 volume,bytes32 tag,"
    "address apprestrict,address workerpoolrestrict,address requesterrestrict,bytes32 salt)",
    WorkerpoolOrder: "WorkerpoolOrder(address workerpool,uint256 workerpoolprice,uint256 volume,bytes32 tag,"
    "uint256 category,uint256 trust,address apprestrict,address datasetrestrict,address requesterrestrict,"
    "bytes32 salt)",
    RequestOrder: "RequestOrder(address app,uint256 appmaxprice,address dataset,uint256 datasetmaxprice,"
    "address workerpool,uint256 workerpoolmaxprice,address requester,uint256 volume,bytes32 tag,"
    "uint256 category,uint256 trust,address beneficiary,address callback,string params,bytes32 salt)",
}


def test_spec_vector_order_hash() -> None:
    assert order_hash(VECTOR_ORDER, SEPOLIA).hex() == VECTOR_HASH


def test_spec_vector_domain_separator() -> None:
    signable = encode_typed_data(full_message=typed_data(VECTOR_ORDER, SEPOLIA))
    assert bytes(signable.header).hex() == VECTOR_DOMAIN_SEPARATOR


@pytest.mark.parametrize("order_type", list(POCO_TYPES))
def test_type_strings_are_pocos(order_type: type[AppOrder]) -> None:
    assert type_string(order_type) == POCO_TYPES[order_type]


@pytest.mark.parametrize("order_type", list(POCO_TYPES))
def test_type_hashes_are_in_pocos_order_library(order_type: type[AppOrder]) -> None:
    """IexecLibOrders_v5 pushes each ``*_TYPEHASH`` as a 32-byte constant: ours must be among its bytes."""
    library = Parts.locate().poco_artifact("IexecLibOrders_v5")["bytecode"].lower()
    assert keccak(text=type_string(order_type)).hex() in library


def test_signature_recovers_to_owner_and_is_65_bytes() -> None:
    signed = sign_order(VECTOR_ORDER, SEPOLIA, OWNER)
    assert len(signed.sign) == 65 and signed.sign[64] in (27, 28)
    signable = encode_typed_data(full_message=typed_data(VECTOR_ORDER, SEPOLIA))
    assert Account.recover_message(signable, signature=signed.sign) == OWNER.address


def test_hash_depends_on_domain_and_salt() -> None:
    other_chain = replace(SEPOLIA, chain_id=42161)
    assert order_hash(VECTOR_ORDER, other_chain) != order_hash(VECTOR_ORDER, SEPOLIA)
    assert order_hash(replace(VECTOR_ORDER, salt=new_salt()), SEPOLIA) != order_hash(VECTOR_ORDER, SEPOLIA)


def test_orders_are_canonicalised() -> None:
    order = replace(
        VECTOR_ORDER, dataset=VECTOR_ORDER.dataset.lower(), tag=TAG_TEE.upper().replace("0X", "0x")
    )
    assert order == VECTOR_ORDER
    assert order.dataset == "0x748e091bf16048cb5103E0E10F9D5a8b7fBDd860"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("dataset", "0x1234"),
        ("dataset", 12),
        ("datasetprice", -1),
        ("datasetprice", 2**256),
        ("volume", True),
        ("volume", "1"),
        ("tag", "0x01"),
        ("salt", "33" * 32),
    ],
)
def test_invalid_fields_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        replace(VECTOR_ORDER, **{field: value})  # type: ignore[arg-type]  # deliberately ill-typed


def test_signed_json_round_trip() -> None:
    signed = sign_order(VECTOR_ORDER, SEPOLIA, OWNER)
    wire = json.loads(json.dumps(signed.to_json()))
    assert parse_signed_order(DatasetOrder, wire) == signed
    assert wire["sign"] == "0x" + signed.sign.hex()
    assert list(wire) == [*order_json(VECTOR_ORDER), "sign"]


def test_uint256_accepts_decimal_strings_from_javascript_clients() -> None:
    wire = {**order_json(VECTOR_ORDER), "datasetprice": "0", "volume": "9007199254740991"}
    assert parse_order(DatasetOrder, wire).volume == 2**53 - 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"volume": "1.5"}, "volume"),
        ({"volume": None}, "volume"),
        ({"sign": "0x1234"}, "sign"),
        ({"extra": 1}, "unknown"),
    ],
)
def test_parse_signed_order_refuses_malformed(change: dict[str, object], message: str) -> None:
    wire = {**sign_order(VECTOR_ORDER, SEPOLIA, OWNER).to_json(), **change}
    with pytest.raises(ValueError, match=message):
        parse_signed_order(DatasetOrder, wire)


def test_parse_refuses_missing_fields_and_non_objects() -> None:
    wire = sign_order(VECTOR_ORDER, SEPOLIA, OWNER).to_json()
    del wire["salt"]
    with pytest.raises(ValueError, match="missing salt"):
        parse_signed_order(DatasetOrder, wire)
    with pytest.raises(ValueError, match="JSON object"):
        parse_signed_order(DatasetOrder, [1, 2])


def test_chain_tuple_has_fields_then_sign_with_raw_bytes32() -> None:
    signed = SignedOrder(VECTOR_ORDER, b"\x01" * 65)
    as_tuple = signed.as_tuple()
    assert len(as_tuple) == 9
    assert as_tuple[0] == VECTOR_ORDER.dataset
    assert as_tuple[3] == bytes.fromhex("00" * 31 + "01")
    assert as_tuple[-1] == b"\x01" * 65


def test_request_order_string_params_hash() -> None:
    request = RequestOrder(
        app="0x" + "aa" * 20,
        appmaxprice=0,
        dataset=NULL_ADDRESS,
        datasetmaxprice=0,
        workerpool=NULL_ADDRESS,
        workerpoolmaxprice=0,
        requester=OWNER.address,
        volume=1,
        tag=TAG_TEE,
        category=0,
        trust=0,
        beneficiary=OWNER.address,
        callback=NULL_ADDRESS,
        params='{"iexec_args":"a"}',
        salt=new_salt(),
    )
    assert order_hash(request, SEPOLIA) != order_hash(replace(request, params=""), SEPOLIA)
    with pytest.raises(ValueError, match="params"):
        replace(request, params=3)  # type: ignore[arg-type]  # deliberately ill-typed
