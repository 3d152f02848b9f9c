"""The market login: the challenge typed data, the header, and the checks on both sides."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data

from desktop_app.core.iexec.market_auth import (
    CHALLENGE_PREFIX,
    InvalidAuthorization,
    UnexpectedChallenge,
    authorization_header,
    challenge_digest,
    challenge_typed_data,
    parse_authorization,
    verify_authorization,
)
from desktop_app.core.iexec.orders import NULL_ADDRESS, TAG_TEE, DatasetOrder, Eip712Domain, typed_data

ALICE = Account.from_key("0x" + "11" * 32)
BOB = Account.from_key("0x" + "22" * 32)
CHAIN_ID = 421614
AN_ORDER = DatasetOrder(
    "0x" + "11" * 20, 0, 1, TAG_TEE, "0x" + "22" * 20, NULL_ADDRESS, NULL_ADDRESS, "0x" + "33" * 32
)


def _challenge() -> dict[str, Any]:
    return challenge_typed_data(CHAIN_ID, "Q5nF0kWb7bVbJ3vR2cXyP8aL1mTz6HdE")


def test_challenge_typed_data_is_the_market_apis() -> None:
    typed = _challenge()
    assert typed["domain"] == {"name": "iExec Gateway", "version": "1", "chainId": CHAIN_ID}
    assert typed["types"]["Challenge"] == [{"name": "challenge", "type": "string"}]
    assert "verifyingContract" not in str(typed["types"]["EIP712Domain"])
    assert typed["primaryType"] == "Challenge"
    assert typed["message"]["challenge"].startswith("Sign this message to log into iExec Gateway: ")


def test_header_shape_and_verification() -> None:
    typed = _challenge()
    header = authorization_header(typed, ALICE, CHAIN_ID)
    digest, signature, address = header.split("_")
    assert digest == "0x" + challenge_digest(typed).hex()
    assert len(bytes.fromhex(signature[2:])) == 65
    assert address == ALICE.address
    auth = parse_authorization(header)
    verify_authorization(auth, typed)
    assert auth.address == ALICE.address


def test_header_signature_is_signtypeddata_v4_of_the_challenge() -> None:
    """What MetaMask or ethers would produce for the same typed data verifies too."""
    typed = _challenge()
    signed = ALICE.sign_message(encode_typed_data(full_message=typed))
    header = f"0x{signed.message_hash.hex()}_0x{signed.signature.hex()}_{ALICE.address.lower()}"
    verify_authorization(parse_authorization(header), typed)


def test_a_string_chain_id_as_the_real_api_serves_it_is_accepted() -> None:
    served = _challenge()
    served["domain"]["chainId"] = str(CHAIN_ID)
    header = authorization_header(served, ALICE, CHAIN_ID)
    verify_authorization(parse_authorization(header), _challenge())


def test_signature_by_another_key_is_refused() -> None:
    typed = _challenge()
    _, signature, _ = authorization_header(typed, BOB, CHAIN_ID).split("_")
    forged = f"0x{challenge_digest(typed).hex()}_{signature}_{ALICE.address}"
    with pytest.raises(InvalidAuthorization, match="signed by"):
        verify_authorization(parse_authorization(forged), typed)


def test_header_for_another_challenge_is_refused() -> None:
    header = authorization_header(challenge_typed_data(CHAIN_ID, "other"), ALICE, CHAIN_ID)
    with pytest.raises(InvalidAuthorization, match="does not match"):
        verify_authorization(parse_authorization(header), _challenge())


def test_unrecoverable_signature_is_refused() -> None:
    typed = _challenge()
    header = f"0x{challenge_digest(typed).hex()}_0x{'00' * 65}_{ALICE.address}"
    with pytest.raises(InvalidAuthorization, match="cannot be recovered"):
        verify_authorization(parse_authorization(header), typed)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "0x12_0x34_0x56",
        f"0x{'ab' * 32}_0x{'cd' * 65}",
        f"0x{'ab' * 32}_0x{'cd' * 64}_0x{'ef' * 20}",
    ],
)
def test_malformed_headers_are_refused(header: str | None) -> None:
    with pytest.raises(InvalidAuthorization, match="malformed"):
        parse_authorization(header)


def _tampered(path: tuple[str, ...], value: object) -> dict[str, Any]:
    typed = copy.deepcopy(_challenge())
    target = typed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return typed


@pytest.mark.parametrize(
    "served",
    [
        _tampered(("domain", "chainId"), 1),
        _tampered(("domain", "name"), "iExecODB"),
        _tampered(("domain", "verifyingContract"), "0x" + "11" * 20),
        _tampered(("primaryType",), "DatasetOrder"),
        _tampered(("message", "challenge"), "transfer everything"),
        _tampered(("types", "Challenge"), [{"name": "challenge", "type": "bytes"}]),
        typed_data(AN_ORDER, Eip712Domain("iExecODB", "5.0.0", CHAIN_ID, "0x" + "11" * 20)),
    ],
)
def test_the_client_signs_nothing_but_a_login_challenge(served: dict[str, Any]) -> None:
    with pytest.raises(UnexpectedChallenge):
        authorization_header(served, ALICE, CHAIN_ID)


def test_the_client_signs_its_rebuilt_challenge_not_extra_served_fields() -> None:
    served = _challenge()
    served["message"]["extra"] = "ignored"
    header = authorization_header(served, ALICE, CHAIN_ID)
    verify_authorization(parse_authorization(header), _challenge())
    assert CHALLENGE_PREFIX in served["message"]["challenge"]
