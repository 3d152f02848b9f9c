"""Certificate and CRL checks with ``cryptography``, each answering "what is wrong" (or ``None``).

Returning a readable problem instead of raising lets the verifier record every check with its reason.
The library's own exceptions for hostile input (bad signatures, unsupported keys, name mismatches) are
all caught here, so none leaks out of a verification.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec

# What ``cryptography`` raises for certificates and CRLs it cannot decode (not all are ValueErrors).
X509_ERRORS = (
    ValueError,
    UnsupportedAlgorithm,
    x509.DuplicateExtension,
    x509.UnsupportedGeneralNameType,
    x509.InvalidVersion,
)


def unreadable(item: x509.Certificate | x509.CertificateRevocationList) -> str | None:
    """Why ``item`` cannot be used, if it cannot: ``cryptography`` decodes names, extensions, keys and CRL
    entries lazily, so hostile DER would otherwise raise in the middle of a check. Touch them all once,
    where the input is loaded."""
    try:
        if isinstance(item, x509.Certificate):
            _ = (item.subject, item.issuer, item.extensions, item.public_key(), item.signature_hash_algorithm)
        else:
            _ = (item.issuer, item.extensions, item.last_update_utc, item.next_update_utc)
            _ = item.signature_hash_algorithm
            for entry in item:
                _ = (entry.serial_number, entry.revocation_date_utc, entry.extensions)
    except X509_ERRORS as e:
        return str(e) or type(e).__name__
    return None


def issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> str | None:
    """Problem with ``issuer`` having signed ``certificate`` (names chain and ECDSA signature holds)."""
    try:
        certificate.verify_directly_issued_by(issuer)
    except InvalidSignature:
        return f"the signature of {_name(certificate)} does not verify with {_name(issuer)}'s key"
    except ValueError:
        return f"{_name(certificate)} is not issued by {_name(issuer)}"
    except (TypeError, UnsupportedAlgorithm) as e:
        return f"{_name(certificate)} uses an unsupported signature ({e})"
    return None


def valid_at(certificate: x509.Certificate, now: datetime) -> str | None:
    if now < certificate.not_valid_before_utc:
        return (
            f"{_name(certificate)} is not valid before {certificate.not_valid_before_utc:%Y-%m-%d %H:%M:%S}Z"
        )
    if now > certificate.not_valid_after_utc:
        return f"{_name(certificate)} expired at {certificate.not_valid_after_utc:%Y-%m-%d %H:%M:%S}Z"
    return None


def is_ca(certificate: x509.Certificate) -> str | None:
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return f"{_name(certificate)} has no basicConstraints, so it may not issue certificates"
    except X509_ERRORS as e:
        return f"{_name(certificate)} has unreadable extensions ({e})"
    return None if constraints.ca else f"{_name(certificate)} is not a CA certificate"


def is_end_entity(certificate: x509.Certificate) -> str | None:
    """Problem with ``certificate`` signing evidence: a CA (say a PCK CA, also issued by the root) must not
    pass for the PCK leaf or the TCB-signing certificate."""
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return None
    except X509_ERRORS as e:
        return f"{_name(certificate)} has unreadable extensions ({e})"
    return f"{_name(certificate)} is a CA certificate, not an end-entity one" if constraints.ca else None


def p256_key(certificate: x509.Certificate) -> ec.EllipticCurvePublicKey | None:
    """The certificate's key if it is ECDSA P-256 (the only kind DCAP signatures use), else ``None``."""
    try:
        key = certificate.public_key()
    except X509_ERRORS:
        return None
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return key
    return None


def crl_problem(
    crl: x509.CertificateRevocationList, issuer: x509.Certificate, now: datetime, grace: timedelta
) -> str | None:
    """Problem with ``crl`` as ``issuer``'s current CRL: issuer, signature, thisUpdate ≤ now < nextUpdate.

    ``grace`` extends nextUpdate when the caller chose to accept stale revocation data.
    """
    if crl.issuer != issuer.subject:
        return f"the CRL is issued by {crl.issuer.rfc4514_string()}, not by {_name(issuer)}"
    key = p256_key(issuer)
    if key is None:
        return f"{_name(issuer)} has no P-256 key to check its CRL with"
    try:
        if not crl.is_signature_valid(key):
            return f"the CRL's signature does not verify with {_name(issuer)}'s key"
    except (TypeError, ValueError, UnsupportedAlgorithm) as e:
        return f"the CRL's signature cannot be checked ({e})"
    next_update = crl.next_update_utc
    if next_update is None:
        return "the CRL has no nextUpdate"
    return window_problem(crl.last_update_utc, next_update, now, grace, "the CRL")


def window_problem(
    issued: datetime, next_update: datetime, now: datetime, grace: timedelta, what: str
) -> str | None:
    """Problem with ``now`` lying in [issued, next_update + grace); the end is exclusive (spec §3 "Time")."""
    if now < issued:
        return f"{what} is issued in the future ({issued:%Y-%m-%d %H:%M:%S}Z)"
    if now - grace >= next_update:
        return f"{what} expired at {next_update:%Y-%m-%d %H:%M:%S}Z (next update was due)"
    return None


def revoked(crl: x509.CertificateRevocationList, certificate: x509.Certificate) -> bool:
    return crl.get_revoked_certificate_by_serial_number(certificate.serial_number) is not None


def _name(certificate: x509.Certificate) -> str:
    try:
        names = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    except ValueError:
        names = []
    common = names[0].value if names else ""
    return f'"{common!s}"' if common else certificate.subject.rfc4514_string()
