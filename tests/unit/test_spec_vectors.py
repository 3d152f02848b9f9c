"""shared/spec/iexec-protocol.md §9: vectors identical in ethers 6 and eth_account (multiaddr, borsh, topics).

The SMS challenge and order-hash vectors live beside their modules' tests (test_sms_auth, test_orders).
"""

from __future__ import annotations

import pytest
from web3 import Web3

from desktop_app.core.iexec import multiaddr
from desktop_app.core.protect import borsh
from desktop_app.sandbox.parts import Parts

CID = "QmUVhChbLFiuzNK1g2GsWyWEiad7SXPqARnWzGumgziwEp"
CID_MULTIADDR = "a5032212205b772aed60b3af5181cf2c1c2ef5c87c58a436c7a9e5e9cdb499816e0f3b1711"


def test_p2p_multiaddr_vector() -> None:
    assert multiaddr.encode_ipfs(CID).hex() == CID_MULTIADDR


def test_multiaddr_decodes_back_and_falls_back_to_urls() -> None:
    assert multiaddr.decode(bytes.fromhex(CID_MULTIADDR)) == f"/p2p/{CID}"
    url = "https://arweave.net/abc"
    assert multiaddr.decode(url.encode()) == url


@pytest.mark.parametrize("bad", ["not-a-cid", "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"])
def test_multiaddr_rejects_what_is_not_a_cidv0(bad: str) -> None:
    with pytest.raises(ValueError):
        multiaddr.encode_ipfs(bad)


def test_borsh_vectors() -> None:
    assert borsh.encode_bool(True).hex() == "01"
    assert borsh.encode_f64(1.5).hex() == "000000000000f83f"
    assert borsh.encode_i128(-2).hex() == "fe" + "ff" * 15
    assert borsh.encode_string("hé").hex() == "0300000068c3a9"


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_borsh_refuses_non_finite_numbers(value: float) -> None:
    with pytest.raises(ValueError):
        borsh.encode_f64(value)


def test_borsh_refuses_integers_beyond_i128() -> None:
    with pytest.raises(ValueError):
        borsh.encode_i128(2**127)


def test_dataprotector_event_topic_vector() -> None:
    """Our DataProtector contract emits the real one's event: same topic0 as the spec's vector."""
    abi = Parts.locate().dataprotector_artifact()["abi"]
    (event,) = [item for item in abi if item.get("type") == "event"]
    signature = f"{event['name']}({','.join(i['type'] for i in event['inputs'])})"
    assert "0x" + Web3.keccak(text=signature).hex() == (
        "0x37b19b8900a9b045473748167f459fa16828f33c13d71473bca4b5e52e5f4d5d"
    )
    assert [i["indexed"] for i in event["inputs"]] == [True, False]
