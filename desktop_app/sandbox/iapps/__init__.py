"""The sandbox's sample iApps: small, privacy-minded programs the local workerpool runs.

Each app is a folder with ``manifest.json`` (name, description, version, entrypoint) and its code. Its
identity on chain is the **bundle checksum**, a SHA-256 over the folder's files, so the simulated
enclave can put the same value in the quote's MRTD and a verifier can compare the two.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
EXTRA_ENV = "DATAPROTECTOR_SANDBOX_IAPPS"
FRAMEWORK = "TDX"
# The simulated enclave's heap; only recorded in the app's on-chain enclave description.
HEAP_SIZE = 1 << 30


@dataclass(frozen=True)
class SampleApp:
    folder: Path
    name: str
    description: str
    version: str
    entrypoint: str

    @property
    def slug(self) -> str:
        return self.folder.name

    def files(self) -> list[Path]:
        return sorted(p for p in self.folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)

    def checksum(self) -> bytes:
        """SHA-256 over each file's relative path and SHA-256, in path order: stable across machines."""
        digest = hashlib.sha256()
        for path in self.files():
            digest.update(path.relative_to(self.folder).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        return digest.digest()

    def multiaddr(self) -> bytes:
        """What ``createApp`` stores as the image: a reference that names the bundle and its version."""
        return f"sandbox://iapps/{self.slug}:{self.version}".encode()

    def mrenclave(self) -> bytes:
        """The enclave description in iExec's JSON form, its fingerprint being the bundle checksum."""
        return json.dumps(
            {
                "framework": FRAMEWORK,
                "version": self.version,
                "entrypoint": f"python3 {self.entrypoint}",
                "heapSize": HEAP_SIZE,
                "fingerprint": self.checksum().hex(),
            },
            separators=(",", ":"),
        ).encode()


def sample_apps() -> list[SampleApp]:
    """The bundled apps, plus those in the folders named by ``DATAPROTECTOR_SANDBOX_IAPPS``.

    The variable (folders separated like PATH) lets an iApp developer, or a test, run their own app
    folders on the local pool.
    """
    roots = [ROOT] + [Path(p) for p in os.environ.get(EXTRA_ENV, "").split(os.pathsep) if p]
    apps = []
    for manifest in sorted(m for root in roots for m in root.glob("*/manifest.json")):
        data = json.loads(manifest.read_text())
        apps.append(
            SampleApp(manifest.parent, data["name"], data["description"], data["version"], data["entrypoint"])
        )
    return apps
