"""The Linux installers, end to end: build the bundle, the .deb and the tar.gz, install the .deb into a
clean minimal Debian root (debootstrap --variant=minbase) and run the installed app's --self-test there.

``installers/linux/build.sh`` and ``installers/linux/smoke-chroot.sh`` do the work (the release workflow
runs the same two scripts); this test checks what they made. The figures (sizes, build time, cold start)
are written to ``build/installers/figures.json``. Needs root (chroot, mount /proc) and Debian's mirror.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest

from tests.installers.conftest import INSTALLERS, ROOT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.usefixtures("build_tools"),
    pytest.mark.skipif(os.geteuid() != 0, reason="chroot and mount need root (CI runs as root)"),
]
BUILD = ROOT / "build"
NAME = "dataprotector-desktop"


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    subprocess.run(
        [str(INSTALLERS / "linux" / "build.sh")],
        check=True,
        timeout=1500,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHON": sys.executable, "BUILD_DIR": str(BUILD)},
    )
    figures: dict[str, Any] = json.loads((BUILD / "installers" / "build-linux.json").read_text())
    return figures


@pytest.fixture(scope="module")
def installed(built: dict[str, Any]) -> dict[str, Any]:
    out = BUILD / "installers" / "smoke-bookworm.json"
    out.unlink(missing_ok=True)
    done = subprocess.run(
        [str(INSTALLERS / "linux" / "smoke-chroot.sh"), built["deb"], str(out)],
        capture_output=True,
        text=True,
        timeout=1200,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert out.exists(), done.stderr
    summary: dict[str, Any] = json.loads(out.read_text())
    assert done.returncode == 0, f"{summary}\n{done.stderr}"
    return summary


@pytest.mark.timeout(2400)
def test_the_bundle_carries_the_sandbox_and_leaves_out_unused_qt(built: dict[str, Any]) -> None:
    internal = Path(built["bundle"]) / "_internal"
    for needed in (
        "parts/manifest.json",
        "parts/bin/anvil",
        "parts/DataProtector.json",
        "resources/networks/local.json",
        "resources/abi/IexecInterfaceNative.json",
        "desktop_app/sandbox/iapps/csv_aggregates/app.py",
        "desktop_app/sandbox/iapps/file_stats/manifest.json",
        "desktop_app/core/attestation/intel_sgx_root_ca.pem",
        "eth_account/hdaccount/wordlist/english.txt",
    ):
        assert (internal / needed).is_file(), needed
    # The project's metadata (version, console script), from the wheel-style or the setuptools folder.
    assert any(internal.glob("dataprotector_desktop*-info/entry_points.txt"))
    assert os.access(internal / "parts" / "bin" / "anvil", os.X_OK)
    plugins = internal / "PySide6" / "Qt" / "plugins"
    if plugins.exists():
        platforms = {p.name for p in (plugins / "platforms").iterdir()}
        assert platforms == {"libqxcb.so", "libqoffscreen.so", "libqminimal.so"}
        assert not (plugins / "platformthemes" / "libqgtk3.so").exists()
        assert not any(internal.glob("**/libQt6WaylandClient.so*")) and not any(internal.glob("**/qml"))
    assert not any(internal.glob("**/keyrings/alt")) and not any(internal.glob("tkinter"))


@pytest.mark.timeout(2400)
def test_the_deb_and_the_tarball_are_complete(built: dict[str, Any]) -> None:
    version, deb = built["version"], built["deb"]
    field = lambda name: subprocess.run(  # noqa: E731
        ["dpkg-deb", "-f", deb, name], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert (field("Package"), field("Version")) == (NAME, version)
    depends = field("Depends")
    assert depends.startswith("libc6 (>= 2.") and depends == built["depends"]
    if (Path(built["bundle"]) / "_internal" / "PySide6").exists():
        assert {"libgl1", "libegl1", "libfontconfig1"} <= {d.strip() for d in depends.split(",")}
    listing = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True, check=True).stdout
    for path in (
        f"./opt/{NAME}/{NAME}",
        f"./usr/bin/{NAME} -> /opt/{NAME}/{NAME}",
        f"./usr/share/applications/{NAME}.desktop",
        f"./usr/share/mime/packages/{NAME}.xml",
        f"./usr/share/icons/hicolor/256x256/apps/{NAME}.png",
        f"./usr/share/icons/hicolor/scalable/apps/{NAME}.svg",
        f"./usr/share/doc/{NAME}/copyright",
    ):
        assert path in listing, path
    assert all(line.split()[1] == "root/root" for line in listing.splitlines())
    with tarfile.open(built["tarball"]) as tar:
        names = set(tar.getnames())
    assert f"{NAME}-{version}/{NAME}" in names and f"{NAME}-{version}/_internal/parts/bin/anvil" in names


@pytest.mark.timeout(2400)
def test_the_installed_app_passes_its_self_test_in_a_clean_debian(
    built: dict[str, Any], installed: dict[str, Any]
) -> None:
    assert installed["version"] == f"{NAME} {built['version']}"
    assert installed["packages_added"] > 0  # the Depends really came from the mirror
    report = installed["selftest"]
    assert installed["selftest_rc"] == 0 and report["ok"] is True and report["frozen"] is True, report
    assert installed["leftover_processes"] == 0  # sandbox, anvil, workers: all stopped by the self-test
    if (Path(built["bundle"]) / "_internal" / "PySide6").exists():
        assert installed["qt_rc"] == 0 and installed["qt"]["platform"] == "offscreen"
        assert installed["qt"]["grab"][0] > 0  # Qt drew real pixels with the packaged fonts and GL
    figures = {
        "bundle_MiB": round(built["bundle_bytes"] / 2**20, 1),
        "deb_MiB": round(built["deb_bytes"] / 2**20, 1),
        "tarball_MiB": round(built["tarball_bytes"] / 2**20, 1),
        "build_seconds": built["seconds"],
        "chroot_seconds": installed["seconds"],
        "installed_MiB": round(installed["installed_kb"] / 1024, 1),
        "packages_added": installed["packages_added"],
        "selftest_steps": report["steps"],
        "depends": built["depends"],
    }
    (BUILD / "installers" / "figures.json").write_text(json.dumps(figures, indent=1) + "\n")
