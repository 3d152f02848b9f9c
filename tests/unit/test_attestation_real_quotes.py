"""Real quotes from public repositories, each verified at its fixed instant (issue #5, "Real quotes").

Together with the dcap-qvl sdist samples (``test_attestation_differential.py`` checks their verdicts) the
real vectors are 4 SGX quotes from 4 platforms (one SWHardeningNeeded, accepted; one
ConfigurationAndSWHardeningNeeded, one OutOfDate and one debug enclave, refused) and 9 TDX quotes (4
accepted), each with Intel-signed collateral of its period. Each folder under ``tests/data`` keeps the
provenance, license and sha256 of every file, and why its instant was chosen: mostly the instant the
source's own test pins, so both projects judge the quote at the same moment.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import dcap_qvl
import pytest
from cryptography import x509

from desktop_app.core.attestation.pck import pck_extension
from desktop_app.core.attestation.quote import Tee, parse_quote
from desktop_app.core.attestation.verify import verify_quote
from tests.support.attestation import (
    DATA,
    PUBLIC_QUOTES,
    real_collateral,
    real_collateral_text,
    real_quote,
    valid_window,
)


@dataclass(frozen=True)
class Vector:
    quote: str
    collateral: str
    at: datetime
    status: str
    advisories: tuple[str, ...]
    refused_by: tuple[str, ...]  # the failed checks, all of them policy checks; () = accepted
    dcap_qvl: str | None = None  # dcap-qvl's refusal where it differs (see the differential test)


AUTOMATA_SGX_WARP = datetime(2025, 8, 15, 5, 45, tzinfo=UTC)  # vm.warp(1755236700)
AUTOMATA_TDX_WARP = datetime(2025, 6, 5, 3, 45, tzinfo=UTC)  # vm.warp(1749095100)

VECTORS = [
    Vector(
        "automata/sgx_00606a",
        "automata/sgx_00606a_2508",
        AUTOMATA_SGX_WARP,
        "SWHardeningNeeded",
        ("INTEL-SA-00615",),
        (),
    ),
    Vector(
        "automata/sgx_debug",
        "automata/sgx_00606a_2508",
        AUTOMATA_SGX_WARP,
        "OutOfDate",
        ("INTEL-SA-00615", "INTEL-SA-00657", "INTEL-SA-00767", "INTEL-SA-00960"),
        ("policy.tcb_status", "policy.debug"),
        dcap_qvl="Debug mode is enabled",
    ),
    Vector(
        "oasis/sgx_00606a",
        "automata/sgx_00606a_2508",
        AUTOMATA_SGX_WARP,
        "OutOfDate",
        tuple(f"INTEL-SA-00{n}" for n in (615, 657, 730, 738, 767, 828, 837, 960)),
        ("policy.tcb_status",),
    ),
    Vector(
        "automata/tdx_00806f05",
        "automata/tdx_00806f05_2506",
        AUTOMATA_TDX_WARP,
        "OutOfDate",
        ("INTEL-SA-00960", "INTEL-SA-00982", "INTEL-SA-00986"),
        ("policy.tcb_status",),
    ),
    Vector("automata/tdx_sample", "automata/tdx_00806f05_2506", AUTOMATA_TDX_WARP, "UpToDate", (), ()),
    Vector(
        "automata/tdx_v5_alibaba",
        "automata/tdx_90c06f_2506",
        datetime(2025, 6, 15, tzinfo=UTC),  # vm.warp(1749945600) in QuoteV5Test.s.sol
        "UpToDate",
        (),
        ("policy.mr_service_td",),
        dcap_qvl="Invalid MR service TD",
    ),
    Vector(
        "dcap_qvl_repo/tdx_20a06f",
        "dcap_qvl_repo/tdx_20a06f_2509",
        datetime(2025, 9, 10, tzinfo=UTC),  # the gas test's fixed block timestamp
        "UpToDate",
        (),
        (),
    ),
]


@pytest.mark.parametrize("vector", VECTORS, ids=[v.quote for v in VECTORS])
def test_each_quote_has_its_verdict_at_its_fixed_instant(vector: Vector) -> None:
    quote, collateral = real_quote(vector.quote), real_collateral(vector.collateral)
    start, end = valid_window(collateral)
    assert start <= vector.at < end  # the instant is inside every document's window
    report = verify_quote(quote, collateral, now=vector.at)
    assert report.status is not None and report.status.value == vector.status
    assert tuple(sorted(report.advisories)) == vector.advisories
    assert tuple(c.name for c in report.failures) == vector.refused_by
    assert report.valid is (vector.refused_by == ())
    qvl_collateral = dcap_qvl.QuoteCollateralV3.from_json(real_collateral_text(vector.collateral))
    if vector.dcap_qvl is not None:
        with pytest.raises(ValueError, match=vector.dcap_qvl):
            dcap_qvl.verify(quote, qvl_collateral, int(vector.at.timestamp()))
        return
    theirs = dcap_qvl.verify(quote, qvl_collateral, int(vector.at.timestamp()))
    assert (theirs.status, tuple(sorted(theirs.advisory_ids))) == (vector.status, vector.advisories)


def test_the_quotes_are_what_their_readmes_say() -> None:
    """Kind, platform model and PCK CA of each quote; and three distinct SGX platforms (PCK leaves)."""
    kinds = {}
    for name in PUBLIC_QUOTES:
        quote = parse_quote(real_quote(name))
        leaf = x509.load_pem_x509_certificates(quote.pck_chain_pem)[0]
        ca = leaf.issuer.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
        kinds[name] = (quote.tee, quote.header.version, quote.body_type, pck_extension(leaf).fmspc.hex(), ca)
    platform = "Intel SGX PCK Platform CA"
    assert kinds == {
        "automata/sgx_00606a": (Tee.SGX, 3, 1, "00606a000000", platform),
        "automata/sgx_debug": (Tee.SGX, 3, 1, "00606a000000", platform),
        "oasis/sgx_00606a": (Tee.SGX, 3, 1, "00606a000000", platform),
        "automata/tdx_00806f05": (Tee.TDX, 4, 2, "00806f050000", platform),
        "automata/tdx_sample": (Tee.TDX, 4, 2, "00806f050000", platform),
        "automata/tdx_v5_alibaba": (Tee.TDX, 5, 3, "90c06f000000", platform),
        "dcap_qvl_repo/tdx_20a06f": (Tee.TDX, 4, 2, "20a06f000000", platform),
    }
    sgx_leaves = {
        parse_quote(real_quote(name)).pck_chain_pem.split(b"-----END CERTIFICATE-----")[0]
        for name, kind in kinds.items()
        if kind[0] is Tee.SGX
    }
    assert len(sgx_leaves) == 3


def readme_rows() -> list[tuple[Path, str, str]]:
    rows = []
    for readme in sorted(DATA.glob("*/README.md")):
        for name, digest in re.findall(r"^\| `([^`]+)` \| `([0-9a-f]{64})` \|", readme.read_text(), re.M):
            rows.append((readme.parent, name, digest))
    return rows


@pytest.mark.parametrize(
    ("folder", "name", "digest"), readme_rows(), ids=[f"{f.name}/{n}" for f, n, _ in readme_rows()]
)
def test_each_data_file_is_the_one_its_readme_names(folder: Path, name: str, digest: str) -> None:
    assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest


def test_every_data_file_has_its_provenance() -> None:
    listed = {folder / name for folder, name, _ in readme_rows()}
    files = {p for p in DATA.rglob("*") if p.is_file() and p.name not in ("README.md", "LICENSE")}
    assert files - listed == set()
    assert {folder for folder, _, _ in readme_rows()} == {p.parent for p in DATA.glob("*/README.md")}
