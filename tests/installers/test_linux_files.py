"""The Linux integration files (desktop entry, MIME type, control template) and every installer script."""

from __future__ import annotations

import configparser
import subprocess
import xml.etree.ElementTree as ET

import pytest

from tests.installers.conftest import INSTALLERS

LINUX = INSTALLERS / "linux"
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"


@pytest.mark.usefixtures("build_tools")
def test_the_desktop_entry_is_valid_and_opens_files_in_protect() -> None:
    done = subprocess.run(
        ["desktop-file-validate", str(LINUX / "dataprotector-desktop.desktop")],
        capture_output=True,
        text=True,
        check=False,
    )
    problems = [line for line in done.stdout.splitlines() if ": error:" in line or ": warning:" in line]
    assert done.returncode == 0 and not problems, done.stdout
    entry = configparser.ConfigParser(interpolation=None, strict=True)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(LINUX / "dataprotector-desktop.desktop")
    desktop = entry["Desktop Entry"]
    # The window takes the paths to protect as arguments; %F lets a file manager pass several.
    assert desktop["Exec"] == "dataprotector-desktop %F" and desktop["Icon"] == "dataprotector-desktop"
    types = set(desktop["MimeType"].rstrip(";").split(";"))
    # The parents of every file and folder type, so "Open with" lists the app for any of them.
    assert {"application/octet-stream", "text/plain", "inode/directory"} <= types


def test_the_mime_package_declares_the_apps_own_type() -> None:
    root = ET.parse(LINUX / "dataprotector-desktop.xml").getroot()  # noqa: S314 - our own file
    assert root.tag == f"{MIME_NS}mime-info"
    declared = {m.get("type"): m for m in root.iter(f"{MIME_NS}mime-type")}
    assert set(declared) == {"application/x-iexec-task-result"}
    result = declared["application/x-iexec-task-result"]
    assert result.find(f"{MIME_NS}glob").get("pattern") == "*.result.zip"  # type: ignore[union-attr]
    assert result.find(f"{MIME_NS}sub-class-of").get("type") == "application/zip"  # type: ignore[union-attr]
    desktop = (LINUX / "dataprotector-desktop.desktop").read_text()
    assert "application/x-iexec-task-result;" in desktop


def test_the_control_template_has_every_field() -> None:
    control = (LINUX / "control.in").read_text()
    for placeholder in ("@VERSION@", "@ARCH@", "@INSTALLED_SIZE@", "@DEPENDS@"):
        assert placeholder in control
    fields = [line.split(":", 1)[0] for line in control.splitlines() if line and not line.startswith(" ")]
    assert fields[:2] == ["Package", "Version"] and {"Maintainer", "Description", "Depends"} <= set(fields)
    # Continuation lines of the description: one space, and "." for an empty line.
    assert all(line.startswith(" ") for line in control.split("Description:", 1)[1].splitlines()[1:])


@pytest.mark.usefixtures("build_tools")
def test_the_installer_scripts_pass_shellcheck() -> None:
    scripts = sorted(INSTALLERS.glob("*/*.sh"))
    assert len(scripts) >= 7
    done = subprocess.run(["shellcheck", *map(str, scripts)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout
    for script in scripts:
        assert script.stat().st_mode & 0o111, f"{script} is not executable"
