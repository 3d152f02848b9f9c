"""Quotes and collateral for the sandbox's simulated enclave, byte-compatible with Intel DCAP.

The sandbox worker has no TDX hardware, yet the app must exercise its real verifier on every run. So
the worker asks this module for a TDX v4 quote laid out exactly as in spec §1 and signed through the
sandbox PKI as a real quoting enclave would sign it: the attestation key signs header ‖ body; the QE
report binds that key through REPORTDATA = SHA-256(attestation key ‖ QE auth data) ‖ 32 zero bytes; the
PCK leaf signs the QE report. The matching collateral (TCB info for the sandbox FMSPC, TD_QE identity,
CRLs) comes in dcap-qvl's ``QuoteCollateralV3`` JSON, signed by the sandbox TCB-signing key.

The caller supplies what the quote attests: the 64-byte REPORTDATA (the worker binds SHA-256(enclave
challenge address ‖ result digest) ‖ 32 zero bytes) and MRTD/RTMRs (MRTD = the app bundle's measurement).
SGX v3 and TDX v5 quotes are built too, so the verifier's other paths are tested against the same PKI.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from desktop_app.core.attestation.pck import pck_extension
from desktop_app.sandbox.enclave.pki import SandboxPki

TeeName = Literal["sgx", "tdx"]
INTEL_QE_VENDOR_ID: Final = bytes.fromhex("939A7233F79C4CA9940A0DB3957F0607")
SANDBOX_QE_MRSIGNER: Final = hashlib.sha256(b"DataProtector sandbox quoting enclave (simulated)").digest()
SANDBOX_QE_ISVSVN: Final = 4
SANDBOX_QE_ATTRIBUTES: Final = bytes.fromhex("11000000000000000000000000000000")
SANDBOX_QE_ATTRIBUTES_MASK: Final = bytes.fromhex("FBFFFFFFFFFFFFFF0000000000000000")
QE_AUTH_DATA: Final = bytes(range(32))
TD_SEPT_VE_DISABLE: Final = 1 << 28
SANDBOX_MODULE_MRSIGNER: Final = bytes(48)
# TEE_TCB_SVN: TDX module SVN 3, module major version 1, then SEAM components (microcode 2).
SANDBOX_TEE_TCB_SVN: Final = bytes([3, 1, 2]) + bytes(13)
COLLATERAL_VALIDITY: Final = timedelta(days=30)

_QE_PROD_ID: Final[dict[TeeName, int]] = {"sgx": 1, "tdx": 2}
_ZERO48: Final = bytes(48)


def build_tdx_quote(
    pki: SandboxPki,
    *,
    report_data: bytes,
    mr_td: bytes,
    rtmrs: Sequence[bytes] = (_ZERO48, _ZERO48, _ZERO48, _ZERO48),
    mr_config_id: bytes = _ZERO48,
    td_attributes: int = TD_SEPT_VE_DISABLE,
    tee_tcb_svn: bytes = SANDBOX_TEE_TCB_SVN,
    version: int = 4,
    mr_service_td: bytes = _ZERO48,
) -> bytes:
    """A TDX quote (v4, TD report 1.0; or v5 with a TD 1.5 body carrying ``mr_service_td``)."""
    _need(report_data, 64, "REPORTDATA")
    _need(mr_td, 48, "MRTD")
    _need(mr_config_id, 48, "MRCONFIGID")
    _need(tee_tcb_svn, 16, "TEE_TCB_SVN")
    if len(rtmrs) != 4:
        raise ValueError("a TD has four RTMRs")
    for i, rtmr in enumerate(rtmrs):
        _need(rtmr, 48, f"RTMR{i}")
    if version not in (4, 5):
        raise ValueError("TDX quotes are version 4 or 5")
    body = b"".join(
        [
            tee_tcb_svn,
            hashlib.sha384(b"sandbox TDX module").digest(),  # MRSEAM
            SANDBOX_MODULE_MRSIGNER,  # MRSIGNERSEAM
            bytes(8),  # SEAMATTRIBUTES
            struct.pack("<Q", td_attributes),
            struct.pack("<Q", 0x61E7),  # XFAM: x87, SSE, AVX, AVX-512, PK
            mr_td,
            mr_config_id,
            _ZERO48,  # MROWNER
            _ZERO48,  # MROWNERCONFIG
            *rtmrs,
            report_data,
        ]
    )
    if version == 5:
        _need(mr_service_td, 48, "MRSERVICETD")
        body += tee_tcb_svn + mr_service_td  # TEE_TCB_SVN2, MRSERVICETD (TD report 1.5)
        body = struct.pack("<HI", 3, len(body)) + body
    header = _header(version, 0x81, pce_svn=0)
    return _sign_quote(pki, header + body, tee="tdx", nested=True)


def build_sgx_quote(
    pki: SandboxPki,
    *,
    report_data: bytes,
    mr_enclave: bytes,
    mr_signer: bytes,
    isv_prod_id: int = 0,
    isv_svn: int = 0,
    debug: bool = False,
) -> bytes:
    """An SGX DCAP v3 quote of an application enclave with these identities."""
    _need(report_data, 64, "REPORTDATA")
    _need(mr_enclave, 32, "MRENCLAVE")
    _need(mr_signer, 32, "MRSIGNER")
    attributes = bytes([0x05 | (0x02 if debug else 0)]) + bytes(7) + struct.pack("<Q", 0xE7)
    body = _sgx_report(
        attributes=attributes,
        mr_enclave=mr_enclave,
        mr_signer=mr_signer,
        isv_prod_id=isv_prod_id,
        isv_svn=isv_svn,
        report_data=report_data,
    )
    header = _header(3, 0, pce_svn=pck_extension(pki.pck.certificate).pce_svn)
    return _sign_quote(pki, header + body, tee="sgx", nested=False)


def build_collateral(
    pki: SandboxPki,
    *,
    tee: TeeName,
    now: datetime,
    validity: timedelta = COLLATERAL_VALIDITY,
    revoked_pck_serials: tuple[int, ...] = (),
) -> str:
    """Collateral for ``tee`` ("tdx" or "sgx") issued at ``now``, in ``QuoteCollateralV3`` JSON."""
    return bundle(
        pki,
        tcb_info=tcb_info_document(pki, tee=tee, issued=now, next_update=now + validity),
        qe_identity=qe_identity_document(tee=tee, issued=now, next_update=now + validity),
        root_crl=pki.crl(pki.root, this_update=now, next_update=now + validity),
        pck_crl=pki.crl(pki.pck_ca, this_update=now, next_update=now + validity, revoked=revoked_pck_serials),
    )


def bundle(
    pki: SandboxPki,
    *,
    tcb_info: dict[str, Any] | str,
    qe_identity: dict[str, Any] | str,
    root_crl: bytes,
    pck_crl: bytes,
) -> str:
    """Sign the two documents (dicts are serialized compactly first) and package everything as
    ``QuoteCollateralV3`` JSON. Tests use it to build deliberately wrong but validly signed collateral."""
    tcb_text = tcb_info if isinstance(tcb_info, str) else _compact(tcb_info)
    qe_text = qe_identity if isinstance(qe_identity, str) else _compact(qe_identity)
    chain = (
        pki.tcb_signing.certificate.public_bytes(Encoding.PEM)
        + pki.root.certificate.public_bytes(Encoding.PEM)
    ).decode()
    pck_chain = (
        pki.pck_ca.certificate.public_bytes(Encoding.PEM) + pki.root.certificate.public_bytes(Encoding.PEM)
    ).decode()
    return json.dumps(
        {
            "pck_crl_issuer_chain": pck_chain,
            "root_ca_crl": root_crl.hex(),
            "pck_crl": pck_crl.hex(),
            "tcb_info_issuer_chain": chain,
            "tcb_info": tcb_text,
            "tcb_info_signature": sign_raw(pki.tcb_signing.key, tcb_text.encode()).hex(),
            "qe_identity_issuer_chain": chain,
            "qe_identity": qe_text,
            "qe_identity_signature": sign_raw(pki.tcb_signing.key, qe_text.encode()).hex(),
        }
    )


def tcb_info_document(
    pki: SandboxPki, *, tee: TeeName, issued: datetime, next_update: datetime
) -> dict[str, Any]:
    """TCB info v3 for the sandbox FMSPC: the current level UpToDate, an older one OutOfDate."""
    extension = pck_extension(pki.pck.certificate)
    current = list(extension.component_svns)
    older = [max(svn - 1, 0) for svn in current]

    def level(
        sgx: list[int], tdx: list[int], date: str, status: str, advisories: list[str]
    ) -> dict[str, Any]:
        tcb: dict[str, Any] = {"sgxtcbcomponents": [{"svn": svn} for svn in sgx], "pcesvn": extension.pce_svn}
        if tee == "tdx":
            tcb["tdxtcbcomponents"] = [{"svn": svn} for svn in tdx]
        out: dict[str, Any] = {"tcb": tcb, "tcbDate": date, "tcbStatus": status}
        if advisories:
            out["advisoryIDs"] = advisories
        return out

    tdx_current = [SANDBOX_TEE_TCB_SVN[0], 0, *SANDBOX_TEE_TCB_SVN[2:]]
    info: dict[str, Any] = {
        "id": tee.upper(),
        "version": 3,
        "issueDate": _date(issued),
        "nextUpdate": _date(next_update),
        "fmspc": extension.fmspc.hex().upper(),
        "pceId": extension.pce_id.hex().upper(),
        "tcbType": 0,
        "tcbEvaluationDataNumber": 17,
    }
    if tee == "tdx":
        module = {
            "mrsigner": SANDBOX_MODULE_MRSIGNER.hex().upper(),
            "attributes": "0000000000000000",
            "attributesMask": "FFFFFFFFFFFFFFFF",
        }
        info["tdxModule"] = module
        info["tdxModuleIdentities"] = [
            {
                "id": f"TDX_{SANDBOX_TEE_TCB_SVN[1]:02X}",
                **module,
                "tcbLevels": [
                    {
                        "tcb": {"isvsvn": SANDBOX_TEE_TCB_SVN[0]},
                        "tcbDate": "2025-01-01T00:00:00Z",
                        "tcbStatus": "UpToDate",
                    },
                    {
                        "tcb": {"isvsvn": 0},
                        "tcbDate": "2024-01-01T00:00:00Z",
                        "tcbStatus": "OutOfDate",
                        "advisoryIDs": ["SANDBOX-SA-00002"],
                    },
                ],
            }
        ]
    info["tcbLevels"] = [
        level(current, tdx_current, "2025-01-01T00:00:00Z", "UpToDate", []),
        level(older, [0] * 16, "2024-01-01T00:00:00Z", "OutOfDate", ["SANDBOX-SA-00001"]),
    ]
    return info


def qe_identity_document(*, tee: TeeName, issued: datetime, next_update: datetime) -> dict[str, Any]:
    """Enclave identity v2 of the sandbox quoting enclave ("QE" for SGX, "TD_QE" for TDX)."""
    return {
        "id": "TD_QE" if tee == "tdx" else "QE",
        "version": 2,
        "issueDate": _date(issued),
        "nextUpdate": _date(next_update),
        "tcbEvaluationDataNumber": 17,
        "miscselect": "00000000",
        "miscselectMask": "FFFFFFFF",
        "attributes": SANDBOX_QE_ATTRIBUTES.hex().upper(),
        "attributesMask": SANDBOX_QE_ATTRIBUTES_MASK.hex().upper(),
        "mrsigner": SANDBOX_QE_MRSIGNER.hex().upper(),
        "isvprodid": _QE_PROD_ID[tee],
        "tcbLevels": [
            {
                "tcb": {"isvsvn": SANDBOX_QE_ISVSVN},
                "tcbDate": "2025-01-01T00:00:00Z",
                "tcbStatus": "UpToDate",
            },
            {
                "tcb": {"isvsvn": 0},
                "tcbDate": "2024-01-01T00:00:00Z",
                "tcbStatus": "OutOfDate",
                "advisoryIDs": ["SANDBOX-SA-00003"],
            },
        ],
    }


def sign_raw(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    """ECDSA-P256-SHA256 over ``data`` as DCAP encodes it: 32-byte big-endian r ‖ s."""
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def _sign_quote(pki: SandboxPki, signed: bytes, *, tee: TeeName, nested: bool) -> bytes:
    """Append the signature data: quote signature, attestation key, QE report (+signature), auth data and
    the PCK chain; v4/v5 wrap the QE part in certification data type 6, v3 does not."""
    attestation_key = pki.attestation_key.public_key().public_bytes(
        Encoding.X962, PublicFormat.UncompressedPoint
    )[1:]
    qe_report = _sgx_report(
        attributes=SANDBOX_QE_ATTRIBUTES,
        mr_enclave=hashlib.sha256(b"sandbox QE").digest(),
        mr_signer=SANDBOX_QE_MRSIGNER,
        isv_prod_id=_QE_PROD_ID[tee],
        isv_svn=SANDBOX_QE_ISVSVN,
        report_data=hashlib.sha256(attestation_key + QE_AUTH_DATA).digest() + bytes(32),
    )
    chain = pki.pck_chain_pem()
    qe_part = b"".join(
        [
            qe_report,
            sign_raw(pki.pck.key, qe_report),
            struct.pack("<H", len(QE_AUTH_DATA)),
            QE_AUTH_DATA,
            struct.pack("<HI", 5, len(chain)),
            chain,
        ]
    )
    if nested:
        qe_part = struct.pack("<HI", 6, len(qe_part)) + qe_part
    signature_data = sign_raw(pki.attestation_key, signed) + attestation_key + qe_part
    return signed + struct.pack("<I", len(signature_data)) + signature_data


def _header(version: int, tee_type: int, *, pce_svn: int) -> bytes:
    qe_svn = SANDBOX_QE_ISVSVN if version == 3 else 0
    qe_id = hashlib.sha256(b"sandbox platform").digest()[:16]
    return (
        struct.pack("<HHIHH", version, 2, tee_type, qe_svn, pce_svn) + INTEL_QE_VENDOR_ID + qe_id + bytes(4)
    )


def _sgx_report(
    *,
    attributes: bytes,
    mr_enclave: bytes,
    mr_signer: bytes,
    isv_prod_id: int,
    isv_svn: int,
    report_data: bytes,
) -> bytes:
    return b"".join(
        [
            bytes(16),  # CPUSVN
            struct.pack("<I", 0),  # MISCSELECT
            bytes(12 + 16),  # reserved, ISVEXTPRODID
            attributes,
            mr_enclave,
            bytes(32),
            mr_signer,
            bytes(32),
            bytes(64),  # CONFIGID
            struct.pack("<HHH", isv_prod_id, isv_svn, 0),
            bytes(42 + 16),  # reserved, ISVFAMILYID
            report_data,
        ]
    )


def _need(value: bytes, size: int, name: str) -> None:
    if len(value) != size:
        raise ValueError(f"{name} must be {size} bytes, got {len(value)}")


def _date(moment: datetime) -> str:
    return f"{moment:%Y-%m-%dT%H:%M:%SZ}"


def _compact(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"))
