"""``core.eip55`` against the EIP's own examples and against eth_utils, which it stands in for at startup."""

from __future__ import annotations

import pytest
from eth_utils.address import is_address as eth_utils_is_address
from eth_utils.address import to_checksum_address as eth_utils_checksum
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.core.eip55 import is_address, to_checksum_address

# The examples of EIP-55 itself.
EIP55_EXAMPLES = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0xde709f2102306220921060314715629080e2fb77",
]


@pytest.mark.parametrize("address", EIP55_EXAMPLES)
def test_the_eips_examples(address: str) -> None:
    for written in (address, address.lower(), address.upper().replace("0X", "0x"), address[2:].lower()):
        assert to_checksum_address(written) == address


@given(st.binary(min_size=20, max_size=20))
def test_same_as_eth_utils(raw: bytes) -> None:
    assert to_checksum_address("0x" + raw.hex()) == eth_utils_checksum("0x" + raw.hex())
    assert to_checksum_address(raw.hex().upper()) == eth_utils_checksum(raw.hex().upper())


@pytest.mark.parametrize(
    "value",
    [
        "",
        "0x",
        "0x" + "a" * 39,
        "0x" + "a" * 41,
        "0x" + "g" * 40,
        " 0x" + "a" * 40,
        "0x" + "a" * 40 + "\n",
        "0X" + "a" * 40,
        "a" * 40,
        "0x" + "٣" * 40,  # Unicode digits are not hex
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",  # one letter's case wrong: a typo EIP-55 catches
        "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",  # the right checksum
        "0x" + "A" * 40,
        None,
        b"\x00" * 20,
    ],
)
def test_what_counts_as_an_address(value: object) -> None:
    # As eth_utils, except that mixed case must be the EIP-55 checksum (eth_utils 6 accepts any case):
    # what a person pastes with one mistyped letter is refused, which is the point of EIP-55.
    mixed = isinstance(value, str) and value[2:].lower() != value[2:] and value[2:].upper() != value[2:]
    expected = isinstance(value, str) and eth_utils_is_address(value)
    if mixed and expected:
        expected = eth_utils_checksum(value) == value
    assert is_address(value) is expected
    if not isinstance(value, str):
        return
    try:
        theirs = eth_utils_checksum(value)
    except ValueError:
        with pytest.raises(ValueError, match="not an Ethereum address"):
            to_checksum_address(value)
    else:
        assert to_checksum_address(value) == theirs
