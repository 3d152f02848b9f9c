"""The sandbox's simulated Intel PKI: a per-sandbox root CA, a PCK CA and leaf, a TCB-signing certificate.

It mirrors Intel's provisioning hierarchy (spec §2) so the app's real DCAP verifier can check sandbox
quotes end to end, with one difference that matters: the root is the sandbox's own, generated here, and
every subject says "simulated". The verifier trusts it only when the local profile pins its SHA-256;
under Intel's pinned root the same quotes are rejected. The PCK leaf carries the Intel SGX extension
(OID 1.2.840.113741.1.13.1) with FMSPC, PCE-ID and TCB SVNs, as the verifier reads them from real PCKs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SANDBOX_FMSPC: Final = bytes.fromhex("5A0D0B000000")
SANDBOX_PCE_ID: Final = bytes(2)
SANDBOX_COMPONENT_SVNS: Final = (3, 3, 2, 2, 4, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0)
SANDBOX_PCE_SVN: Final = 13
CERTIFICATE_LIFETIME: Final = timedelta(days=3650)

_SGX_OID: Final = "1.2.840.113741.1.13.1"
_NAMES: Final = {
    "root": "DataProtector Sandbox SGX Root CA (simulated)",
    "pck_ca": "DataProtector Sandbox PCK Platform CA (simulated)",
    "pck": "DataProtector Sandbox PCK Certificate (simulated)",
    "tcb_signing": "DataProtector Sandbox TCB Signing (simulated)",
}


@dataclass(frozen=True)
class Identity:
    """A key and the certificate that names it."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate


@dataclass(frozen=True)
class SandboxPki:
    """The sandbox's keys and certificates, plus the attestation key its simulated quoting enclave uses."""

    root: Identity
    pck_ca: Identity
    pck: Identity
    tcb_signing: Identity
    attestation_key: ec.EllipticCurvePrivateKey

    @classmethod
    def generate(
        cls,
        *,
        now: datetime,
        fmspc: bytes = SANDBOX_FMSPC,
        component_svns: tuple[int, ...] = SANDBOX_COMPONENT_SVNS,
        pce_svn: int = SANDBOX_PCE_SVN,
    ) -> SandboxPki:
        """A fresh hierarchy valid from a day before ``now`` for ten years, with the given platform TCB."""
        root_key = ec.generate_private_key(ec.SECP256R1())
        root = _certify("root", root_key.public_key(), root_key, None, now, ca=True)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        pck_ca = _certify("pck_ca", ca_key.public_key(), root_key, root, now, ca=True)
        pck_key = ec.generate_private_key(ec.SECP256R1())
        extension = x509.UnrecognizedExtension(
            x509.ObjectIdentifier(_SGX_OID), sgx_extension_der(fmspc, component_svns, pce_svn)
        )
        pck = _certify("pck", pck_key.public_key(), ca_key, pck_ca, now, ca=False, extra=extension)
        tcb_key = ec.generate_private_key(ec.SECP256R1())
        tcb = _certify("tcb_signing", tcb_key.public_key(), root_key, root, now, ca=False)
        return cls(
            root=Identity(root_key, root),
            pck_ca=Identity(ca_key, pck_ca),
            pck=Identity(pck_key, pck),
            tcb_signing=Identity(tcb_key, tcb),
            attestation_key=ec.generate_private_key(ec.SECP256R1()),
        )

    @property
    def root_der(self) -> bytes:
        """What the local profile pins (by its SHA-256) instead of Intel's root."""
        return self.root.certificate.public_bytes(serialization.Encoding.DER)

    def pck_chain_pem(self) -> bytes:
        """The PCK chain as a type-5 certification data blob carries it: leaf, CA, root."""
        return b"".join(
            identity.certificate.public_bytes(serialization.Encoding.PEM)
            for identity in (self.pck, self.pck_ca, self.root)
        )

    def crl(
        self, issuer: Identity, *, this_update: datetime, next_update: datetime, revoked: tuple[int, ...] = ()
    ) -> bytes:
        """A DER CRL of ``issuer`` (``self.root`` or ``self.pck_ca``) listing the ``revoked`` serials."""
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(issuer.certificate.subject)
            .last_update(this_update)
            .next_update(next_update)
            # Intel's CRLs carry both; dcap-qvl refuses a CRL without extensions.
            .add_extension(x509.CRLNumber(1), critical=False)
            .add_extension(_authority_key_id(issuer.certificate), critical=False)
        )
        for serial in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(this_update).build()
            )
        return builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def save(self, directory: Path) -> None:
        """Write keys and certificates as PEM files (the sandbox is simulated; its keys are not secrets)."""
        directory.mkdir(parents=True, exist_ok=True)
        for name, identity in self._identities().items():
            (directory / f"{name}.key.pem").write_bytes(_key_pem(identity.key))
            (directory / f"{name}.cert.pem").write_bytes(
                identity.certificate.public_bytes(serialization.Encoding.PEM)
            )
        (directory / "attestation.key.pem").write_bytes(_key_pem(self.attestation_key))

    @classmethod
    def load(cls, directory: Path) -> SandboxPki:
        def identity(name: str) -> Identity:
            certificate = x509.load_pem_x509_certificate((directory / f"{name}.cert.pem").read_bytes())
            return Identity(_load_key(directory / f"{name}.key.pem"), certificate)

        return cls(
            root=identity("root"),
            pck_ca=identity("pck_ca"),
            pck=identity("pck"),
            tcb_signing=identity("tcb_signing"),
            attestation_key=_load_key(directory / "attestation.key.pem"),
        )

    def _identities(self) -> dict[str, Identity]:
        return {"root": self.root, "pck_ca": self.pck_ca, "pck": self.pck, "tcb_signing": self.tcb_signing}


def sgx_extension_der(fmspc: bytes, component_svns: tuple[int, ...], pce_svn: int) -> bytes:
    """DER of the Intel SGX extension value, laid out as in Intel's PCK certificates (spec §1.5)."""
    if len(fmspc) != 6 or len(component_svns) != 16:
        raise ValueError("FMSPC is 6 bytes and there are 16 TCB components")
    tcb = [_pair(f"{_SGX_OID}.2.{i}", _integer(svn)) for i, svn in enumerate(component_svns, start=1)]
    tcb.append(_pair(f"{_SGX_OID}.2.17", _integer(pce_svn)))
    tcb.append(_pair(f"{_SGX_OID}.2.18", _tlv(0x04, bytes(component_svns))))
    return _sequence(
        _pair(f"{_SGX_OID}.1", _tlv(0x04, bytes(16))),
        _pair(f"{_SGX_OID}.2", _sequence(*tcb)),
        _pair(f"{_SGX_OID}.3", _tlv(0x04, SANDBOX_PCE_ID)),
        _pair(f"{_SGX_OID}.4", _tlv(0x04, fmspc)),
        _pair(f"{_SGX_OID}.5", _tlv(0x0A, b"\x00")),
    )


def _certify(
    role: str,
    public_key: ec.EllipticCurvePublicKey,
    signing_key: ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate | None,
    now: datetime,
    *,
    ca: bool,
    extra: x509.UnrecognizedExtension | None = None,
) -> x509.Certificate:
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, _NAMES[role]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "DataProtector Desktop sandbox"),
        ]
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer is not None else subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + CERTIFICATE_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            _authority_key_id(issuer) if issuer is not None else _own_key_id(public_key), critical=False
        )
    )
    if extra is not None:
        builder = builder.add_extension(extra, critical=False)
    return builder.sign(signing_key, hashes.SHA256())


def _authority_key_id(issuer: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _own_key_id(public_key: ec.EllipticCurvePublicKey) -> x509.AuthorityKeyIdentifier:
    return x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _load_key(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path} is not an EC private key")
    return key


def _tlv(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + content


def _sequence(*elements: bytes) -> bytes:
    return _tlv(0x30, b"".join(elements))


def _pair(oid: str, value: bytes) -> bytes:
    return _sequence(_oid(oid), value)


def _oid(dotted: str) -> bytes:
    arcs = [int(arc) for arc in dotted.split(".")]
    body = bytearray()
    for arc in [40 * arcs[0] + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(chunk))
    return _tlv(0x06, bytes(body))


def _integer(value: int) -> bytes:
    return _tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))
