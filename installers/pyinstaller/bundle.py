"""What goes into the frozen bundle, kept apart from the spec so tests can read and check it.

``dataprotector.spec`` (run by PyInstaller) imports this module; ``tests/installers`` import it too, to
check that nothing the app imports is excluded and that every data folder the app looks up is bundled.
Stdlib only: it runs inside PyInstaller and inside the test suite.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

APP_NAME = "DataProtector Desktop"
EXE_NAME = "dataprotector-desktop"  # the command (Linux, macOS, the Windows console twin)
WINDOWS_GUI_EXE = "DataProtectorDesktop"  # the Windows windowed executable the Start menu opens
BUNDLE_ID = "ec.iex.dataprotector-desktop"  # macOS bundle identifier, also the Linux app id's base
PUBLISHER = "DataProtector Desktop contributors"
DESCRIPTION = "Protect personal files for iExec confidential computing, and verify the proofs."

# Python modules that are never used by the app and that PyInstaller would otherwise follow into.
EXCLUDED_MODULES = [
    "tkinter",
    "_tkinter",
    "unittest",
    "pydoc_data",
    "lib2to3",
    "IPython",
    "matplotlib",
    "numpy",
    "pytest",
    "hypothesis",
    "mypy",
    "dcap_qvl",  # a dev-only differential oracle for the attestation tests
    "keyrings.alt",  # never a fallback for wallet secrets (design §3.1)
    "PySide6.QtNetwork",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuickWidgets",
    "PySide6.QtQuickControls2",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
    "PySide6.QtSql",
    "PySide6.QtTest",
    "PySide6.QtHelp",
    "PySide6.QtDesigner",
    "PySide6.QtUiTools",
    "PySide6.QtXml",
    "PySide6.QtConcurrent",
    "PySide6.Qt3DCore",
    "PySide6.QtCharts",
    "PySide6.QtMultimedia",
    "PySide6.QtPdf",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtBluetooth",
    "PySide6.QtPositioning",
    "PySide6.QtSerialPort",
    "PySide6.QtWebSockets",
]

# Qt plugin folders and files the app uses (anything else under Qt/plugins is dropped). Platforms: the
# desktop ones, plus offscreen/minimal for headless runs. No wayland (Qt runs through XWayland), no
# gtk3 platform theme (it pulls GTK, cairo and pango into the bundle), no eglfs/vnc/linuxfb.
QT_PLUGINS_KEPT = {
    "platforms": {"xcb", "offscreen", "minimal", "windows", "cocoa"},
    "platformthemes": {"xdgdesktopportal"},
    "platforminputcontexts": {"composeplatforminputcontextplugin", "ibusplatforminputcontextplugin"},
    "imageformats": {"svg", "jpeg", "gif", "ico", "webp", "icns"},
    "iconengines": {"svgicon"},
    "xcbglintegrations": {"xcb-glx-integration", "xcb-egl-integration"},
    "styles": {"modernwindowsstyle", "macstyle"},
    "tls": set(),
    "generic": set(),
    "printsupport": {"cupsprintersupport", "cocoaprintersupport", "windowsprintersupport"},
}
QT_TRANSLATIONS_KEPT = ("qtbase_",)
# Host libraries that only the dropped plugins need (design §4.2: the gtk3 theme drags these in).
DROPPED_LIBRARIES = re.compile(
    r"(^|/)lib(gtk-3|gdk-3|gdk_pixbuf-2\.0|atk-1\.0|atk-bridge-2\.0|atspi|cairo|cairo-gobject|pango-1\.0|"
    r"pangocairo-1\.0|pangoft2-1\.0|epoxy|wayland-[a-z]+|harfbuzz-gobject|rsvg-2)\.so"
)

IAPPS_DIR = Path("desktop_app") / "sandbox" / "iapps"
PACKAGE_DATA = [Path("desktop_app") / "core" / "attestation" / "intel_sgx_root_ca.pem"]


def version() -> str:
    """The app's version, from ``pyproject.toml`` (what the metadata, the .deb, the .exe and the .app say)."""
    with (ROOT / "pyproject.toml").open("rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def numeric_version(text: str) -> tuple[int, int, int, int]:
    """``0.1.0`` → ``(0, 1, 0, 0)``, for the Windows version resource (pre-release suffixes dropped)."""
    numbers = []
    for part in text.split(".")[:4]:
        digits = re.match(r"\d+", part)
        if digits is None:
            break
        numbers.append(int(digits.group()))
    numbers += [0] * (4 - len(numbers))
    return numbers[0], numbers[1], numbers[2], numbers[3]


def iapp_files() -> list[Path]:
    """Every file of every sample iApp folder (its code is run by the bundle's Python, so it is data)."""
    return sorted(
        p.relative_to(ROOT)
        for p in (ROOT / IAPPS_DIR).glob("*/**/*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )


def iapp_imports() -> list[str]:
    """The top-level modules the sample iApps import: stdlib modules the bundle must carry for them."""
    names: set[str] = set()
    for path in iapp_files():
        if path.suffix != ".py":
            continue
        for node in ast.walk(ast.parse((ROOT / path).read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
    return sorted(names)


def data_files(parts_dir: Path) -> list[tuple[str, str]]:
    """(source, folder in the bundle) pairs: the sandbox parts, ``resources/``, the iApps, package data."""
    missing = [p for p in (parts_dir / "manifest.json", ROOT / "resources") if not p.exists()]
    if missing:
        raise SystemExit(f"cannot bundle: {', '.join(map(str, missing))} missing (run `make parts` first)")
    pairs = [(str(parts_dir), "parts"), (str(ROOT / "resources"), "resources")]
    pairs += [(str(ROOT / p), str(p.parent)) for p in iapp_files() + PACKAGE_DATA]
    return pairs


def keep_qt_entry(dest: str) -> bool:
    """False for a Qt plugin, translation or host library the app does not use (see the tables above)."""
    path = dest.replace("\\", "/")
    if DROPPED_LIBRARIES.search(path):
        return False
    if "/Qt/translations/" in path or path.startswith("PySide6/translations/"):
        return Path(path).name.startswith(QT_TRANSLATIONS_KEPT)
    if "/qml/" in path or path.startswith("PySide6/Qt/qml"):
        return False
    match = re.search(r"/plugins/([^/]+)/([^/]+)$", path)
    if not match:
        return True
    folder, name = match.groups()
    if folder not in QT_PLUGINS_KEPT:
        return False
    base = name.split(".")[0].removeprefix("lib")  # libqxcb.so, qwindows.dll, libqcocoa.dylib
    return base in QT_PLUGINS_KEPT[folder] or base.removeprefix("q") in QT_PLUGINS_KEPT[folder]


Entry = tuple[str, str, str]  # PyInstaller TOC entry: (name in the bundle, source path, type code)


def _basename(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def unused_binaries(binaries: list[Entry], imports_of: Callable[[str], Iterable[str]]) -> set[str]:
    """File names of the binaries to leave out: unused Qt plugins, and the libraries only they needed.

    A library is left out when it was reached from a dropped plugin and no kept binary (extension
    module, kept plugin, their own libraries) links to it; a library PyInstaller collected for any other
    reason stays. ``imports_of(source)`` gives the names a binary links to.
    """
    files = [e for e in binaries if e[2] != "SYMLINK"]
    by_name = {_basename(dest): src for dest, src, _kind in files}

    def closure(names: Iterable[str]) -> set[str]:
        seen: set[str] = set()
        todo = list(names)
        while todo:
            name = todo.pop()
            if name in seen or name not in by_name:
                continue
            seen.add(name)
            todo.extend(_basename(dep) for dep in imports_of(by_name[name]))
        return seen

    plugins_out = {_basename(dest) for dest, _src, _kind in files if not keep_qt_entry(dest)}
    candidates = closure(plugins_out) - plugins_out
    needed = closure(name for name in by_name if name not in candidates and name not in plugins_out)
    return plugins_out | (candidates - needed)


def without(entries: list[Entry], unused: set[str]) -> list[Entry]:
    """``entries`` less the unused Qt files and binaries, and less the symbolic links to them."""
    kept = []
    for dest, src, kind in entries:
        names = {_basename(dest)} | ({_basename(src)} if kind == "SYMLINK" else set())
        if keep_qt_entry(dest) and not names & unused:
            kept.append((dest, src, kind))
    return kept


def uses_qt() -> bool:
    """True when the app has a Qt front end to bundle (``desktop_app/ui`` imports PySide6)."""
    for path in (ROOT / "desktop_app" / "ui").rglob("*.py"):
        if re.search(r"^\s*(from|import)\s+(PySide6|qasync)\b", path.read_text(), re.MULTILINE):
            return True
    return False


if __name__ == "__main__":  # a quick look: python installers/pyinstaller/bundle.py
    print(version(), numeric_version(version()), iapp_imports(), uses_qt(), file=sys.stdout)
