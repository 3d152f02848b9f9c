"""The Windows installer script builds with makensis here, and its Authenticode hook signs it.

No Windows bundle can be built on Linux (PyInstaller does not cross-compile), so the payload is the
placeholder folder ``build-installer.sh --placeholder`` makes; the release workflow feeds it the real one.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from desktop_app import __version__
from tests.installers.conftest import INSTALLERS

pytestmark = pytest.mark.usefixtures("build_tools")
BUILD = INSTALLERS / "windows" / "build-installer.sh"
SIGN_ENV = (
    "WINDOWS_SIGN_PFX",
    "WINDOWS_SIGN_PFX_BASE64",
    "WINDOWS_SIGN_PASSWORD",
    "WINDOWS_SIGN_TIMESTAMP_URL",
)


def _build(out: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in SIGN_ENV}
    return subprocess.run(
        [str(BUILD), "--placeholder", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**base, "PYTHON": sys.executable, **env},
        check=False,
    )


def _code_signing_certificate(directory: Path, password: str) -> tuple[Path, Path]:
    """A throwaway self-signed code-signing certificate: (the .pfx, its certificate as PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "DataProtector Desktop test signer")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
        .sign(key, hashes.SHA256())
    )
    pfx = directory / "signer.pfx"
    pfx.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"signer", key, cert, None, serialization.BestAvailableEncryption(password.encode())
        )
    )
    pem = directory / "signer.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return pfx, pem


def test_makensis_builds_the_installer_unsigned_without_a_certificate(tmp_path: Path) -> None:
    done = _build(tmp_path)
    assert done.returncode == 0, done.stderr
    setup = tmp_path / f"DataProtectorDesktop-{__version__}-setup.exe"
    data = setup.read_bytes()
    assert data[:2] == b"MZ" and b"Nullsoft" in data
    assert "not signed" in done.stderr  # the hook ran for the uninstaller and the installer, and said so
    assert done.stderr.count("[sign]") == 2


def test_the_signing_hook_signs_installer_and_uninstaller_from_the_environment(tmp_path: Path) -> None:
    pfx, pem = _code_signing_certificate(tmp_path, "pfx password")
    done = _build(tmp_path / "out", WINDOWS_SIGN_PFX=str(pfx), WINDOWS_SIGN_PASSWORD="pfx password")
    assert done.returncode == 0, done.stderr
    assert done.stderr.count(": signed") == 2, done.stderr  # uninstaller (inside), then installer
    setup = tmp_path / "out" / f"DataProtectorDesktop-{__version__}-setup.exe"
    verified = subprocess.run(
        ["osslsigncode", "verify", "-CAfile", str(pem), "-in", str(setup)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Signature verification: ok" in verified.stdout, verified.stdout + verified.stderr
    assert "pfx password" not in done.stdout + done.stderr


def test_the_installer_script_has_the_expected_entries() -> None:
    script = (INSTALLERS / "windows" / "dataprotector.nsi").read_text()
    for needle in (
        "WriteUninstaller",
        '"$SMPROGRAMS\\${APP}.lnk"',
        "Software\\Classes\\*\\shell\\${VERB}",
        "Software\\Classes\\Directory\\shell\\${VERB}",
        "Protect with DataProtector",
        "!finalize",
        "!uninstfinalize",
        'DeleteRegKey HKLM "${KEY}"',
    ):
        assert needle in script, needle
