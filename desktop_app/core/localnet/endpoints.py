"""The endpoints file: the one contract between the sandbox process and every client of it.

``sandbox up --json`` prints it and the sandbox writes it to ``endpoints.json`` in its data directory.
Keys are camelCase because the file is JSON read by scripts too, in the style of iExec's own configs.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ENDPOINTS_FILE = "endpoints.json"


@dataclass(frozen=True)
class DevAccount:
    """A funded account of the local chain. Its key is anvil's public test key: loopback use only."""

    address: str
    privateKey: str


@dataclass(frozen=True)
class SandboxEndpoints:
    rpc: str
    chainId: int
    hub: str
    dataProtector: str
    appRegistry: str
    datasetRegistry: str
    workerpoolRegistry: str
    ipfsApi: str
    ipfsGateway: str
    sms: str
    market: str
    faucet: str
    workerpool: str  # the sandbox pool's address
    workerpoolApi: str  # its scheduler's API: task states, the simulated TEE root
    pid: int
    devAccounts: list[DevAccount] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SandboxEndpoints:
        accounts = [DevAccount(**a) for a in data.get("devAccounts", [])]
        return cls(**{**data, "devAccounts": accounts})

    @classmethod
    def read(cls, data_dir: Path) -> SandboxEndpoints:
        return cls.from_dict(json.loads((data_dir / ENDPOINTS_FILE).read_text()))

    def write(self, data_dir: Path) -> None:
        """Write atomically, so a reader never sees half a file."""
        tmp = data_dir / (ENDPOINTS_FILE + ".tmp")
        tmp.write_text(self.to_json())
        tmp.replace(data_dir / ENDPOINTS_FILE)
