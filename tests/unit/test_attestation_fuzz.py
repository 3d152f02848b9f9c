"""Fuzzing: the parsers and the verifier raise nothing but their typed errors, and never hang.

Hypothesis mutates real and sandbox quotes (byte edits, truncations, insertions, spliced lengths),
collateral JSON (character edits, random JSON values) and PCK extension DER. Every outcome must be a
report or the one typed error of the input that was broken. ``EXAMPLES`` examples per test; no example
database is written (``database=None``) so runs leave no files behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import struct
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.core.attestation.collateral import Collateral, from_pcs, load_qvl_json
from desktop_app.core.attestation.errors import CollateralFormatError, QuoteFormatError
from desktop_app.core.attestation.pck import PckExtensionError, parse_sgx_extension
from desktop_app.core.attestation.policy import Policy
from desktop_app.core.attestation.quote import parse_quote
from desktop_app.core.attestation.trust import TrustAnchor, intel_root
from desktop_app.core.attestation.verify import verify_quote
from desktop_app.sandbox.enclave.pki import SANDBOX_COMPONENT_SVNS, SANDBOX_FMSPC, sgx_extension_der
from tests.support.attestation import (
    AN_HOUR_LATER,
    last_valid_instant,
    real_collateral,
    real_collateral_text,
    real_quote,
    sandbox_cases,
    sandbox_collateral,
    sandbox_collateral_text,
    sandbox_root,
)

# The normal run keeps to a few seconds; set ATTESTATION_FUZZ_EXAMPLES for a longer campaign.
EXAMPLES = int(os.environ.get("ATTESTATION_FUZZ_EXAMPLES", "400"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def targets() -> list[tuple[bytes, Collateral, Any, TrustAnchor]]:
    """(quote, its collateral, a valid instant, the root it verifies under)."""
    real = [
        (real_quote(name), real_collateral(name), last_valid_instant(real_collateral(name)), intel_root())
        for name in ("sgx_quote", "tdx_quote", "tdx_quote_td15ex", "tdx_quote_outdated")
    ]
    sandbox = [(c.quote, sandbox_collateral(c.tee), AN_HOUR_LATER, sandbox_root()) for c in sandbox_cases()]
    return real + sandbox


TARGETS = targets()
edits = st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), max_size=8)


def mutate(data: bytes, changes: list[tuple[int, int]], cut: int | None, insert: bytes) -> bytes:
    out = bytearray(data)
    for position, value in changes:
        out[position % len(out)] = value
    if insert:
        at = (changes[0][0] if changes else 0) % len(out)
        out[at:at] = insert
    if cut is not None:
        del out[cut % (len(out) + 1) :]
    return bytes(out)


@FUZZ
@given(st.binary(max_size=6000))
def test_random_bytes_are_a_format_error(data: bytes) -> None:
    with contextlib.suppress(QuoteFormatError):
        parse_quote(data)


@FUZZ
@given(
    st.sampled_from(range(len(TARGETS))),
    edits,
    st.none() | st.integers(min_value=0),
    st.binary(max_size=16),
)
def test_mutated_quotes_verify_or_fail_typed(
    index: int, changes: list[tuple[int, int]], cut: int | None, insert: bytes
) -> None:
    quote, collateral, now, root = TARGETS[index]
    mutated = mutate(quote, changes, cut, insert)
    try:
        report = verify_quote(mutated, collateral, now=now, root=root, policy=Policy())
    except QuoteFormatError:
        return
    assert report.checks
    assert report.valid or report.failures


@FUZZ
@given(
    st.sampled_from(range(len(TARGETS))),
    st.sampled_from(["sig", "outer", "auth", "chain", "body"]),
    st.integers(min_value=0, max_value=2**32 - 1),
)
def test_spliced_length_fields_are_honoured(index: int, which: str, value: int) -> None:
    quote, collateral, now, root = TARGETS[index]
    parsed = parse_quote(quote)
    end = len(parsed.signed)
    nested = parsed.header.version != 3
    qe_start = end + 4 + 128 + (6 if nested else 0)
    offsets = {
        "sig": (end, "<I"),
        "outer": (end + 4 + 128 + 2, "<I") if nested else (end, "<I"),
        "auth": (qe_start + 384 + 64, "<H"),
        "chain": (qe_start + 384 + 64 + 2 + len(parsed.qe_auth_data) + 2, "<I"),
        "body": (50, "<I") if parsed.header.version == 5 else (end, "<I"),
    }
    offset, form = offsets[which]
    mutated = bytearray(quote)
    struct.pack_into(form, mutated, offset, value % (1 << (8 * struct.calcsize(form))))
    with contextlib.suppress(QuoteFormatError):
        verify_quote(bytes(mutated), collateral, now=now, root=root)


COLLATERAL_TEXTS = [real_collateral_text(n) for n in ("sgx_quote", "tdx_quote")] + [
    sandbox_collateral_text("tdx")
]
TARGET_OF_COLLATERAL = {0: 0, 1: 1, 2: 4}  # indexes into TARGETS: sgx_quote, tdx_quote, sandbox-tdx-v4


@FUZZ
@given(
    st.sampled_from(range(len(COLLATERAL_TEXTS))),
    st.lists(st.tuples(st.integers(min_value=0), st.characters()), min_size=1, max_size=6),
)
def test_mutated_collateral_loads_or_fails_typed(index: int, changes: list[tuple[int, str]]) -> None:
    text = list(COLLATERAL_TEXTS[index])
    for position, char in changes:
        text[position % len(text)] = char
    try:
        collateral = load_qvl_json("".join(text))
    except CollateralFormatError:
        return
    quote, _, now, root = TARGETS[TARGET_OF_COLLATERAL[index]]
    verify_quote(quote, collateral, now=now, root=root)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


@FUZZ
@given(st.dictionaries(st.sampled_from(list(json.loads(COLLATERAL_TEXTS[0]))), json_values))
def test_wrongly_typed_collateral_is_a_format_error(document: dict[str, Any]) -> None:
    base = json.loads(COLLATERAL_TEXTS[0])
    base.update(document)
    with contextlib.suppress(CollateralFormatError):
        load_qvl_json(json.dumps(base))


@FUZZ
@given(
    st.sampled_from(["tcb_info", "qe_identity"]),
    st.dictionaries(st.text(max_size=24), json_values, max_size=6),
)
def test_wrongly_shaped_documents_are_a_format_error(key: str, fields: dict[str, Any]) -> None:
    base = json.loads(COLLATERAL_TEXTS[1])
    document = json.loads(base[key])
    document.update(fields)
    base[key] = json.dumps(document)
    with contextlib.suppress(CollateralFormatError):
        load_qvl_json(json.dumps(base))


@FUZZ
@given(st.binary(max_size=400), st.text(max_size=200))
def test_pcs_responses_load_or_fail_typed(body: bytes, chain: str) -> None:
    collateral = json.loads(COLLATERAL_TEXTS[1])
    with contextlib.suppress(CollateralFormatError):
        from_pcs(
            tcb_info_response=body,
            tcb_info_issuer_chain=chain or collateral["tcb_info_issuer_chain"],
            qe_identity_response=body,
            qe_identity_issuer_chain=collateral["qe_identity_issuer_chain"],
            pck_crl=body,
            pck_crl_issuer_chain=collateral["pck_crl_issuer_chain"],
            root_ca_crl=body,
        )


EXTENSION = sgx_extension_der(SANDBOX_FMSPC, SANDBOX_COMPONENT_SVNS, 13)


@FUZZ
@given(edits, st.none() | st.integers(min_value=0), st.binary(max_size=8))
def test_mutated_pck_extension_parses_or_fails_typed(
    changes: list[tuple[int, int]], cut: int | None, insert: bytes
) -> None:
    with contextlib.suppress(PckExtensionError):
        parse_sgx_extension(mutate(EXTENSION, changes, cut, insert))


@FUZZ
@given(st.binary(max_size=300))
def test_random_extension_der_fails_typed(data: bytes) -> None:
    with contextlib.suppress(PckExtensionError):
        parse_sgx_extension(data)
