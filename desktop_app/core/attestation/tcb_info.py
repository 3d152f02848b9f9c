"""Typed views of Intel's signed JSON documents: TCB info (v3, "SGX" or "TDX") and enclave identity (v2).

They are parsed from the *signed bytes* exactly as served (see :mod:`collateral`), with every field
type- and size-checked up front, so the verifier works on plain values and a surprise in the JSON is a
:class:`CollateralFormatError`, not a ``KeyError`` halfway through a verification. Only TCB info
version 3 is read (the format Intel's PCS v4 API serves for both TEEs); version 2 is refused by name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from desktop_app.core.attestation.errors import CollateralFormatError


class TcbStatus(StrEnum):
    UP_TO_DATE = "UpToDate"
    SW_HARDENING_NEEDED = "SWHardeningNeeded"
    CONFIGURATION_NEEDED = "ConfigurationNeeded"
    CONFIGURATION_AND_SW_HARDENING_NEEDED = "ConfigurationAndSWHardeningNeeded"
    OUT_OF_DATE = "OutOfDate"
    OUT_OF_DATE_CONFIGURATION_NEEDED = "OutOfDateConfigurationNeeded"
    REVOKED = "Revoked"


@dataclass(frozen=True)
class TcbLevel:
    """One platform TCB level: the minimum SVNs for ``status``. ``tdx_svns`` only in TDX TCB info."""

    sgx_svns: tuple[int, ...]
    pce_svn: int
    tdx_svns: tuple[int, ...] | None
    tcb_date: datetime
    status: TcbStatus
    advisory_ids: tuple[str, ...]


@dataclass(frozen=True)
class IdentityLevel:
    """A TCB level of an enclave identity (QE, TD_QE) or a TDX module identity, keyed by ISVSVN."""

    isv_svn: int
    tcb_date: datetime
    status: TcbStatus
    advisory_ids: tuple[str, ...]


@dataclass(frozen=True)
class TdxModuleIdentity:
    id: str
    mr_signer: bytes
    attributes: bytes
    attributes_mask: bytes
    levels: tuple[IdentityLevel, ...]


@dataclass(frozen=True)
class TcbInfo:
    id: str
    version: int
    issue_date: datetime
    next_update: datetime
    fmspc: bytes
    pce_id: bytes
    tcb_type: int
    tcb_evaluation_data_number: int
    tdx_module: TdxModuleIdentity | None
    tdx_module_identities: tuple[TdxModuleIdentity, ...]
    levels: tuple[TcbLevel, ...]


@dataclass(frozen=True)
class EnclaveIdentity:
    id: str
    version: int
    issue_date: datetime
    next_update: datetime
    tcb_evaluation_data_number: int
    misc_select: bytes
    misc_select_mask: bytes
    attributes: bytes
    attributes_mask: bytes
    mr_signer: bytes
    isv_prod_id: int
    levels: tuple[IdentityLevel, ...]


def parse_tcb_info(signed: bytes) -> TcbInfo:
    """Read the signed ``tcbInfo`` object; a TDX one must carry ``tdxtcbcomponents`` and a ``tdxModule``."""
    doc = _Obj(load_json_object(signed, "tcbInfo"), "tcbInfo")
    version = doc.number("version")
    if version != 3:
        raise CollateralFormatError(f"TCB info version {version} is not supported (3)")
    tee = doc.text("id")
    if tee not in ("SGX", "TDX"):
        raise CollateralFormatError(f'TCB info id "{tee}" is neither "SGX" nor "TDX"')
    tdx = tee == "TDX"
    levels = tuple(_tcb_level(level, tdx) for level in doc.objects("tcbLevels"))
    if not levels:
        raise CollateralFormatError("tcbInfo.tcbLevels is empty")
    return TcbInfo(
        id=tee,
        version=version,
        issue_date=doc.date("issueDate"),
        next_update=doc.date("nextUpdate"),
        fmspc=doc.hexbytes("fmspc", 6),
        pce_id=doc.hexbytes("pceId", 2),
        tcb_type=doc.number("tcbType"),
        tcb_evaluation_data_number=doc.number("tcbEvaluationDataNumber"),
        tdx_module=_module(doc.obj("tdxModule"), levels=False) if tdx else None,
        tdx_module_identities=(
            tuple(_module(m, levels=True) for m in doc.objects("tdxModuleIdentities", optional=True))
            if tdx
            else ()
        ),
        levels=levels,
    )


def parse_enclave_identity(signed: bytes) -> EnclaveIdentity:
    """Read the signed ``enclaveIdentity`` object (version 2)."""
    doc = _Obj(load_json_object(signed, "enclaveIdentity"), "enclaveIdentity")
    version = doc.number("version")
    if version != 2:
        raise CollateralFormatError(f"enclave identity version {version} is not supported (2)")
    levels = tuple(_identity_level(level) for level in doc.objects("tcbLevels"))
    if not levels:
        raise CollateralFormatError("enclaveIdentity.tcbLevels is empty")
    return EnclaveIdentity(
        id=doc.text("id"),
        version=version,
        issue_date=doc.date("issueDate"),
        next_update=doc.date("nextUpdate"),
        tcb_evaluation_data_number=doc.number("tcbEvaluationDataNumber"),
        misc_select=doc.hexbytes("miscselect", 4),  # bytes in report order, like the QE report's field
        misc_select_mask=doc.hexbytes("miscselectMask", 4),
        attributes=doc.hexbytes("attributes", 16),
        attributes_mask=doc.hexbytes("attributesMask", 16),
        mr_signer=doc.hexbytes("mrsigner", 32),
        isv_prod_id=doc.number("isvprodid"),
        levels=levels,
    )


def load_json_object(raw: bytes, what: str) -> dict[str, Any]:
    """Strict JSON: UTF-8, one object, no duplicate keys (which could let two readers disagree), no NaN."""
    try:
        value = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise CollateralFormatError(f"{what} is not valid JSON ({e})") from e
    if not isinstance(value, dict):
        raise CollateralFormatError(f"{what} is not a JSON object")
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key")
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _tcb_level(level: _Obj, tdx: bool) -> TcbLevel:
    tcb = level.obj("tcb")
    return TcbLevel(
        sgx_svns=_svns(tcb, "sgxtcbcomponents"),
        pce_svn=tcb.number("pcesvn"),
        tdx_svns=_svns(tcb, "tdxtcbcomponents") if tdx else None,
        tcb_date=level.date("tcbDate"),
        status=level.status(),
        advisory_ids=level.strings("advisoryIDs"),
    )


def _svns(tcb: _Obj, key: str) -> tuple[int, ...]:
    components = tcb.objects(key)
    if len(components) != 16:
        raise CollateralFormatError(f"{tcb.path}.{key} has {len(components)} components, expected 16")
    return tuple(component.number("svn") for component in components)


def _identity_level(level: _Obj) -> IdentityLevel:
    return IdentityLevel(
        isv_svn=level.obj("tcb").number("isvsvn"),
        tcb_date=level.date("tcbDate"),
        status=level.status(),
        advisory_ids=level.strings("advisoryIDs"),
    )


def _module(module: _Obj, *, levels: bool) -> TdxModuleIdentity:
    return TdxModuleIdentity(
        id=module.text("id") if levels else "",
        mr_signer=module.hexbytes("mrsigner", 48),
        attributes=module.hexbytes("attributes", 8),
        attributes_mask=module.hexbytes("attributesMask", 8),
        levels=tuple(_identity_level(level) for level in module.objects("tcbLevels")) if levels else (),
    )


class _Obj:
    """A JSON object with typed getters that name the failing path in their error."""

    def __init__(self, value: dict[str, Any], path: str) -> None:
        self._value = value
        self.path = path

    def _get(self, key: str, kind: type | tuple[type, ...], kind_name: str) -> Any:
        if key not in self._value:
            raise CollateralFormatError(f"{self.path}.{key} is missing")
        value = self._value[key]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise CollateralFormatError(f"{self.path}.{key} is not {kind_name}")
        return value

    def text(self, key: str) -> str:
        value: str = self._get(key, str, "a string")
        return value

    def number(self, key: str) -> int:
        value: int = self._get(key, int, "an integer")
        if value < 0 or value > 0xFFFFFFFF:
            raise CollateralFormatError(f"{self.path}.{key} is out of range")
        return value

    def hexbytes(self, key: str, size: int) -> bytes:
        text = self.text(key)
        try:
            raw = bytes.fromhex(text)
        except ValueError as e:
            raise CollateralFormatError(f"{self.path}.{key} is not hex") from e
        if len(raw) != size:
            raise CollateralFormatError(f"{self.path}.{key} is {len(raw)} bytes, expected {size}")
        return raw

    def date(self, key: str) -> datetime:
        text = self.text(key)
        try:
            value = datetime.fromisoformat(text)
        except ValueError as e:
            raise CollateralFormatError(f"{self.path}.{key} is not an ISO 8601 date") from e
        if value.tzinfo is None:
            raise CollateralFormatError(f"{self.path}.{key} has no time zone")
        return value

    def obj(self, key: str) -> _Obj:
        return _Obj(self._get(key, dict, "an object"), f"{self.path}.{key}")

    def objects(self, key: str, *, optional: bool = False) -> list[_Obj]:
        if optional and key not in self._value:
            return []
        items: list[Any] = self._get(key, list, "a list")
        if not all(isinstance(item, dict) for item in items):
            raise CollateralFormatError(f"{self.path}.{key} must hold objects")
        return [_Obj(item, f"{self.path}.{key}[{i}]") for i, item in enumerate(items)]

    def strings(self, key: str) -> tuple[str, ...]:
        if key not in self._value:
            return ()
        items: list[Any] = self._get(key, list, "a list")
        if not all(isinstance(item, str) for item in items):
            raise CollateralFormatError(f"{self.path}.{key} must hold strings")
        return tuple(items)

    def status(self) -> TcbStatus:
        text = self.text("tcbStatus")
        try:
            return TcbStatus(text)
        except ValueError as e:
            raise CollateralFormatError(f'{self.path}.tcbStatus "{text}" is unknown') from e
