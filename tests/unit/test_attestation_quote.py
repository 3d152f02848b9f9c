"""The quote parser: real quotes field by field (against dcap-qvl's parser), strictness, and truncation."""

from __future__ import annotations

import struct

import dcap_qvl
import pytest
from cryptography import x509

from desktop_app.core.attestation.errors import QuoteFormatError
from desktop_app.core.attestation.pck import pck_extension
from desktop_app.core.attestation.quote import Tee, parse_quote
from tests.support.attestation import ALL_REAL_QUOTES, REAL_QUOTES, real_quote, sandbox_cases

ALL_QUOTES = [(name, real_quote(name)) for name in ALL_REAL_QUOTES] + [
    (case.name, case.quote) for case in sandbox_cases()
]


@pytest.mark.parametrize(("name", "raw"), ALL_QUOTES, ids=[name for name, _ in ALL_QUOTES])
def test_fields_agree_with_dcap_qvl(name: str, raw: bytes) -> None:
    ours = parse_quote(raw)
    theirs = dcap_qvl.parse_quote(raw)
    assert ours.header.version == theirs.header.version
    assert ours.header.tee_type == theirs.header.tee_type
    assert ours.header.qe_svn == theirs.header.qe_svn
    assert ours.header.pce_svn == theirs.header.pce_svn
    assert ours.header.user_data == bytes(theirs.header.user_data)
    report = theirs.report
    assert ours.report_data == bytes(report.report_data)
    if ours.tee is Tee.SGX:
        assert ours.enclave is not None
        assert ours.enclave.mr_enclave == bytes(report.mr_enclave)
        assert ours.enclave.mr_signer == bytes(report.mr_signer)
        assert ours.enclave.attributes == bytes(report.attributes)
    else:
        td = ours.td
        assert td is not None
        assert td.mr_td == bytes(report.mr_td)
        assert td.rtmr == tuple(bytes(getattr(report, f"rt_mr{i}")) for i in range(4))
        assert td.mr_config_id == bytes(report.mr_config_id)
        assert td.tee_tcb_svn == bytes(report.tee_tcb_svn)
        assert td.mr_signer_seam == bytes(report.mr_signer_seam)
        assert td.td_attributes == int.from_bytes(bytes(report.td_attributes), "little")
        if td.mr_service_td is not None:
            assert td.mr_service_td == bytes(report.mr_service_td)
    assert ours.pck_chain_pem.rstrip(b"\x00") == bytes(theirs.cert_chain_pem_bytes())  # it drops the NUL
    leaf = pck_extension(x509.load_pem_x509_certificates(ours.pck_chain_pem)[0])
    assert leaf.fmspc.hex().upper() == theirs.fmspc().upper()
    assert leaf.pce_id == bytes(theirs.pck_extension().pce_id)
    assert leaf.pce_svn == theirs.pck_extension().pce_svn


def test_real_quote_kinds() -> None:
    kinds = {
        name: (parse_quote(real_quote(name)).header.version, parse_quote(real_quote(name)).body_type)
        for name in REAL_QUOTES
    }
    assert kinds == {
        "sgx_quote": (3, 1),
        "tdx_quote": (4, 2),
        "tdx_quote_td15ex": (5, 4),
        "tdx_quote_outdated": (5, 3),
        "tdx-quote.hex": (4, 2),
        "quote-from-tappd.hex": (4, 2),
    }


def test_trailing_padding_is_ignored_and_not_signed() -> None:
    raw = real_quote("tdx_quote")
    quote = parse_quote(raw)
    assert len(raw) - len(quote.signed) - 4 - 4300 == 70  # the 70 zero bytes tappd appends
    assert parse_quote(raw + b"\x00" * 3000 + b"go-tdx-guest").signed == quote.signed
    assert parse_quote(raw[:-70]).pck_chain_pem == quote.pck_chain_pem


@pytest.mark.parametrize(("name", "raw"), ALL_QUOTES, ids=[name for name, _ in ALL_QUOTES])
def test_every_truncation_is_a_format_error(name: str, raw: bytes) -> None:
    meaningful = (
        len(parse_quote(raw).signed) + 4 + struct.unpack_from("<I", raw, len(parse_quote(raw).signed))[0]
    )
    for size in range(meaningful):
        with pytest.raises(QuoteFormatError):
            parse_quote(raw[:size])


@pytest.mark.parametrize(
    ("offset", "value", "message"),
    [
        (0, struct.pack("<H", 2), "version 2"),
        (0, struct.pack("<H", 6), "version 6"),
        (2, struct.pack("<H", 3), "key type 3"),
        (4, struct.pack("<I", 0), "must be TDX"),
        (12, bytes(16), "vendor id"),
        (632, struct.pack("<I", 4301), "unexpected bytes"),  # sig data swallows the padding
        (632, struct.pack("<I", 4299), "only 4165 remain"),
        (632 + 4 + 128, struct.pack("<H", 5), "certification data type 5"),
        (632 + 4 + 128 + 2, struct.pack("<I", 4165), "PCK certificate chain"),
        (632 + 4 + 128 + 6 + 448, struct.pack("<H", 33), "type 24064"),  # the type is read one byte late
        (632 + 4 + 128 + 6 + 448 + 2 + 32, struct.pack("<H", 1), "type 1"),
        (632 + 4 + 128 + 6 + 448 + 2 + 32 + 2, struct.pack("<I", 9999), "PCK certificate chain"),
    ],
)
def test_length_and_type_fields_are_enforced(offset: int, value: bytes, message: str) -> None:
    raw = bytearray(real_quote("tdx_quote"))
    raw[offset : offset + len(value)] = value
    with pytest.raises(QuoteFormatError, match=message):
        parse_quote(bytes(raw))


@pytest.mark.parametrize(
    ("body_type", "body_size", "message"),
    [(1, 384, "not a TD report"), (2, 648, "must be 584"), (3, 584, "must be 648"), (9, 648, "body type 9")],
)
def test_v5_body_descriptor_is_enforced(body_type: int, body_size: int, message: str) -> None:
    raw = bytearray(real_quote("tdx_quote_outdated"))
    struct.pack_into("<HI", raw, 48, body_type, body_size)
    with pytest.raises(QuoteFormatError, match=message):
        parse_quote(bytes(raw))


def test_sgx_must_be_v3_and_v3_must_be_sgx() -> None:
    raw = bytearray(real_quote("sgx_quote"))
    struct.pack_into("<I", raw, 4, 0x81)
    with pytest.raises(QuoteFormatError, match="must be SGX"):
        parse_quote(bytes(raw))


def test_format_error_is_user_facing() -> None:
    with pytest.raises(QuoteFormatError) as caught:
        parse_quote(b"")
    assert str(caught.value).startswith("Malformed quote: quote: version needs 2 bytes")
