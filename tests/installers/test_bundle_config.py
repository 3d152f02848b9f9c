"""What the frozen bundle holds (installers/pyinstaller/bundle.py), the icons, and the macOS Info.plist.

Fast checks that catch, before any 30-second freeze: an excluded module the app now imports, a data file
the app reads but the bundle would not carry, an iApp importing something the bundle lacks.
"""

from __future__ import annotations

import ast
import plistlib
import struct
import sys
import tomllib
import zlib
from pathlib import Path

import pytest

from desktop_app import __version__
from tests.installers.conftest import ROOT, load

bundle = load("pyinstaller/bundle.py")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_version_comes_from_pyproject() -> None:
    with (ROOT / "pyproject.toml").open("rb") as f:
        declared = tomllib.load(f)["project"]["version"]
    assert bundle.version() == declared == __version__
    assert bundle.numeric_version("1.2.3") == (1, 2, 3, 0)
    assert bundle.numeric_version("2.0.0rc1") == (2, 0, 0, 0)
    assert bundle.numeric_version("10") == (10, 0, 0, 0)


def test_nothing_the_app_imports_is_excluded_from_the_bundle() -> None:
    excluded = bundle.EXCLUDED_MODULES
    offenders = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / "desktop_app").rglob("*.py")
        for name in _imports(path)
        if any(name == module or name.startswith(module + ".") for module in excluded)
    }
    assert not offenders, f"excluded from the bundle but imported: {sorted(offenders)}"


def test_every_data_file_the_app_reads_is_bundled(tmp_path: Path) -> None:
    parts = tmp_path / "parts"
    parts.mkdir()
    (parts / "manifest.json").write_text("{}")
    pairs = bundle.data_files(parts)
    assert (str(parts), "parts") in pairs and (str(ROOT / "resources"), "resources") in pairs
    bundled = {Path(folder) / Path(source).name for source, folder in pairs}
    package_data = {
        p.relative_to(ROOT)
        for p in (ROOT / "desktop_app").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".py", ".pyc")
    }
    # Solidity sources are compiled into parts/ at set-up; nothing reads them at run time.
    missing = {p for p in package_data - bundled if p.suffix != ".sol"}
    assert not missing, f"package data the bundle would not carry: {sorted(map(str, missing))}"
    for app in (ROOT / "desktop_app" / "sandbox" / "iapps").glob("*/manifest.json"):
        assert app.relative_to(ROOT) in bundled and (app.parent / "app.py").relative_to(ROOT) in bundled


def test_bundling_needs_the_parts(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="make parts"):
        bundle.data_files(tmp_path / "nowhere")


def test_the_iapps_only_need_the_standard_library() -> None:
    imports = bundle.iapp_imports()
    assert {"json", "zipfile"} <= set(imports)
    assert all(name.split(".")[0] in sys.stdlib_module_names for name in imports), imports


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6/Qt/plugins/platforms/qwindows.dll", True),
        ("PySide6/Qt/plugins/platforms/libqcocoa.dylib", True),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", False),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", True),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
        ("PySide6/Qt/plugins/imageformats/libqtiff.so", False),
        ("PySide6/Qt/plugins/tls/libqopensslbackend.so", False),
        ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", False),
        ("PySide6/Qt/plugins/platforminputcontexts/libcomposeplatforminputcontextplugin.so", True),
        ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", False),
        ("PySide6/Qt/translations/qtbase_de.qm", True),
        ("PySide6/Qt/translations/qtdeclarative_de.qm", False),
        ("PySide6/Qt/qml/QtQuick/qmldir", False),
        ("libgtk-3.so.0", False),
        ("libcairo.so.2", False),
        ("PySide6/Qt/lib/libQt6Widgets.so.6", True),
        ("parts/bin/anvil", True),
        ("cryptography/hazmat/bindings/_rust.abi3.so", True),
    ],
)
def test_unused_qt_plugins_translations_and_host_libraries_are_left_out(dest: str, kept: bool) -> None:
    assert bundle.keep_qt_entry(dest) is kept


def test_libraries_only_a_dropped_plugin_needed_go_with_it() -> None:
    links = {
        "/s/libqeglfs.so": ["libQt6EglFS.so.6", "libQt6Gui.so.6"],
        "/s/libQt6EglFS.so.6": ["libQt6OpenGL.so.6", "libQt6Gui.so.6"],
        "/s/libQt6OpenGL.so.6": ["libQt6Gui.so.6"],
        "/s/libqxcb.so": ["libQt6XcbQpa.so.6", "libQt6Gui.so.6"],
        "/s/libQt6XcbQpa.so.6": ["libQt6Gui.so.6"],
        "/s/libQt6Gui.so.6": [],
        "/s/libqsvg.so": ["libQt6Svg.so.6"],  # an image plugin: kept
        "/s/libQt6Svg.so.6": [],
    }
    binaries = [
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", "/s/libqeglfs.so", "BINARY"),
        ("PySide6/Qt/lib/libQt6EglFS.so.6", "/s/libQt6EglFS.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6OpenGL.so.6", "/s/libQt6OpenGL.so.6", "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/s/libqxcb.so", "BINARY"),
        ("PySide6/Qt/lib/libQt6XcbQpa.so.6", "/s/libQt6XcbQpa.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/s/libQt6Gui.so.6", "BINARY"),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", "/s/libqsvg.so", "BINARY"),
        ("PySide6/Qt/lib/libQt6Svg.so.6", "/s/libQt6Svg.so.6", "BINARY"),
    ]
    unused = bundle.unused_binaries(binaries, lambda source: links[source])
    assert unused == {"libqeglfs.so", "libQt6EglFS.so.6", "libQt6OpenGL.so.6"}
    links_toc = [
        ("libQt6OpenGL.so.6", "PySide6/Qt/lib/libQt6OpenGL.so.6", "SYMLINK"),
        ("libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "SYMLINK"),
    ]
    kept = bundle.without(binaries + links_toc, unused)
    assert [Path(d).name for d, _s, _k in kept] == [
        "libqxcb.so",
        "libQt6XcbQpa.so.6",
        "libQt6Gui.so.6",
        "libqsvg.so",
        "libQt6Svg.so.6",
        "libQt6Gui.so.6",
    ]


def test_the_spec_uses_the_shared_settings() -> None:
    spec = (ROOT / "installers" / "pyinstaller" / "dataprotector.spec").read_text()
    for needle in (
        'collect_data_files("eth_account")',
        "bundle.data_files(PARTS)",
        "bundle.EXCLUDED_MODULES",
        "bundle.unused_binaries",
        'copy_metadata("dataprotector-desktop")',
        'collect_submodules("desktop_app")',
        "bundle_identifier=bundle.BUNDLE_ID",
        "info_plist.info_plist(VERSION)",
    ):
        assert needle in spec


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_icon_is_drawn_for_every_platform(tmp_path: Path) -> None:
    icons = load("icons/make_icons.py")
    small = icons.render(32)
    assert len(small) == 32 * 32 * 4
    corner, centre = small[:4], small[(16 * 32 + 16) * 4 : (16 * 32 + 16) * 4 + 4]
    assert corner[3] == 0 and centre[3] == 255  # transparent corners, an opaque shield
    png = icons.png(32, small)
    assert _png_size(png) == (32, 32)
    (length,) = struct.unpack(">I", png[33:37])
    assert png[37:41] == b"IDAT" and len(zlib.decompress(png[41 : 41 + length])) == 32 * (1 + 32 * 4)
    pngs = {size: icons.png(size, icons.render(size)) for size in (16, 24, 32, 48, 64)}
    pngs.update(dict.fromkeys((128, 256, 512, 1024), png))  # sizes only matter for the headers here
    ico = icons.ico(pngs)
    assert struct.unpack("<HHH", ico[:6]) == (0, 1, len(icons.ICO_SIZES))
    icns = icons.icns(pngs)
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    assert icons.svg().startswith("<svg") and "</svg>" in icons.svg()


def test_the_mac_app_opens_files_dropped_on_its_icon() -> None:
    info = load("macos/info_plist.py").info_plist("1.2.3")
    plistlib.loads(plistlib.dumps(info))  # a valid property list
    assert info["CFBundleShortVersionString"] == "1.2.3" and info["NSHighResolutionCapable"] is True
    types = [t for doc in info["CFBundleDocumentTypes"] for t in doc["LSItemContentTypes"]]
    assert {"public.data", "public.folder"} <= set(types)
    assert all(doc["LSHandlerRank"] == "Alternate" for doc in info["CFBundleDocumentTypes"])
    entitlements = plistlib.loads((ROOT / "installers" / "macos" / "entitlements.plist").read_bytes())
    assert entitlements == {"com.apple.security.cs.allow-unsigned-executable-memory": True}
