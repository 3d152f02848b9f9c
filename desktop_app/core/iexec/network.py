"""Network profiles: every endpoint and contract address of one iExec network, read from a JSON file.

A network is data, not code (ARCHITECTURE.md, "Networks"): ``resources/networks/<name>.json`` holds the
values of shared/spec/iexec-protocol.md §6, so adding a network is adding a file, and every client takes
a :class:`NetworkProfile` rather than URLs of its own. The JSON keys are camelCase, as in iExec's own
configs; the Python attributes are their snake_case twins (``chainId`` -> ``chain_id``).

A file is checked completely when it is loaded, so a typo is reported once, naming the file and the field,
instead of surfacing later as a strange network error. The local sandbox's file (``fromSandbox: true``)
only holds what does not change between runs (label, colour, trust anchor); its endpoints and addresses
come from the running sandbox's endpoints file, which is the only thing that knows its ports.
"""

from __future__ import annotations

import json
import re
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from desktop_app.core.eip55 import to_checksum_address
from desktop_app.core.errors import UserFacingError
from desktop_app.core.localnet.endpoints import SandboxEndpoints
from desktop_app.core.resources import resources_dir

DEFAULT_PROFILE = "local"
NETWORKS_DIR = "networks"

TrustAnchor = Literal["intel", "sandbox"]
TRUST_ANCHORS: tuple[TrustAnchor, ...] = ("intel", "sandbox")

_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


def _kind(kind: str) -> dict[str, str]:
    return {"kind": kind}


@dataclass(frozen=True)
class NetworkProfile:
    """One network. URLs never end with ``/``; addresses are EIP-55 checksummed."""

    name: str = field(metadata=_kind("name"))
    label: str = field(metadata=_kind("text"))
    color: str = field(metadata=_kind("color"))
    """The GUI header's colour, so the network in use is obvious at a glance (``#rrggbb``)."""
    chain_id: int = field(metadata=_kind("chain_id"))
    rpc: str = field(metadata=_kind("url"))
    hub: str = field(metadata=_kind("address"))
    data_protector: str = field(metadata=_kind("address"))
    app_registry: str = field(metadata=_kind("address"))
    dataset_registry: str = field(metadata=_kind("address"))
    workerpool_registry: str = field(metadata=_kind("address"))
    ipfs_api: str = field(metadata=_kind("url"))
    """Where encrypted files are uploaded (kubo RPC ``/api/v0/add``)."""
    ipfs_gateway: str = field(metadata=_kind("url"))
    sms: str = field(metadata=_kind("url"))
    market: str = field(metadata=_kind("url"))
    tee_trust_anchor: TrustAnchor = field(metadata=_kind("anchor"))
    """Which root of trust enclave quotes must chain to: Intel's, or the sandbox's simulated one."""
    read_only: bool = field(metadata=_kind("bool"))
    """True where the services needed to write (upload, SMS, market) are gone, as on bellecour."""
    native_rlc: bool = field(metadata=_kind("bool"))
    """True when the chain's native coin is RLC (deposit with ``deposit()``), else RLC is an ERC-20."""
    rlc: str | None = field(default=None, metadata=_kind("address"))
    """The RLC token; required when ``native_rlc`` is false."""
    poco_subgraph: str | None = field(default=None, metadata=_kind("url"))
    data_protector_subgraph: str | None = field(default=None, metadata=_kind("url"))
    explorer: str | None = field(default=None, metadata=_kind("url"))
    default_workerpool: str | None = field(default=None, metadata=_kind("address"))
    workerpool_api: str | None = field(default=None, metadata=_kind("url"))
    faucet: str | None = field(default=None, metadata=_kind("url"))
    from_sandbox: bool = field(default=False, metadata=_kind("bool"))


def available_profiles() -> list[str]:
    """The names of the profiles in ``resources/networks/``, sorted."""
    directory = resources_dir() / NETWORKS_DIR
    return sorted(p.stem for p in directory.glob("*.json") if _NAME.fullmatch(p.stem))


def load_profile(name: str, sandbox: SandboxEndpoints | None = None) -> NetworkProfile:
    """The profile ``name``, checked; a ``fromSandbox`` profile is completed from ``sandbox``.

    Raises :class:`UserFacingError` for an unknown name (listing the known ones), for a file with a
    missing or invalid field (naming both), and for the local profile while no sandbox runs.
    """
    known = available_profiles()
    if name not in known:
        raise UserFacingError(
            f"There is no network profile named {name!r}.",
            f"choose one of: {', '.join(known)}" if known else "reinstall the app to restore its profiles",
        )
    path = resources_dir() / NETWORKS_DIR / f"{name}.json"
    data = _read_object(path)
    if data.get("fromSandbox") is True:
        if sandbox is None:
            raise UserFacingError(
                "The local sandbox is not running, so its network cannot be used yet.",
                "start it (`dataprotector-desktop sandbox up`) or choose another network",
            )
        data = {**data, **_sandbox_values(sandbox)}
    return _parse(path, data)


def _sandbox_values(sandbox: SandboxEndpoints) -> dict[str, Any]:
    """The parts of the local profile that only the running sandbox knows (its ports, its deployment)."""
    return {
        "chainId": sandbox.chainId,
        "rpc": sandbox.rpc,
        "hub": sandbox.hub,
        "dataProtector": sandbox.dataProtector,
        "appRegistry": sandbox.appRegistry,
        "datasetRegistry": sandbox.datasetRegistry,
        "workerpoolRegistry": sandbox.workerpoolRegistry,
        "ipfsApi": sandbox.ipfsApi,
        "ipfsGateway": sandbox.ipfsGateway,
        "sms": sandbox.sms,
        "market": sandbox.market,
        "faucet": sandbox.faucet,
        "defaultWorkerpool": sandbox.workerpool,
        "workerpoolApi": sandbox.workerpoolApi,
    }


def _json_key(attribute: str) -> str:
    head, *rest = attribute.split("_")
    return head + "".join(word.capitalize() for word in rest)


class _Invalid(Exception):
    def __init__(self, key: str, problem: str) -> None:
        super().__init__(problem)
        self.key = key
        self.problem = problem


def _read_object(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise _invalid_file(path, f"is not valid JSON (line {e.lineno}: {e.msg})") from e
    except (OSError, UnicodeDecodeError) as e:
        raise _invalid_file(path, f"cannot be read ({e})") from e
    if not isinstance(data, dict):
        raise _invalid_file(path, "must hold a JSON object")
    return data


def _parse(path: Path, data: dict[str, Any]) -> NetworkProfile:
    try:
        return _build(path.stem, data)
    except _Invalid as e:
        raise _invalid_file(path, f"has an invalid field {e.key!r}: {e.problem}") from e


def _build(stem: str, data: dict[str, Any]) -> NetworkProfile:
    by_key = {_json_key(f.name): f for f in fields(NetworkProfile)}
    unknown = sorted(set(data) - set(by_key))
    if unknown:
        raise _Invalid(unknown[0], "not a profile field (a typo?)")
    values: dict[str, Any] = {}
    for key, f in by_key.items():
        value = data.get(key)
        if value is None:
            if f.default is MISSING:
                raise _Invalid(key, "missing")
            continue
        values[f.name] = _check(key, f.metadata["kind"], value)
    if values["name"] != stem:
        raise _Invalid("name", f"{values['name']!r} must be the file's name, {stem!r}")
    if not values["native_rlc"] and "rlc" not in values:
        raise _Invalid("rlc", "missing: it is required when nativeRlc is false")
    return NetworkProfile(**values)


def _check(key: str, kind: str, value: object) -> object:
    """``value`` in its canonical form, or :class:`_Invalid` saying what the field must be."""
    if kind == "bool":
        if not isinstance(value, bool):
            raise _Invalid(key, "must be true or false")
        return value
    if kind == "chain_id":
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise _Invalid(key, "must be a positive integer")
        return value
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(key, "must be a non-empty string")
    if kind == "name" and not _NAME.fullmatch(value):
        raise _Invalid(key, "must be lowercase letters, digits and dashes")
    if kind == "color" and not _COLOR.fullmatch(value):
        raise _Invalid(key, "must be a colour written #rrggbb")
    if kind == "anchor" and value not in TRUST_ANCHORS:
        raise _Invalid(key, f"must be one of {', '.join(TRUST_ANCHORS)}")
    if kind == "url":
        if not value.startswith(("http://", "https://")):
            raise _Invalid(key, "must be an http:// or https:// URL")
        return value.rstrip("/")
    if kind == "address":
        return _address(key, value)
    return value


def _address(key: str, value: str) -> str:
    if not _ADDRESS.fullmatch(value):
        raise _Invalid(key, "must be 0x followed by 40 hex digits")
    if value != value.lower() and value != to_checksum_address(value):
        raise _Invalid(key, "has mixed case but a wrong EIP-55 checksum (a mistyped address?)")
    return str(to_checksum_address(value))


def _invalid_file(path: Path, problem: str) -> UserFacingError:
    return UserFacingError(
        f"The network profile {path.name} {problem}.",
        f"fix {path} (the other files in that folder show the format) or remove it",
    )
