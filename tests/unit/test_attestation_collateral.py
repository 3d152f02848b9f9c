"""Collateral loading: dcap-qvl's JSON bundle, raw Intel PCS responses (exact signed bytes), PCK extension."""

from __future__ import annotations

import json
from urllib.parse import quote as url_quote

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from desktop_app.core.attestation.collateral import from_pcs, load_qvl_json, to_qvl_json
from desktop_app.core.attestation.errors import CollateralFormatError
from desktop_app.core.attestation.pck import PckExtensionError, parse_sgx_extension, pck_extension
from desktop_app.core.attestation.quote import parse_quote
from desktop_app.core.attestation.verify import verify_quote
from desktop_app.sandbox.enclave.pki import SANDBOX_COMPONENT_SVNS, SANDBOX_FMSPC, sgx_extension_der
from tests.support.attestation import (
    ALL_REAL_COLLATERALS,
    last_valid_instant,
    real_collateral,
    real_collateral_text,
    real_quote,
    sandbox_pki,
)


def pcs_responses(name: str, spacing: str = "") -> dict[str, object]:
    """The real collateral ``name`` as Intel PCS serves it: signed bodies, URL-encoded issuer chains in
    headers, the root CRL as a PCCS's hex text and the PCK CRL as PEM."""
    bundle = json.loads(real_collateral_text(name))
    pck_crl = x509.load_der_x509_crl(bytes.fromhex(bundle["pck_crl"])).public_bytes(
        serialization.Encoding.PEM
    )
    return {
        "tcb_info_response": (
            f'{{{spacing}"tcbInfo":{spacing}{bundle["tcb_info"]},{spacing}"signature":"{bundle["tcb_info_signature"]}"}}'
        ).encode(),
        "tcb_info_issuer_chain": url_quote(bundle["tcb_info_issuer_chain"]),
        "qe_identity_response": (
            f'{{"signature" : "{bundle["qe_identity_signature"]}" ,\n'
            f' "enclaveIdentity" : {bundle["qe_identity"]}}}\n'
        ).encode(),
        "qe_identity_issuer_chain": bundle["qe_identity_issuer_chain"],
        "pck_crl": pck_crl,
        "pck_crl_issuer_chain": url_quote(bundle["pck_crl_issuer_chain"]),
        "root_ca_crl": bundle["root_ca_crl"].encode(),
    }


@pytest.mark.parametrize("spacing", ["", " ", "\n\t"])
def test_pcs_responses_verify_like_the_bundle(spacing: str) -> None:
    collateral = from_pcs(**pcs_responses("tdx_quote", spacing))  # type: ignore[arg-type]
    bundle = real_collateral("tdx_quote")
    assert collateral.tcb_info.body == bundle.tcb_info.body
    assert collateral.qe_identity.body == bundle.qe_identity.body
    report = verify_quote(real_quote("tdx_quote"), collateral, now=last_valid_instant(bundle))
    assert report.valid


def test_root_crl_may_be_der() -> None:
    responses = pcs_responses("sgx_quote")
    responses["root_ca_crl"] = bytes.fromhex(json.loads(real_collateral_text("sgx_quote"))["root_ca_crl"])
    assert from_pcs(**responses).root_ca_crl == real_collateral("sgx_quote").root_ca_crl  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ALL_REAL_COLLATERALS)
def test_bundle_round_trip_keeps_the_signed_bytes(name: str) -> None:
    original = real_collateral(name)
    again = load_qvl_json(to_qvl_json(original))
    assert again.tcb_info == original.tcb_info
    assert again.qe_identity == original.qe_identity
    assert again.pck_crl == original.pck_crl
    assert again.tcb == original.tcb and again.qe == original.qe


def test_parsed_documents() -> None:
    tdx = real_collateral("tdx_quote")
    assert (tdx.tcb.id, tdx.tcb.version, tdx.tcb.fmspc.hex().upper(), tdx.tcb.tcb_evaluation_data_number) == (
        "TDX",
        3,
        "B0C06F000000",
        17,
    )
    assert [m.id for m in tdx.tcb.tdx_module_identities] == ["TDX_03", "TDX_01"]
    assert tdx.qe.id == "TD_QE" and tdx.qe.isv_prod_id == 2
    sgx = real_collateral("sgx_quote")
    assert sgx.tcb.tdx_module is None and sgx.tcb.levels[0].tdx_svns is None
    assert sgx.qe.mr_signer.hex().upper().startswith("8C4F5775")


def break_bundle(name: str, key: str, value: object) -> str:
    bundle = json.loads(real_collateral_text(name))
    bundle[key] = value
    return json.dumps(bundle)


def break_document(key: str, edit: dict[str, object]) -> str:
    bundle = json.loads(real_collateral_text("tdx_quote"))
    document = json.loads(bundle[key])
    document.update(edit)
    bundle[key] = json.dumps(document)
    return json.dumps(bundle)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "not a JSON object"),
        ('{"a": 1, "a": 2}', "duplicate key"),
        ("{", "not valid JSON"),
        (break_bundle("tdx_quote", "pck_crl", 5), "pck_crl is missing or not a string"),
        (break_bundle("tdx_quote", "pck_crl", "zz"), "not a readable CRL"),
        (break_bundle("tdx_quote", "root_ca_crl", "3082"), "not a readable CRL"),
        (break_bundle("tdx_quote", "tcb_info_signature", "00" * 63), "expected 64"),
        (break_bundle("tdx_quote", "tcb_info_signature", "xy" * 64), "not hex"),
        (break_bundle("tdx_quote", "tcb_info_issuer_chain", "no PEM here"), "no readable PEM certificate"),
        (break_bundle("tdx_quote", "tcb_info", "[1]"), "not a JSON object"),
        (break_bundle("tdx_quote", "tcb_info", '{"version": NaN}'), "not valid JSON"),
        (break_bundle("tdx_quote", "qe_identity", "\ud800"), "not valid Unicode"),
        (break_document("tcb_info", {"version": 2}), "TCB info version 2"),
        (break_document("tcb_info", {"id": "SEV"}), 'id "SEV"'),
        (break_document("tcb_info", {"fmspc": "00"}), "fmspc is 1 bytes"),
        (break_document("tcb_info", {"issueDate": "yesterday"}), "ISO 8601"),
        (break_document("tcb_info", {"issueDate": "2025-01-01T00:00:00"}), "no time zone"),
        (break_document("tcb_info", {"tcbLevels": []}), "tcbLevels is empty"),
        (break_document("tcb_info", {"tcbLevels": [1]}), "must hold objects"),
        (break_document("tcb_info", {"tcbEvaluationDataNumber": True}), "not an integer"),
        (break_document("tcb_info", {"tcbEvaluationDataNumber": -1}), "out of range"),
        (break_document("tcb_info", {"tdxModule": None}), "tdxModule is not an object"),
        (break_document("qe_identity", {"version": 1}), "enclave identity version 1"),
        (break_document("qe_identity", {"mrsigner": "00" * 31}), "mrsigner is 31 bytes"),
        (
            break_document(
                "qe_identity",
                {
                    "tcbLevels": [
                        {"tcb": {"isvsvn": 1}, "tcbDate": "2025-01-01T00:00:00Z", "tcbStatus": "Fine"}
                    ]
                },
            ),
            'tcbStatus "Fine" is unknown',
        ),
    ],
)
def test_malformed_collateral_is_one_typed_error(text: str, message: str) -> None:
    with pytest.raises(CollateralFormatError, match=message):
        load_qvl_json(text)


@pytest.mark.parametrize(
    ("field", "body", "message"),
    [
        ("tcb_info_response", b'{"tcbInfo":{}}', 'lacks "tcbInfo" or "signature"'),
        ("tcb_info_response", b'{"tcbInfo":{},"signature":7}', "signature is not a string"),
        ("tcb_info_response", b"\xff", "not UTF-8"),
        ("qe_identity_response", b'{"enclaveIdentity":{},"signature":"00"}', "expected 64"),
    ],
)
def test_malformed_pcs_responses(field: str, body: bytes, message: str) -> None:
    responses = pcs_responses("tdx_quote")
    responses[field] = body
    with pytest.raises(CollateralFormatError, match=message):
        from_pcs(**responses)  # type: ignore[arg-type]


def test_pck_extension_of_real_and_sandbox_leaves() -> None:
    leaf = x509.load_pem_x509_certificates(parse_quote(real_quote("tdx_quote")).pck_chain_pem)[0]
    extension = pck_extension(leaf)
    assert extension.fmspc.hex().upper() == "B0C06F000000"
    assert extension.component_svns[:8] == (3, 3, 2, 2, 4, 1, 0, 5) and extension.pce_svn == 11
    assert (extension.dynamic_platform, extension.cached_keys, extension.smt_enabled) == (True, True, True)
    sandbox = pck_extension(sandbox_pki().pck.certificate)
    assert sandbox.fmspc == SANDBOX_FMSPC and sandbox.dynamic_platform is None


EXTENSION = sgx_extension_der(SANDBOX_FMSPC, SANDBOX_COMPONENT_SVNS, 13)


@pytest.mark.parametrize(
    ("der", "message"),
    [
        (b"", "truncated"),
        (b"\x04\x00", "not one SEQUENCE"),
        (EXTENSION + b"\x00", "not one SEQUENCE"),
        (EXTENSION[:-1], "longer than its container"),
        (b"\x30\x00", "missing 1.2.840.113741.1.13.1.2"),
        (b"\x30\x84\x00\x00\x00\x00", "unsupported DER length"),
        (b"\x1f\x00", "multi-byte"),
        (EXTENSION.replace(SANDBOX_FMSPC, SANDBOX_FMSPC[:5] + b"\x00"), None),
    ],
)
def test_malformed_pck_extension(der: bytes, message: str | None) -> None:
    if message is None:
        assert parse_sgx_extension(der).fmspc.endswith(b"\x00")
        return
    with pytest.raises(PckExtensionError, match=message):
        parse_sgx_extension(der)


def test_pck_certificate_without_extension() -> None:
    with pytest.raises(PckExtensionError, match="no Intel SGX extension"):
        pck_extension(sandbox_pki().root.certificate)
