"""The trust anchor a verification is pinned to: a root certificate identified by the SHA-256 of its DER.

Pinning by hash, never by name, matters because look-alike roots with Intel's exact subject exist in
published samples (spec §2). The default anchor is Intel's SGX Root CA, shipped beside this module as
``intel_sgx_root_ca.pem`` (taken from the dcap-qvl 0.7.0 sdist, ``src/TrustedRootCA.der``, and checked
against the hash Intel's certificate is known by and against the root embedded in real quotes). The
local sandbox passes its own simulated root instead, which is why the anchor is a parameter.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from desktop_app.core.attestation.errors import AttestationInputError

INTEL_SGX_ROOT_CA_SHA256: Final = bytes.fromhex(
    "44A0196B2B99F889B8E149E95B807A350E7424964399E885A7CBB8CCFAB674D3"
)


@dataclass(frozen=True)
class TrustAnchor:
    certificate: x509.Certificate
    der: bytes
    sha256: bytes
    label: str

    @classmethod
    def from_der(cls, der: bytes, label: str) -> TrustAnchor:
        """Pin the root whose DER is ``der``; :class:`AttestationInputError` if it is not a certificate."""
        try:
            certificate = x509.load_der_x509_certificate(der)
        except (ValueError, x509.InvalidVersion) as e:
            raise AttestationInputError(
                f"The root certificate ({label}) is not a DER certificate.", "pass the root's .der file"
            ) from e
        return cls(certificate, der, hashlib.sha256(der).digest(), label)

    @classmethod
    def from_certificate(cls, certificate: x509.Certificate, label: str) -> TrustAnchor:
        return cls.from_der(certificate.public_bytes(serialization.Encoding.DER), label)

    def pins(self, certificate: x509.Certificate) -> bool:
        """Whether ``certificate`` is this very root, byte for byte (its subject is irrelevant)."""
        return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).digest() == self.sha256


@cache
def intel_root() -> TrustAnchor:
    """Intel's SGX Root CA; refuses to load a shipped file whose hash is not Intel's (a broken install)."""
    pem = resources.files("desktop_app.core.attestation").joinpath("intel_sgx_root_ca.pem").read_bytes()
    anchor = TrustAnchor.from_certificate(x509.load_pem_x509_certificate(pem), "Intel SGX Root CA")
    if anchor.sha256 != INTEL_SGX_ROOT_CA_SHA256:
        raise RuntimeError("the shipped Intel SGX Root CA does not have Intel's SHA-256; reinstall the app")
    return anchor
