"""``dataprotector-desktop attest verify``: exit codes 0/1/2, JSON shape, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from desktop_app.cli.main import main
from tests.support.attestation import (
    AN_HOUR_LATER,
    SAMPLES,
    last_valid_instant,
    real_collateral,
    sandbox_cases,
    sandbox_collateral_text,
    sandbox_pki,
)

TDX_AT = str(int(last_valid_instant(real_collateral("tdx_quote")).timestamp()))
SGX_AT = str(int(last_valid_instant(real_collateral("sgx_quote")).timestamp()))
SANDBOX_AT = str(int(AN_HOUR_LATER.timestamp()))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["attest", "verify", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def sample(name: str) -> str:
    return str(SAMPLES / name)


def test_valid_tdx_quote_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        sample("tdx_quote"),
        "--collateral",
        sample("tdx_quote_collateral.json"),
        "--at",
        TDX_AT,
        "--json",
    )
    assert code == 0
    result = json.loads(out)
    assert result["valid"] is True and result["status"] == "UpToDate" and result["tee"] == "tdx"
    assert result["advisories"] == []
    assert set(result["measurements"]) == {"mrTd", "rtmr0", "rtmr1", "rtmr2", "rtmr3", "mrConfigId"}
    assert len(result["reportData"]) == 128
    assert all(set(check) == {"name", "ok", "detail"} for check in result["checks"])
    assert result["root"]["sha256"].startswith("44a0196b")


def test_sgx_quote_fails_default_policy_then_passes_when_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    args = (
        sample("sgx_quote"),
        "--collateral",
        sample("sgx_quote_collateral.json"),
        "--at",
        SGX_AT,
        "--json",
    )
    code, out, _ = run(capsys, *args)
    result = json.loads(out)
    assert code == 1 and result["valid"] is False and result["tee"] == "sgx"
    assert result["status"] == "ConfigurationAndSWHardeningNeeded"
    assert result["advisories"] == ["INTEL-SA-00289", "INTEL-SA-00615"]
    assert set(result["measurements"]) == {"mrEnclave", "mrSigner", "isvProdId", "isvSvn"}
    code, out, _ = run(capsys, *args, "--accept", "UpToDate", "--accept", "ConfigurationAndSWHardeningNeeded")
    assert code == 0 and json.loads(out)["valid"] is True


def test_hex_quote_is_read_and_rejected_on_its_tcb(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, sample("tdx-quote.hex"), "--collateral", sample("tdx_quote_collateral.json"), "--at", TDX_AT
    )
    assert code == 1
    assert out.startswith("INVALID: TDX quote, TCB status unknown")
    assert "FAIL tcb.platform_level" in out


def test_sandbox_quote_needs_the_sandbox_root(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    quote = tmp_path / "quote.bin"
    quote.write_bytes(sandbox_cases()[0].quote)
    collateral = tmp_path / "collateral.json"
    collateral.write_text(sandbox_collateral_text("tdx"))
    root_der = tmp_path / "root.der"
    root_der.write_bytes(sandbox_pki().root_der)
    root_pem = tmp_path / "root.pem"
    root_pem.write_bytes(sandbox_pki().root.certificate.public_bytes(serialization.Encoding.PEM))
    base = (str(quote), "--collateral", str(collateral), "--at", SANDBOX_AT)
    assert run(capsys, *base)[0] == 1
    assert run(capsys, *base, "--root", str(root_der))[0] == 0
    code, out, _ = run(capsys, *base, "--root", str(root_pem))
    assert code == 0 and out.startswith("VALID: TDX quote, TCB status UpToDate")
    late = str(int(AN_HOUR_LATER.timestamp()) + 40 * 86400)
    assert (
        run(capsys, str(quote), "--collateral", str(collateral), "--at", late, "--root", str(root_der))[0]
        == 1
    )
    code, out, _ = run(
        capsys,
        str(quote),
        "--collateral",
        str(collateral),
        "--at",
        late,
        "--root",
        str(root_der),
        "--grace-days",
        "15",
    )
    assert code == 0 and "grace period" in out


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("garbage quote", "Malformed quote"),
        ("missing quote", "cannot read"),
        ("garbage collateral", "Malformed collateral"),
        ("garbage root", "not a DER certificate"),
        ("garbage PEM root", "is not a certificate"),
        ("time out of range", "is not a usable time"),
        ("negative grace", "must be between 0 and 3650"),
    ],
)
def test_unusable_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, setup: str, message: str
) -> None:
    quote, collateral, extra = sample("tdx_quote"), sample("tdx_quote_collateral.json"), []
    garbage = tmp_path / "garbage"
    garbage.write_bytes(b"\x00\x01garbage")
    if setup == "garbage quote":
        quote = str(garbage)
    elif setup == "missing quote":
        quote = str(tmp_path / "nowhere")
    elif setup == "garbage collateral":
        collateral = str(garbage)
    elif setup == "garbage root":
        extra = ["--root", str(garbage)]
    elif setup == "time out of range":
        extra = ["--at", str(10**15)]
    elif setup == "negative grace":
        extra = ["--grace-days", "-1"]
    else:
        pem = tmp_path / "root.pem"
        pem.write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
        extra = ["--root", str(pem)]
    code, out, err = run(capsys, quote, "--collateral", collateral, "--at", TDX_AT, *extra)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
