"""The Intel SGX extension of a PCK leaf certificate (OID 1.2.840.113741.1.13.1), spec §1.5.

It carries what ties a quote to its collateral: the FMSPC and PCE-ID that select the TCB info, and the
platform's TCB component SVNs that pick the TCB level. ``cryptography`` exposes it only as opaque DER
(an ``UnrecognizedExtension``), so this module walks that DER: a SEQUENCE of {OID, value} pairs, two of
which (TCB, configuration) nest one more such SEQUENCE. The walker accepts only the definite-length,
single-byte-tag forms this extension uses, and every malformation is a :class:`PckExtensionError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from cryptography import x509

SGX_EXTENSION_OID: Final = x509.ObjectIdentifier("1.2.840.113741.1.13.1")
_ROOT: Final = "1.2.840.113741.1.13.1"

_SEQUENCE, _OID, _INTEGER, _OCTET_STRING, _ENUMERATED, _BOOLEAN = 0x30, 0x06, 0x02, 0x04, 0x0A, 0x01


class PckExtensionError(Exception):
    """The PCK certificate has no SGX extension, or one that does not follow Intel's layout."""


@dataclass(frozen=True)
class PckExtension:
    ppid: bytes
    component_svns: tuple[int, ...]
    pce_svn: int
    cpu_svn: bytes
    pce_id: bytes
    fmspc: bytes
    sgx_type: int
    dynamic_platform: bool | None
    cached_keys: bool | None
    smt_enabled: bool | None


def pck_extension(certificate: x509.Certificate) -> PckExtension:
    """Decode the SGX extension of ``certificate``; :class:`PckExtensionError` if absent or malformed."""
    try:
        extension = certificate.extensions.get_extension_for_oid(SGX_EXTENSION_OID).value
    except x509.ExtensionNotFound as e:
        raise PckExtensionError("the PCK certificate has no Intel SGX extension") from e
    except (
        ValueError,
        x509.DuplicateExtension,
        x509.UnsupportedGeneralNameType,
    ) as e:  # malformed extensions
        raise PckExtensionError(f"the PCK certificate's extensions cannot be read ({e})") from e
    if not isinstance(extension, x509.UnrecognizedExtension):
        raise PckExtensionError("the Intel SGX extension was decoded as something else")
    return parse_sgx_extension(extension.value)


def parse_sgx_extension(der: bytes) -> PckExtension:
    """Decode the DER value of the SGX extension (the SEQUENCE of {OID, value} pairs)."""
    tag, content, rest = _tlv(der)
    if tag != _SEQUENCE or rest:
        raise PckExtensionError("the extension value is not one SEQUENCE")
    top = _pairs(content, _ROOT)
    tcb = _pairs(_need(top, ".2", _SEQUENCE), _ROOT + ".2")
    svns = tuple(_integer(_need(tcb, f".2.{i}", _INTEGER)) for i in range(1, 17))
    config = _pairs(_need(top, ".7", _SEQUENCE), _ROOT + ".7") if ".7" in top else {}
    return PckExtension(
        ppid=_sized(_need(top, ".1", _OCTET_STRING), 16, "PPID"),
        component_svns=svns,
        pce_svn=_integer(_need(tcb, ".2.17", _INTEGER)),
        cpu_svn=_sized(_need(tcb, ".2.18", _OCTET_STRING), 16, "CPUSVN"),
        pce_id=_sized(_need(top, ".3", _OCTET_STRING), 2, "PCE-ID"),
        fmspc=_sized(_need(top, ".4", _OCTET_STRING), 6, "FMSPC"),
        sgx_type=_integer(_need(top, ".5", _ENUMERATED)),
        dynamic_platform=_flag(config, ".7.1"),
        cached_keys=_flag(config, ".7.2"),
        smt_enabled=_flag(config, ".7.3"),
    )


def _pairs(content: bytes, prefix: str) -> dict[str, tuple[int, bytes]]:
    """Map each OID's suffix after the SGX root (".4" for FMSPC) to (tag, content), for the elements of
    one SEQUENCE of {OID, value} pairs whose OIDs all lie under ``prefix``."""
    pairs: dict[str, tuple[int, bytes]] = {}
    while content:
        pair_tag, pair, content = _tlv(content)
        if pair_tag != _SEQUENCE:
            raise PckExtensionError(f"{prefix}: expected a SEQUENCE {{OID, value}}")
        oid_tag, oid, value_der = _tlv(pair)
        value_tag, value, trailing = _tlv(value_der)
        if oid_tag != _OID or trailing:
            raise PckExtensionError(f"{prefix}: malformed {{OID, value}} pair")
        name = _oid(oid)
        if not name.startswith(prefix + "."):
            raise PckExtensionError(f"unexpected OID {name} inside {prefix}")
        key = name[len(_ROOT) :]
        if key in pairs:
            raise PckExtensionError(f"OID {name} appears twice")
        pairs[key] = (value_tag, value)
    return pairs


def _tlv(der: bytes) -> tuple[int, bytes, bytes]:
    """(tag, content, what follows) for the first DER element of ``der``."""
    if len(der) < 2:
        raise PckExtensionError("truncated DER element")
    tag, length = der[0], der[1]
    if tag & 0x1F == 0x1F:
        raise PckExtensionError("multi-byte DER tags are not used by this extension")
    start = 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 3 or len(der) < 2 + count:
            raise PckExtensionError("unsupported DER length")
        length = int.from_bytes(der[2 : 2 + count], "big")
        start = 2 + count
    if len(der) - start < length:
        raise PckExtensionError("DER element longer than its container")
    return tag, der[start : start + length], der[start + length :]


def _oid(content: bytes) -> str:
    if not content or content[-1] & 0x80:
        raise PckExtensionError("malformed OID")
    arcs: list[int] = []
    value = 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(str(arc) for arc in [first, arcs[0] - 40 * first, *arcs[1:]])


def _need(pairs: dict[str, tuple[int, bytes]], key: str, tag: int) -> bytes:
    found = pairs.get(key)
    if found is None:
        raise PckExtensionError(f"missing {_ROOT}{key}")
    if found[0] != tag:
        raise PckExtensionError(f"{_ROOT}{key} has DER tag {found[0]:#x}, expected {tag:#x}")
    return found[1]


def _integer(content: bytes) -> int:
    if not content or len(content) > 8:
        raise PckExtensionError("INTEGER of unsupported size")
    value = int.from_bytes(content, "big", signed=True)
    if value < 0:
        raise PckExtensionError("negative SVN")
    return value


def _sized(content: bytes, size: int, name: str) -> bytes:
    if len(content) != size:
        raise PckExtensionError(f"{name} is {len(content)} bytes, expected {size}")
    return content


def _flag(pairs: dict[str, tuple[int, bytes]], key: str) -> bool | None:
    found = pairs.get(key)
    if found is None:
        return None
    if found[0] != _BOOLEAN or len(found[1]) != 1:
        raise PckExtensionError(f"{_ROOT}{key} is not a BOOLEAN")
    return found[1] != b"\x00"
