"""Strict parser for Intel DCAP quotes: SGX v3 and TDX v4/v5 (layouts in shared/spec/attestation.md §1).

Quotes arrive from untrusted workers, so every read goes through one bounds-checked cursor and every
length field is honoured: nested structures must fill exactly the size their parent declares, and only
the bytes after the signature data (padding some quote providers append) are ignored. Any malformed
input raises :class:`QuoteFormatError` and nothing else, so callers have one thing to catch.

The parser only checks *structure* (versions, types, sizes). Whether the signatures, certificates and
TCB hold is the verifier's business; the raw slices it needs (signed region, QE report) are kept here.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import Enum
from typing import Final

from desktop_app.core.attestation.errors import QuoteFormatError

INTEL_QE_VENDOR_ID: Final = bytes.fromhex("939A7233F79C4CA9940A0DB3957F0607")
ECDSA_P256_KEY_TYPE: Final = 2
HEADER_SIZE: Final = 48
SGX_REPORT_SIZE: Final = 384
TD10_REPORT_SIZE: Final = 584
TD15_REPORT_SIZE: Final = 648
# Body type 4 ("TD report 1.5 ex", Intel sgx_quote_5.h) appends VM and TD ids to the TD 1.5 report; real
# v5 quotes carry it. Its extra fields are signed but not interpreted here.
TD15_EX_REPORT_SIZE: Final = 885

CERT_TYPE_PCK_CHAIN: Final = 5
CERT_TYPE_QE_REPORT: Final = 6

_TDX_TEE_TYPE: Final = 0x81
_SGX_TEE_TYPE: Final = 0x00
_SIGNATURE_SIZE: Final = 64
_KEY_SIZE: Final = 64
_V5_BODY_SIZES: Final = {2: TD10_REPORT_SIZE, 3: TD15_REPORT_SIZE, 4: TD15_EX_REPORT_SIZE}


class Tee(Enum):
    SGX = "sgx"
    TDX = "tdx"


class _Cursor:
    """Reads forward through ``data[start:end]``; stepping past ``end`` is a format error, not IndexError."""

    def __init__(self, data: bytes, start: int, end: int, what: str) -> None:
        self._data = data
        self.pos = start
        self.end = end
        self._what = what

    def take(self, size: int, field: str) -> bytes:
        if size > self.end - self.pos:
            raise QuoteFormatError(
                f"{self._what}: {field} needs {size} bytes at offset {self.pos}, "
                f"only {self.end - self.pos} remain"
            )
        chunk = self._data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def u16(self, field: str) -> int:
        value: int = struct.unpack("<H", self.take(2, field))[0]
        return value

    def u32(self, field: str) -> int:
        value: int = struct.unpack("<I", self.take(4, field))[0]
        return value

    def sub(self, size: int, what: str) -> _Cursor:
        """A cursor over the next ``size`` bytes, which the caller must consume exactly (see :meth:`done`)."""
        start = self.pos
        self.take(size, f"{what} ({size} bytes)")
        return _Cursor(self._data, start, start + size, what)

    def since(self, start: int) -> bytes:
        """The bytes consumed from ``start`` up to the current position."""
        return self._data[start : self.pos]

    def done(self) -> None:
        if self.pos != self.end:
            raise QuoteFormatError(f"{self._what}: {self.end - self.pos} unexpected bytes after its content")


@dataclass(frozen=True)
class QuoteHeader:
    version: int
    key_type: int
    tee_type: int
    qe_svn: int
    pce_svn: int
    qe_vendor_id: bytes
    user_data: bytes


@dataclass(frozen=True)
class EnclaveReport:
    """An SGX report body (384 bytes): the application enclave of a v3 quote, and every QE report."""

    raw: bytes
    cpu_svn: bytes
    misc_select: int
    attributes: bytes
    mr_enclave: bytes
    mr_signer: bytes
    config_id: bytes
    isv_prod_id: int
    isv_svn: int
    config_svn: int
    report_data: bytes

    @property
    def debug(self) -> bool:
        return bool(self.attributes[0] & 0x02)


@dataclass(frozen=True)
class TdReport:
    """A TD report body: 1.0 (584 bytes), 1.5 (648, adds TEE_TCB_SVN2 and MRSERVICETD) or 1.5-ex (885)."""

    tee_tcb_svn: bytes
    mr_seam: bytes
    mr_signer_seam: bytes
    seam_attributes: bytes
    td_attributes: int
    xfam: bytes
    mr_td: bytes
    mr_config_id: bytes
    mr_owner: bytes
    mr_owner_config: bytes
    rtmr: tuple[bytes, bytes, bytes, bytes]
    report_data: bytes
    tee_tcb_svn2: bytes | None
    mr_service_td: bytes | None


@dataclass(frozen=True)
class Quote:
    """A parsed quote; ``signed`` is what the attestation key signs (header ‖ [v5 descriptor] ‖ body)."""

    raw: bytes
    header: QuoteHeader
    tee: Tee
    body_type: int
    enclave: EnclaveReport | None
    td: TdReport | None
    signed: bytes
    signature: bytes
    attestation_key: bytes
    qe_report: EnclaveReport
    qe_report_signature: bytes
    qe_auth_data: bytes
    pck_chain_pem: bytes

    @property
    def report_data(self) -> bytes:
        if self.td is not None:
            return self.td.report_data
        assert self.enclave is not None
        return self.enclave.report_data


def parse_quote(data: bytes) -> Quote:
    """Parse ``data`` as a DCAP quote; :class:`QuoteFormatError` for anything malformed or unsupported."""
    top = _Cursor(data, 0, len(data), "quote")
    header = _parse_header(top)
    tee, body_type, body_size = _body_kind(header, top)
    body = top.sub(body_size, "report body")
    enclave = _parse_enclave_report(body) if tee is Tee.SGX else None
    td = _parse_td_report(body, body_type) if tee is Tee.TDX else None
    body.done()
    signed = data[: top.pos]
    sig_data = top.sub(top.u32("signature data length"), "signature data")
    signature = sig_data.take(_SIGNATURE_SIZE, "quote signature")
    attestation_key = sig_data.take(_KEY_SIZE, "attestation key")
    if header.version == 3:
        qe = sig_data
    else:
        cert_type = sig_data.u16("certification data type")
        if cert_type != CERT_TYPE_QE_REPORT:
            raise QuoteFormatError(f"certification data type {cert_type}, expected {CERT_TYPE_QE_REPORT}")
        qe = sig_data.sub(sig_data.u32("certification data size"), "QE report certification data")
    qe_report = _parse_enclave_report(qe.sub(SGX_REPORT_SIZE, "QE report"))
    qe_report_signature = qe.take(_SIGNATURE_SIZE, "QE report signature")
    qe_auth_data = qe.take(qe.u16("QE authentication data size"), "QE authentication data")
    cert_type = qe.u16("PCK certification data type")
    if cert_type != CERT_TYPE_PCK_CHAIN:
        raise QuoteFormatError(
            f"PCK certification data type {cert_type}: only type {CERT_TYPE_PCK_CHAIN} (PEM chain) "
            "can be verified offline"
        )
    pck_chain_pem = qe.take(qe.u32("PCK certification data size"), "PCK certificate chain")
    qe.done()
    sig_data.done()
    return Quote(
        raw=data,
        header=header,
        tee=tee,
        body_type=body_type,
        enclave=enclave,
        td=td,
        signed=signed,
        signature=signature,
        attestation_key=attestation_key,
        qe_report=qe_report,
        qe_report_signature=qe_report_signature,
        qe_auth_data=qe_auth_data,
        pck_chain_pem=pck_chain_pem,
    )


def _parse_header(top: _Cursor) -> QuoteHeader:
    header = QuoteHeader(
        version=top.u16("version"),
        key_type=top.u16("attestation key type"),
        tee_type=top.u32("TEE type"),
        qe_svn=top.u16("QE SVN"),
        pce_svn=top.u16("PCE SVN"),
        qe_vendor_id=top.take(16, "QE vendor id"),
        user_data=top.take(20, "user data"),
    )
    if header.version not in (3, 4, 5):
        raise QuoteFormatError(f"version {header.version} is not supported (3, 4 or 5)")
    if header.key_type != ECDSA_P256_KEY_TYPE:
        raise QuoteFormatError(f"attestation key type {header.key_type} is not ECDSA P-256 (2)")
    if header.qe_vendor_id != INTEL_QE_VENDOR_ID:
        raise QuoteFormatError(f"QE vendor id {header.qe_vendor_id.hex()} is not Intel's")
    return header


def _body_kind(header: QuoteHeader, top: _Cursor) -> tuple[Tee, int, int]:
    """(TEE, body type, body size): SGX only as v3 and TDX only as v4/v5, as Intel issues them."""
    if header.version == 3:
        if header.tee_type != _SGX_TEE_TYPE:
            raise QuoteFormatError(f"a version 3 quote must be SGX, TEE type is {header.tee_type:#x}")
        return Tee.SGX, 1, SGX_REPORT_SIZE
    if header.tee_type != _TDX_TEE_TYPE:
        raise QuoteFormatError(
            f"a version {header.version} quote must be TDX (0x81), TEE type is {header.tee_type:#x}"
        )
    if header.version == 4:
        return Tee.TDX, 2, TD10_REPORT_SIZE
    body_type = top.u16("body type")
    body_size = top.u32("body size")
    expected = _V5_BODY_SIZES.get(body_type)
    if expected is None:
        raise QuoteFormatError(f"version 5 body type {body_type} is not a TD report (2, 3 or 4)")
    if body_size != expected:
        raise QuoteFormatError(f"body type {body_type} must be {expected} bytes, header says {body_size}")
    return Tee.TDX, body_type, body_size


def _parse_enclave_report(body: _Cursor) -> EnclaveReport:
    start = body.pos
    cpu_svn = body.take(16, "CPUSVN")
    misc_select = body.u32("MISCSELECT")
    body.take(12 + 16, "reserved and ISVEXTPRODID")
    attributes = body.take(16, "ATTRIBUTES")
    mr_enclave = body.take(32, "MRENCLAVE")
    body.take(32, "reserved")
    mr_signer = body.take(32, "MRSIGNER")
    body.take(32, "reserved")
    config_id = body.take(64, "CONFIGID")
    isv_prod_id = body.u16("ISVPRODID")
    isv_svn = body.u16("ISVSVN")
    config_svn = body.u16("CONFIGSVN")
    body.take(42 + 16, "reserved and ISVFAMILYID")
    report_data = body.take(64, "REPORTDATA")
    body.done()
    return EnclaveReport(
        raw=body.since(start),
        cpu_svn=cpu_svn,
        misc_select=misc_select,
        attributes=attributes,
        mr_enclave=mr_enclave,
        mr_signer=mr_signer,
        config_id=config_id,
        isv_prod_id=isv_prod_id,
        isv_svn=isv_svn,
        config_svn=config_svn,
        report_data=report_data,
    )


def _parse_td_report(body: _Cursor, body_type: int) -> TdReport:
    tee_tcb_svn = body.take(16, "TEE_TCB_SVN")
    mr_seam = body.take(48, "MRSEAM")
    mr_signer_seam = body.take(48, "MRSIGNERSEAM")
    seam_attributes = body.take(8, "SEAMATTRIBUTES")
    td_attributes: int = struct.unpack("<Q", body.take(8, "TDATTRIBUTES"))[0]
    xfam = body.take(8, "XFAM")
    mr_td = body.take(48, "MRTD")
    mr_config_id = body.take(48, "MRCONFIGID")
    mr_owner = body.take(48, "MROWNER")
    mr_owner_config = body.take(48, "MROWNERCONFIG")
    rtmr = (body.take(48, "RTMR0"), body.take(48, "RTMR1"), body.take(48, "RTMR2"), body.take(48, "RTMR3"))
    report_data = body.take(64, "REPORTDATA")
    tee_tcb_svn2 = mr_service_td = None
    if body_type >= 3:
        tee_tcb_svn2 = body.take(16, "TEE_TCB_SVN2")
        mr_service_td = body.take(48, "MRSERVICETD")
    if body_type == 4:
        body.take(TD15_EX_REPORT_SIZE - TD15_REPORT_SIZE, "TD 1.5 extension")
    return TdReport(
        tee_tcb_svn=tee_tcb_svn,
        mr_seam=mr_seam,
        mr_signer_seam=mr_signer_seam,
        seam_attributes=seam_attributes,
        td_attributes=td_attributes,
        xfam=xfam,
        mr_td=mr_td,
        mr_config_id=mr_config_id,
        mr_owner=mr_owner,
        mr_owner_config=mr_owner_config,
        rtmr=rtmr,
        report_data=report_data,
        tee_tcb_svn2=tee_tcb_svn2,
        mr_service_td=mr_service_td,
    )
