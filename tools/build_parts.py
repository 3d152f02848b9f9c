"""Assemble the local sandbox's npm parts into one folder (``.parts/`` by default).

The sandbox needs three things that come from npm: the anvil binary (``@foundry-rs/anvil``), iExec's real
PoCo 6.1.0 artifacts, and our DataProtector contract compiled by solc. They are gathered here, at set-up
time, so that starting the sandbox never touches the network and an installer can bundle the folder as is.

``npm install @iexec/poco`` fails offline (a dependency is fetched from GitHub), so the package is taken
with ``npm pack`` and only the artifacts the deployment needs are extracted (shared/spec/local-poco.md §6).

Run from the repository root after ``npm ci``:  ``python tools/build_parts.py [--out DIR]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from desktop_app.sandbox.chain.deploy import DIAMOND_FACETS, POCO_FACETS

POCO_VERSION = "6.1.0"
ROOT = Path(__file__).resolve().parent.parent

REGISTRIES = {
    "AppRegistry": "registries/apps/AppRegistry.sol",
    "DatasetRegistry": "registries/datasets/DatasetRegistry.sol",
    "WorkerpoolRegistry": "registries/workerpools/WorkerpoolRegistry.sol",
}
ABI_ONLY = {
    "IexecInterfaceNative": "IexecInterfaceNative.sol",
    "App": "registries/apps/App.sol",
    "Dataset": "registries/datasets/Dataset.sol",
    "Workerpool": "registries/workerpools/Workerpool.sol",
}


def _anvil_package() -> tuple[str, str]:
    """The npm optional dependency that carries anvil for this platform, and the binary's file name."""
    system = {"Linux": "linux", "Darwin": "darwin", "Windows": "win32"}[platform.system()]
    machine = platform.machine().lower()
    arch = "arm64" if machine in ("arm64", "aarch64") else "amd64"
    exe = "anvil.exe" if system == "win32" else "anvil"
    return f"@foundry-rs/anvil-{system}-{arch}", exe


def _slim(artifact: dict[str, object], with_code: bool) -> dict[str, object]:
    keep = ["contractName", "abi"] + (["bytecode", "linkReferences"] if with_code else [])
    return {k: artifact[k] for k in keep if k in artifact}


def extract_poco(out: Path, cache: Path) -> None:
    """``npm pack`` PoCo and keep the minimal artifact set, reduced to abi, bytecode and link references."""
    cache.mkdir(parents=True, exist_ok=True)
    tgz = cache / f"iexec-poco-{POCO_VERSION}.tgz"
    if not tgz.exists():
        subprocess.run(
            [
                "npm",
                "pack",
                "--loglevel=error",
                f"@iexec/poco@{POCO_VERSION}",
                "--pack-destination",
                str(cache),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    wanted: dict[str, tuple[str, bool]] = {}
    for facet in POCO_FACETS:
        wanted[f"package/artifacts/contracts/facets/{facet}.sol/{facet}.json"] = (facet, True)
    for name in [*DIAMOND_FACETS, "DiamondInit"]:
        wanted[f"package/deployments/arbitrum/{name}.json"] = (name, True)
    wanted["package/artifacts/contracts/Diamond.sol/Diamond.json"] = ("Diamond", True)
    wanted["package/artifacts/contracts/libs/IexecLibOrders_v5.sol/IexecLibOrders_v5.json"] = (
        "IexecLibOrders_v5",
        True,
    )
    for name, src in REGISTRIES.items():
        wanted[f"package/artifacts/contracts/{src}/{name}.json"] = (name, True)
    for name, src in ABI_ONLY.items():
        wanted[f"package/artifacts/contracts/{src}/{name}.json"] = (name, False)

    dest = out / "poco"
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tgz) as tar:
        for member in tar.getmembers():
            if member.name not in wanted:
                continue
            name, with_code = wanted.pop(member.name)
            handle = tar.extractfile(member)
            assert handle is not None
            artifact = json.load(handle)
            artifact.setdefault("contractName", name)
            (dest / f"{name}.json").write_text(json.dumps(_slim(artifact, with_code)))
    if wanted:
        raise SystemExit(f"@iexec/poco@{POCO_VERSION} lacks expected artifacts: {sorted(wanted)}")


def compile_dataprotector(out: Path) -> None:
    """Compile our DataProtector contract with solcjs (npm ``solc``) through its standard-JSON interface."""
    source = ROOT / "desktop_app" / "sandbox" / "contracts" / "DataProtector.sol"
    request = {
        "language": "Solidity",
        "sources": {"DataProtector.sol": {"content": source.read_text()}},
        "settings": {
            "optimizer": {"enabled": True, "runs": 200},
            "evmVersion": "paris",
            "outputSelection": {"*": {"DataProtector": ["abi", "evm.bytecode.object"]}},
        },
    }
    solcjs = ROOT / "node_modules" / "solc" / "solc.js"
    result = subprocess.run(
        ["node", str(solcjs), "--standard-json"],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=True,
    )
    # solcjs may print warnings before the JSON document.
    output = json.loads(result.stdout[result.stdout.index("{") :])
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise SystemExit("solc failed:\n" + "\n".join(e["formattedMessage"] for e in errors))
    contract = output["contracts"]["DataProtector.sol"]["DataProtector"]
    solc_version = json.loads((ROOT / "node_modules" / "solc" / "package.json").read_text())["version"]
    artifact = {
        "contractName": "DataProtector",
        "abi": contract["abi"],
        "bytecode": "0x" + contract["evm"]["bytecode"]["object"],
        "compiler": f"solc {solc_version}",
        "sourceSha256": hashlib.sha256(source.read_bytes()).hexdigest(),
    }
    (out / "DataProtector.json").write_text(json.dumps(artifact))


def copy_anvil(out: Path) -> str:
    package, exe = _anvil_package()
    src = ROOT / "node_modules" / package / "bin" / exe
    if not src.exists():
        raise SystemExit(f"{src} is missing: run `npm ci` first (it installs {package}).")
    (out / "bin").mkdir(parents=True, exist_ok=True)
    dst = out / "bin" / exe
    shutil.copy2(src, dst)
    dst.chmod(0o755)
    version = json.loads((ROOT / "node_modules" / package / "package.json").read_text())["version"]
    return str(version)


CLIENT_ABI_DIR = ROOT / "resources" / "abi"


def client_abi_files(tgz: Path, dataprotector_artifact: Path) -> dict[str, str]:
    """The ABI files the app's own clients load from ``resources/abi/``, as file name -> JSON text.

    The clients must work on public networks, where the sandbox's parts are not installed, so these ABIs
    are committed; this function is what they are regenerated from, and a unit test compares them with it.
    """
    sources = {**ABI_ONLY, **REGISTRIES}
    wanted = {f"package/artifacts/contracts/{src}/{name}.json": name for name, src in sources.items()}
    abis: dict[str, object] = {}
    with tarfile.open(tgz) as tar:
        for member in tar.getmembers():
            if member.name in wanted:
                handle = tar.extractfile(member)
                assert handle is not None
                abis[wanted[member.name]] = json.load(handle)["abi"]
    missing = sorted(set(wanted.values()) - set(abis))
    if missing:
        raise SystemExit(f"{tgz.name} lacks expected artifacts: {missing}")
    abis["DataProtector"] = json.loads(dataprotector_artifact.read_text())["abi"]
    return {
        f"{name}.json": json.dumps({"contractName": name, "abi": abi}, indent=1) + "\n"
        for name, abi in sorted(abis.items())
    }


def write_client_abis(out: Path = CLIENT_ABI_DIR) -> None:
    """Regenerate ``resources/abi/`` from the cached PoCo tarball and ``.parts/DataProtector.json``."""
    tgz = ROOT / "build" / "npm-cache" / f"iexec-poco-{POCO_VERSION}.tgz"
    out.mkdir(parents=True, exist_ok=True)
    for name, text in client_abi_files(tgz, ROOT / ".parts" / "DataProtector.json").items():
        (out / name).write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / ".parts")
    parser.add_argument(
        "--write-abis", action="store_true", help="only regenerate resources/abi/ from the built parts"
    )
    args = parser.parse_args(argv)
    if args.write_abis:
        write_client_abis()
        return 0
    out: Path = args.out
    # Build into a fresh folder and swap it in, so an interrupted build never leaves a half-made .parts/.
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".parts-build-") as tmp:
        staging = Path(tmp) / "parts"
        staging.mkdir()
        extract_poco(staging, cache=ROOT / "build" / "npm-cache")
        compile_dataprotector(staging)
        anvil_version = copy_anvil(staging)
        manifest = {
            "poco": POCO_VERSION,
            "anvil": anvil_version,
            "files": {
                str(p.relative_to(staging)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(staging.rglob("*"))
                if p.is_file()
            },
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1))
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    print(f"sandbox parts ready in {out} (PoCo {POCO_VERSION}, anvil {anvil_version})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
