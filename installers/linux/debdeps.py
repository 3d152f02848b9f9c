"""The ``Depends:`` of the .deb, computed from the bundle like ``dpkg-shlibdeps`` would.

A PyInstaller bundle carries most of its libraries, but not all: it leaves out the C library and the
graphics stack (libGL, libEGL, libxcb), which must come from the system (desktop-engineering §4.3). This
finds every ELF file of the bundle, the libraries they link to that the bundle does not carry, and the
Debian package that provides each on the build machine, plus ``libc6 (>= V)`` where V is the newest
``GLIBC_x.y`` symbol version any of them uses. Qt also needs what it opens at run time and no linker
sees: fontconfig's configuration and a font, added when the bundle holds Qt.

    python installers/linux/debdeps.py BUNDLE_DIR     → prints the Depends value
"""

from __future__ import annotations

import argparse
import re
import subprocess
from pathlib import Path

QT_RUNTIME = ["libfontconfig1", "fonts-dejavu-core | fonts-liberation2"]
_GLIBC = re.compile(rb"GLIBC_(\d+)\.(\d+)(?:\.(\d+))?")
_NEEDED = re.compile(r"^\s*NEEDED\s+(\S+)", re.MULTILINE)


def elf_files(bundle: Path) -> list[Path]:
    files = []
    for path in sorted(bundle.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    files.append(path)
    return files


def needed(path: Path) -> list[str]:
    dump = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True, check=True).stdout
    return _NEEDED.findall(dump)


def glibc_floor(files: list[Path]) -> tuple[int, ...]:
    newest: tuple[int, ...] = (2, 0)
    for path in files:
        symbols = subprocess.run(["objdump", "-T", str(path)], capture_output=True, check=True).stdout
        for match in _GLIBC.finditer(symbols):
            version = tuple(int(part) for part in match.groups() if part is not None)
            newest = max(newest, version)
    return newest


def _system_libraries() -> dict[str, str]:
    """soname → path, for the build machine's architecture (``ldconfig -p``)."""
    listing = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    found: dict[str, str] = {}
    for line in listing.splitlines()[1:]:
        name, _, path = line.strip().partition(" => ")
        soname = name.split(" ", 1)[0]
        if "x86-64" in name or "AArch64" in name or "64bit" in name or soname not in found:
            found.setdefault(soname, path)
    return found


def package_of(path: str) -> str:
    """The Debian package that installed ``path`` (trying the merged-/usr aliases too)."""
    resolved = str(Path(path).resolve())
    candidates = {path, resolved}
    for p in list(candidates):
        if p.startswith("/usr/lib/"):
            candidates.add(p.removeprefix("/usr"))
        elif p.startswith("/lib/"):
            candidates.add("/usr" + p)
    for candidate in sorted(candidates):
        done = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True, text=True, check=False)
        if done.returncode == 0:
            return done.stdout.split(":", 1)[0].strip()
    raise SystemExit(f"no Debian package provides {path}: install it on the build machine")


def depends(bundle: Path) -> str:
    files = elf_files(bundle)
    carried = {p.name for p in bundle.rglob("*")}
    missing: set[str] = set()
    for path in files:
        # The sandbox's own programs (parts/bin: anvil) are not loaded by the bundle's loader paths.
        own = "parts" in path.relative_to(bundle).parts
        missing.update(name for name in needed(path) if own or name not in carried)
    system = _system_libraries()
    packages: set[str] = set()
    for soname in sorted(missing):
        if soname not in system:
            raise SystemExit(f"{soname} is needed by the bundle but not installed on the build machine")
        packages.add(package_of(system[soname]))
    packages.discard("libc6")
    floor = ".".join(map(str, glibc_floor(files)))
    extras = QT_RUNTIME if any(p.name.startswith("libQt6Gui") for p in files) else []
    return ", ".join([f"libc6 (>= {floor})", *sorted(packages), *extras])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("bundle", type=Path)
    print(depends(parser.parse_args(argv).bundle))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
