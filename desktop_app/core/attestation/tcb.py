"""TCB level selection and status convergence with Intel QVL's semantics (spec §3 steps 9–12).

Pure functions over parsed values, so the rules that decide "UpToDate" versus "OutOfDate" can be read
and tested apart from signatures and certificates.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

from desktop_app.core.attestation.pck import PckExtension
from desktop_app.core.attestation.quote import EnclaveReport, TdReport
from desktop_app.core.attestation.tcb_info import (
    EnclaveIdentity,
    IdentityLevel,
    TcbInfo,
    TcbLevel,
    TcbStatus,
    TdxModuleIdentity,
)

_CONFIGURATION = (TcbStatus.CONFIGURATION_NEEDED, TcbStatus.CONFIGURATION_AND_SW_HARDENING_NEEDED)
_OUT_OF_DATE = (TcbStatus.OUT_OF_DATE, TcbStatus.OUT_OF_DATE_CONFIGURATION_NEEDED)


def platform_level(tcb: TcbInfo, pck: PckExtension, tee_tcb_svn: bytes | None) -> TcbLevel | None:
    """The first level (Intel lists them best first) that the platform's SVNs all reach, if any.

    For TDX the TEE_TCB_SVN bytes are compared too, from index 2 when TEE_TCB_SVN[1] (the module's major
    version) is set: the module SVN itself is then judged against ``tdxModuleIdentities`` instead.
    """
    for level in tcb.levels:
        if not all(have >= need for have, need in zip(pck.component_svns, level.sgx_svns, strict=True)):
            continue
        if pck.pce_svn < level.pce_svn:
            continue
        if tee_tcb_svn is not None:
            if level.tdx_svns is None:
                continue
            start = 2 if tee_tcb_svn[1] > 0 else 0
            if not all(tee_tcb_svn[i] >= level.tdx_svns[i] for i in range(start, 16)):
                continue
        return level
    return None


def tdx_module(tcb: TcbInfo, td: TdReport) -> tuple[TdxModuleIdentity, IdentityLevel | None] | str:
    """(module identity, its TCB level) for the TD's SEAM module, or the reason it is not recognised.

    Module version 0 (TEE_TCB_SVN[1] == 0) is described by ``tdxModule`` alone and has no level of its
    own; later versions by the ``tdxModuleIdentities`` entry ``TDX_%02X``.
    """
    version, svn = td.tee_tcb_svn[1], td.tee_tcb_svn[0]
    if version == 0:
        if tcb.tdx_module is None:
            return "the TCB info has no tdxModule"
        identity, level = tcb.tdx_module, None
    else:
        wanted = f"TDX_{version:02X}"
        found = [m for m in tcb.tdx_module_identities if m.id == wanted]
        if not found:
            return f"the TCB info has no module identity {wanted}"
        identity = found[0]
        level = next((lvl for lvl in identity.levels if lvl.isv_svn <= svn), None)
        if level is None:
            return f"no TCB level of {wanted} covers module SVN {svn}"
    if td.mr_signer_seam != identity.mr_signer:
        return f"MRSIGNERSEAM {td.mr_signer_seam.hex()} is not the module signer {identity.mr_signer.hex()}"
    if masked(td.seam_attributes, identity.attributes_mask) != masked(
        identity.attributes, identity.attributes_mask
    ):
        return f"SEAMATTRIBUTES {td.seam_attributes.hex()} do not match the module identity"
    return identity, level


def qe_identity_mismatch(identity: EnclaveIdentity, qe: EnclaveReport, expected_id: str) -> str | None:
    """Why the quoting enclave is not the one ``identity`` describes, if it is not.

    MISCSELECT and ATTRIBUTES are compared under the identity's masks, on both sides (bits outside a mask
    are "don't care" in Intel's documents); MISCSELECT as bytes in report order, as dcap-qvl reads it.
    """
    if identity.id != expected_id:
        return f'the QE identity is "{identity.id}", the quote needs "{expected_id}"'
    if qe.mr_signer != identity.mr_signer:
        return f"QE MRSIGNER {qe.mr_signer.hex()} is not the identity's {identity.mr_signer.hex()}"
    if qe.isv_prod_id != identity.isv_prod_id:
        return f"QE ISVPRODID {qe.isv_prod_id} is not the identity's {identity.isv_prod_id}"
    misc_select = struct.pack("<I", qe.misc_select)
    if masked(misc_select, identity.misc_select_mask) != masked(
        identity.misc_select, identity.misc_select_mask
    ):
        return f"QE MISCSELECT {misc_select.hex()} does not match the identity under its mask"
    if masked(qe.attributes, identity.attributes_mask) != masked(
        identity.attributes, identity.attributes_mask
    ):
        return f"QE ATTRIBUTES {qe.attributes.hex()} do not match the identity under its mask"
    return None


def qe_level(identity: EnclaveIdentity, isv_svn: int) -> IdentityLevel | None:
    """The first QE identity level whose ISVSVN the quoting enclave reaches."""
    return next((level for level in identity.levels if level.isv_svn <= isv_svn), None)


def converge(status: TcbStatus, other: TcbStatus) -> TcbStatus:
    """Fold a QE or TDX-module status into the platform status as Intel QVL does.

    An out-of-date QE or module makes an otherwise current platform OutOfDate and a platform that needs
    configuration OutOfDateConfigurationNeeded; a revoked one revokes the whole; anything else changes
    nothing. (dcap-qvl takes the "most severe" instead, which differs for the configuration cases.)
    """
    if other is TcbStatus.REVOKED:
        return TcbStatus.REVOKED
    if other in _OUT_OF_DATE:
        if status in (TcbStatus.UP_TO_DATE, TcbStatus.SW_HARDENING_NEEDED):
            return TcbStatus.OUT_OF_DATE
        if status in _CONFIGURATION:
            return TcbStatus.OUT_OF_DATE_CONFIGURATION_NEEDED
    return status


def union(*groups: Iterable[str]) -> tuple[str, ...]:
    """Advisory IDs of all groups, each once, in first-seen order."""
    return tuple(dict.fromkeys(advisory for group in groups for advisory in group))


def masked(value: bytes, mask: bytes) -> bytes:
    """``value & mask`` bytewise (attribute comparisons)."""
    return bytes(v & m for v, m in zip(value, mask, strict=True))
