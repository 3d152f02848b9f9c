"""Our EIP-712 order hashes and signatures and our SMS challenges equal the official iexec SDK's.

The chain, the market and the SMS only ever see hashes and signatures: an order hashed differently is a
grant nobody can match or revoke, and a challenge built differently is a key push the SMS refuses with 401.
So every order type and every secret push the app makes is run through the SDK's own public calls
(``tests/support/sdk/hashes.mjs``: ``iexec.order.hash*``/``sign*``, ``iexec.dataset.pushDatasetSecret``,
``iexec.result.pushResultEncryptionKey``, ``iexec.secrets.pushRequesterSecret``) with only the chain and
the SMS stubbed, and compared with ``desktop_app.core.iexec.orders`` and ``sms_auth``.

The SDK validates before hashing and refuses some orders PoCo itself would take (app and workerpool orders
without a TEE framework bit, legacy ``scone`` tags, non-JSON params). Those still have their encoding checked
by the SDK's ``hashEIP712`` on our typed data, and which ones it refuses is asserted, so a silently growing
refusal rule cannot hollow the comparison out. Signatures are deterministic (RFC 6979) on both sides, so the
SDK's and ours must be the same bytes, not merely both valid; the SDK has no offline signature check of its
own (``verifySign`` asks ``hub.verifySignature`` on chain), hence the byte comparison.
"""

from __future__ import annotations

import base64
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils.address import to_checksum_address

from desktop_app.core.iexec.orders import (
    NULL_ADDRESS,
    NULL_BYTES32,
    AppOrder,
    DatasetOrder,
    Eip712Domain,
    Order,
    RequestOrder,
    WorkerpoolOrder,
    order_hash,
    parse_order,
    parse_signed_order,
    sign_order,
    type_fields,
    typed_data,
)
from desktop_app.core.iexec.sms_auth import (
    recover_signer,
    requester_secret_challenge,
    sign_challenge,
    web2_secret_challenge,
    web3_secret_challenge,
)
from desktop_app.core.iexec.sms_client import RESULT_KEY_NAME
from tests.compat.sdk import run

KEY = "0x" + "11" * 32
ACCOUNT = Account.from_key(KEY)
SMS = "https://sms.example.test"

KINDS: dict[str, type[Order]] = {
    "apporder": AppOrder,
    "datasetorder": DatasetOrder,
    "workerpoolorder": WorkerpoolOrder,
    "requestorder": RequestOrder,
}
# The hubs of spec §6, and an arbitrary one for a local chain.
HUBS = {
    31337: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
    421614: "0xB2157BF2fAb286b2A4170E3491Ac39770111Da3E",
    42161: "0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0",
}
TEE, SCONE, TDX = ("0x" + "00" * 31 + last for last in ("01", "03", "09"))
TAGS = {"tee": TEE, "scone": SCONE, "tdx": TDX}
PRICES = [0, 1, 10**9, 2**53 - 1, 2**53, 2**64 + 1, 2**256 - 1]
VOLUMES = [1, 2**53 - 1, 2, 2**256 - 1]
SMALL_UINTS = [0, 1, 5, 2**53 - 1, 2**256 - 1]
PARAMS = [
    '{"iexec_args":"héllo wörld ✓ 日本語 🎉"}',
    json.dumps(
        {
            "iexec_secrets": {"1": "0x" + "ab" * 16},
            "iexec_result_storage_provider": "ipfs",
            "iexec_result_encryption": True,
            "iexec_input_files": ["https://example.com/ä ö.csv"],
            "iexec_args": 'say "🔐" \\ \u0000 \u2028',
        },
        ensure_ascii=False,
    ),
    '{"iexec_args":"\\u00e9 escaped, not raw"}',
    "{}",
    "",
    "plain text, not JSON: ü 🎉",
]


def _sdk_accepts(kind: str, tag: str, params: str | None) -> bool:
    """Whether iexec 9's validation lets ``iexec.order.hash*`` hash this order (``validator.js`` tagSchema).

    App and workerpool orders need a TEE framework with the tee bit (only tdx is left); request orders may
    be framework-agnostic but not name a legacy one; dataset orders take any tag. Params must be JSON.
    """
    if kind in ("apporder", "workerpoolorder"):
        return tag == TDX
    if kind == "requestorder":
        assert params is not None
        return tag != SCONE and _is_json(params)
    return True


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class HashCase:
    """One order as both sides receive it: the same wire JSON (lowercase addresses, decimal uint256)."""

    id: str
    kind: str
    chain_id: int
    wire: dict[str, str]

    @property
    def domain(self) -> Eip712Domain:
        return Eip712Domain("iExecODB", "5.0.0", self.chain_id, HUBS[self.chain_id])

    @property
    def order(self) -> Order:
        return parse_order(KINDS[self.kind], self.wire)


def _domain_json(domain: Eip712Domain) -> dict[str, str]:
    """``hub.domain()`` as the stubbed contract gives it to the SDK (ethers decodes addresses checksummed)."""
    return {
        "name": domain.name,
        "version": domain.version,
        "chainId": str(domain.chain_id),
        "verifyingContract": to_checksum_address(domain.verifying_contract),
    }


def _wire_typed(order: Order, domain: Eip712Domain) -> dict[str, Any]:
    """Our typed data with uint256 as decimal strings (JSON numbers lose precision past 2^53 in JS)."""
    data = typed_data(order, domain)
    data["message"] = {k: str(v) if isinstance(v, int) else v for k, v in data["message"].items()}
    return data


def _wire_order(kind: str, rng: random.Random, tag: str, volume: int, params: str = "") -> dict[str, str]:
    """Random fields in the SDK's input shape; salts in upper case, which both sides must lowercase."""

    def address() -> str:
        return "0x" + rng.randbytes(20).hex()

    def restriction() -> str:
        return rng.choice([NULL_ADDRESS, address()])

    def price() -> str:
        return str(rng.choice(PRICES))

    def small() -> str:
        return str(rng.choice(SMALL_UINTS))

    common = {"volume": str(volume), "tag": tag, "salt": "0x" + rng.randbytes(32).hex().upper()}
    if kind == "apporder":
        return {
            "app": address(),
            "appprice": price(),
            **common,
            "datasetrestrict": restriction(),
            "workerpoolrestrict": restriction(),
            "requesterrestrict": restriction(),
        }
    if kind == "datasetorder":
        return {
            "dataset": address(),
            "datasetprice": price(),
            **common,
            "apprestrict": restriction(),
            "workerpoolrestrict": restriction(),
            "requesterrestrict": restriction(),
        }
    if kind == "workerpoolorder":
        return {
            "workerpool": address(),
            "workerpoolprice": price(),
            **common,
            "category": small(),
            "trust": small(),
            "apprestrict": restriction(),
            "datasetrestrict": restriction(),
            "requesterrestrict": restriction(),
        }
    return {
        "app": address(),
        "appmaxprice": price(),
        "dataset": rng.choice([NULL_ADDRESS, address()]),
        "datasetmaxprice": price(),
        "workerpool": restriction(),
        "workerpoolmaxprice": price(),
        "requester": address(),
        **common,
        "category": small(),
        "trust": small(),
        "beneficiary": address(),
        "callback": restriction(),
        "params": params,
    }


def _hash_cases() -> list[HashCase]:
    rng = random.Random(20260115)
    cases = []
    for kind in KINDS:
        for i, (chain_id, (tag_name, tag)) in enumerate((c, t) for c in HUBS for t in TAGS.items()):
            wire = _wire_order(kind, rng, tag, VOLUMES[i % len(VOLUMES)], PARAMS[i % 4])
            cases.append(HashCase(f"{kind}-{chain_id}-{tag_name}-{i}", kind, chain_id, wire))
    for i, params in enumerate(PARAMS):
        wire = _wire_order("requestorder", rng, TDX, 2**53 - 1, params)
        cases.append(HashCase(f"requestorder-params-{i}", "requestorder", 42161, wire))
    # Spec §9's DatasetOrder vector.
    vector = {
        "dataset": "0x748e091bf16048cb5103E0E10F9D5a8b7fBDd860",
        "datasetprice": "0",
        "volume": "1",
        "tag": TEE,
        "apprestrict": "0x" + "22" * 20,
        "workerpoolrestrict": NULL_ADDRESS,
        "requesterrestrict": NULL_ADDRESS,
        "salt": "0x" + "33" * 32,
    }
    cases.append(HashCase("spec-vector", "datasetorder", 421614, vector))
    return cases


SPEC_ORDER_HASH = "0xdb7887553338cb89f64abb56e14a00ccf6b4c1f40ae1da785a31907360f51074"
SPEC_WEB3_CHALLENGE = "0x2f649ae01fb9f66b2f4ae89e47ce521db581e7522a228ff0f061c815809d88bd"
SPEC_WEB3_SIGNATURE = (
    "0x6e288d62113ebf49fd6556fd21b408b9fa65933e2765758fcef8e166e737e38c"
    "2798063c987d5a8350aa6e3785f88ed13e6eac78857bd22cf12120e1b9d19ab61b"
)
HASH_CASES = _hash_cases()


@dataclass(frozen=True)
class SignCase:
    """An unsalted order for the SDK's ``sign*``: it picks the salt, may add tag bits; we sign its result."""

    id: str
    kind: str
    chain_id: int
    wire: dict[str, str]
    signed_tag: str


def _sign_cases() -> list[SignCase]:
    rng = random.Random(7)
    # The SDK ORs the tdx bit (TDX_DEFAULT_TAG) into every order it signs. Only dataset orders may name
    # 'tee' alone or a legacy framework; a request order to sign needs tdx or no tag at all.
    inputs = [
        ("apporder", TDX, TDX),
        ("datasetorder", TEE, TDX),
        ("datasetorder", SCONE, "0x" + "00" * 31 + "0b"),
        ("workerpoolorder", TDX, TDX),
        ("requestorder", NULL_BYTES32, TDX),
        ("requestorder", TDX, TDX),
    ]
    cases = []
    for i, (kind, tag, signed_tag) in enumerate(inputs):
        for chain_id in HUBS:
            wire = _wire_order(kind, rng, tag, VOLUMES[i % len(VOLUMES)], PARAMS[i % 4])
            del wire["salt"]
            if kind == "requestorder":  # the SDK signs only as the requester
                wire["requester"] = ACCOUNT.address.lower()
            cases.append(SignCase(f"{kind}-{tag[-2:]}-{chain_id}", kind, chain_id, wire, signed_tag))
    return cases


SIGN_CASES = _sign_cases()


@dataclass(frozen=True)
class SecretCase:
    """One SMS push: ``kind`` is web3, web2, result-key (PEM, the SDK base64s it) or requester."""

    id: str
    kind: str
    value: str
    name: str = ""
    address: str = ""

    def expected_value(self) -> str:
        """What the SMS must receive and the challenge binds: a result key's PEM text goes as its base64
        (what our ``SmsClient.push_result_key`` sends); anything else, already base64, goes as it is."""
        if self.kind == "result-key" and self.value.startswith("-----BEGIN PUBLIC KEY-----"):
            return base64.b64encode(self.value.encode()).decode()
        return self.value

    def our_challenge(self) -> bytes:
        if self.kind == "web3":
            return web3_secret_challenge(self.address, self.value)
        if self.kind == "requester":
            return requester_secret_challenge(ACCOUNT.address, self.name, self.value)
        name = RESULT_KEY_NAME if self.kind == "result-key" else self.name
        return web2_secret_challenge(ACCOUNT.address, name, self.expected_value())

    def request(self) -> dict[str, str]:
        return {"kind": self.kind, "value": self.value, "name": self.name, "address": self.address}


def _secret_cases(public_pem: str) -> list[SecretCase]:
    rng = random.Random(11)
    pem_b64 = base64.b64encode(public_pem.encode()).decode()
    cases = [
        # Spec §9's web3 vector.
        SecretCase(
            "web3-spec-vector",
            "web3",
            "ubA6H9emVPJT91/flYAmnKHC0phSV3cfuqsLxQfgow0=",
            address="0x748e091bf16048cb5103E0E10F9D5a8b7fBDd860",
        ),
        SecretCase("result-key-pem", "result-key", public_pem),
        SecretCase("result-key-base64", "result-key", pem_b64),
        SecretCase("web2-result-key-name", "web2", pem_b64, name=RESULT_KEY_NAME),
        SecretCase("web2-unicode", "web2", "pässwörd ✓ 日本 🎉", name="my-api_token-1"),
        SecretCase("requester-sdk-name", "requester", "secret ✓ 🔐", name="0x" + rng.randbytes(16).hex()),
        SecretCase("requester-long", "requester", "é" * 2048, name="A-z_09"),
        SecretCase("requester-json", "requester", '{"token":"abc","n":[1,2]}', name="1"),
    ]
    for i in range(3):
        key = base64.b64encode(rng.randbytes(32)).decode()
        cases.append(SecretCase(f"web3-random-{i}", "web3", key, address="0x" + rng.randbytes(20).hex()))
    return cases


@pytest.fixture(scope="module")
def public_pem(pems: tuple[Path, Path]) -> str:
    """The conftest's RSA-4096 SPKI PEM: ~800 characters, ~1 KB once base64'd, as the app pushes it."""
    return pems[1].read_text()


@pytest.fixture(scope="module")
def sdk(public_pem: str) -> dict[str, Any]:
    """Every case through the SDK in one node run (its start-up dominates the cost of a case)."""
    return run(
        "hashes.mjs",
        {
            "key": KEY,
            "sms": SMS,
            "hashes": [
                {
                    "kind": c.kind,
                    "domain": _domain_json(c.domain),
                    "order": c.wire,
                    "typed": _wire_typed(c.order, c.domain),
                }
                for c in HASH_CASES
            ],
            "signs": [
                {
                    "kind": c.kind,
                    "domain": _domain_json(Eip712Domain("iExecODB", "5.0.0", c.chain_id, HUBS[c.chain_id])),
                    "order": c.wire,
                }
                for c in SIGN_CASES
            ],
            "secrets": [c.request() for c in _secret_cases(public_pem)],
        },
    )


def test_the_sdk_signs_with_our_key(sdk: dict[str, Any]) -> None:
    assert sdk["address"] == ACCOUNT.address


@pytest.mark.parametrize("index", range(len(HASH_CASES)), ids=[c.id for c in HASH_CASES])
def test_order_hash_equals_the_sdks(sdk: dict[str, Any], index: int) -> None:
    case = HASH_CASES[index]
    reply = sdk["hashes"][index]
    ours = "0x" + order_hash(case.order, case.domain).hex()
    # The SDK's EIP-712 encoder on our typed data: holds whatever the SDK's validation thinks of the order.
    assert reply["typed"] == ours
    params = case.wire.get("params")
    accepted = _sdk_accepts(case.kind, case.wire["tag"], params)
    assert (reply["refused"] is None) == accepted, reply["refused"]
    if accepted:
        assert reply["hash"] == ours


def test_every_order_type_is_hashed_by_the_sdks_own_path(sdk: dict[str, Any]) -> None:
    """The refusals leave each type, each chain and every valid tag with several full SDK comparisons."""
    full = [
        (c.kind, c.chain_id, c.wire["tag"])
        for c, reply in zip(HASH_CASES, sdk["hashes"], strict=True)
        if reply["hash"] is not None
    ]
    assert {kind for kind, _, _ in full} == set(KINDS)
    assert {chain for _, chain, _ in full} == set(HUBS)
    assert {tag for _, _, tag in full} == {TEE, SCONE, TDX}
    assert len(full) >= 25


def test_the_sdk_reproduces_the_spec_vectors(sdk: dict[str, Any]) -> None:
    """Spec §9's figures come from the SDK's code path too, not only from ours and ethers'."""
    index = next(i for i, c in enumerate(HASH_CASES) if c.id == "spec-vector")
    assert sdk["hashes"][index]["hash"] == SPEC_ORDER_HASH
    web3 = sdk["secrets"][SECRET_IDS.index("web3-spec-vector")]
    assert "0x" + web3["challenge"] == SPEC_WEB3_CHALLENGE
    assert web3["authorization"] == SPEC_WEB3_SIGNATURE


@pytest.mark.parametrize("index", range(len(SIGN_CASES)), ids=[c.id for c in SIGN_CASES])
def test_our_signature_equals_the_sdks(sdk: dict[str, Any], index: int) -> None:
    case = SIGN_CASES[index]
    reply = sdk["signs"][index]
    kind = KINDS[case.kind]
    domain = Eip712Domain("iExecODB", "5.0.0", case.chain_id, HUBS[case.chain_id])

    # What the SDK handed the wallet is our type and our domain.
    assert reply["types"] == {kind.PRIMARY_TYPE: type_fields(kind)}
    assert reply["domain"] == {**domain.as_typed_data(), "chainId": str(case.chain_id)}

    signed = parse_signed_order(kind, reply["order"])
    assert signed.order == parse_order(kind, {**case.wire, "tag": case.signed_tag, "salt": signed.order.salt})
    assert "0x" + order_hash(signed.order, domain).hex() == reply["hash"]

    ours = sign_order(signed.order, domain, ACCOUNT)
    assert ours.sign == signed.sign
    message = encode_typed_data(full_message=typed_data(signed.order, domain))
    assert Account.recover_message(message, signature=ours.sign) == ACCOUNT.address


SECRET_IDS = [c.id for c in _secret_cases("")]


@pytest.mark.parametrize("index", range(len(SECRET_IDS)), ids=SECRET_IDS)
def test_sms_challenge_and_signature_equal_the_sdks(sdk: dict[str, Any], public_pem: str, index: int) -> None:
    case = _secret_cases(public_pem)[index]
    reply = sdk["secrets"][index]
    challenge = case.our_challenge()
    assert reply["challenge"] == challenge.hex()
    assert reply["authorization"] == sign_challenge(challenge, KEY)
    assert recover_signer(challenge, reply["authorization"]) == ACCOUNT.address
    assert reply["method"] == "POST"
    assert reply["body"] == case.expected_value()

    url = urlsplit(reply["url"])
    query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
    if case.kind == "web3":
        assert (url.path, query) == ("/secrets/web3", {"secretAddress": to_checksum_address(case.address)})
    elif case.kind == "requester":
        assert url.path == f"/requesters/{ACCOUNT.address}/secrets/{case.name}"
    else:
        name = RESULT_KEY_NAME if case.kind == "result-key" else case.name
        assert url.path == "/secrets/web2"
        assert query == {"ownerAddress": ACCOUNT.address, "secretName": name}


def test_the_result_key_is_long(public_pem: str) -> None:
    """The base64 PEM must exceed one keccak block many times over, or the challenge test proves little."""
    assert len(base64.b64encode(public_pem.encode())) > 900
