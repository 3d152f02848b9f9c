"""Every string a person reads in the window can be translated: a pseudo-translation reaches all of them.

The strings are extracted from the source with ``pyside6-lupdate``, as a translator would get them,
each "translated" to ``⟦text⟧``, compiled with ``pyside6-lrelease`` and installed with the app's own
loader (``install_translations``). Then the window and its dialogs are built, and every visible text
must carry the brackets: a text without them was never passed through ``tr()`` (or lupdate cannot see
it), so no translator could ever reach it. Data shown in the window (addresses, numbers, names) is
not text to translate and is left out, and so are the networks' labels: they come from the profiles in
``resources/networks/`` (proper names such as "Arbitrum One"), not from the code.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QTranslator
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QWidget,
)

from desktop_app.core.localnet.endpoints import SandboxEndpoints
from desktop_app.flows.apps import list_apps
from desktop_app.flows.listing import list_protected
from desktop_app.ui.context import AppContext
from desktop_app.ui.i18n import CATALOG, install_translations
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.unlock import UnlockDialog
from tests.gui.conftest import import_dev_account, run_until, sandbox_connector, settle, spin

ROOT = Path(__file__).resolve().parents[2]
TOOLS = Path(sys.executable).parent
OPEN, CLOSE = "⟦", "⟧"
# Not language: empty, punctuation/digits only, an address or hash, a size, an icon glyph, a shortcut.
DATA = re.compile(r"^[\W\d_]*$|^0x[0-9a-fA-F…]+$|^Ctrl\+|^F\d+$")
# What the sandbox's data looks like once shown: hex digests and addresses, URIs, TEE names, schemas.
SHOWN_DATA = re.compile(r"[0-9a-fA-F]{8}|[0-9a-fA-F]+…[0-9a-fA-F]+|://|^(TDX|SGX)$|^\{")
NETWORK_LABELS = {
    json.loads(profile.read_text())["label"] for profile in (ROOT / "resources" / "networks").glob("*.json")
}


@pytest.fixture(scope="module")
def pseudo_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``dataprotector_eo.qm`` holding the pseudo-translation of every string lupdate extracts."""
    lupdate, lrelease = TOOLS / "pyside6-lupdate", TOOLS / "pyside6-lrelease"
    if not lupdate.exists() or not lrelease.exists():
        pytest.skip("pyside6-lupdate/lrelease are not installed")
    folder = tmp_path_factory.mktemp("i18n")
    ts = folder / f"{CATALOG}_eo.ts"
    sources = sorted(str(p) for p in (ROOT / "desktop_app" / "ui").rglob("*.py"))
    subprocess.run([str(lupdate), *sources, "-ts", str(ts)], check=True, capture_output=True, timeout=120)
    tree = ET.parse(ts)  # noqa: S314 - lupdate's output for our own sources
    messages = tree.getroot().iter("message")
    count = 0
    for message in messages:
        source = message.findtext("source") or ""
        translation = message.find("translation")
        assert translation is not None
        translation.attrib.pop("type", None)
        if message.get("numerus") == "yes":  # plural forms: one translation per form
            for form in translation.findall("numerusform") or [ET.SubElement(translation, "numerusform")]:
                form.text = OPEN + source + CLOSE
        else:
            translation.text = OPEN + source + CLOSE
        count += 1
    assert count > 200  # the window has hundreds of strings: lupdate really read the sources
    tree.write(ts, encoding="utf-8", xml_declaration=True)
    subprocess.run([str(lrelease), str(ts)], check=True, capture_output=True, timeout=120)
    return folder


@pytest.fixture
def pseudo_locale(
    pseudo_catalog: Path, qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """The app's loader finds the pseudo catalog as the translation for Esperanto (``eo``), a locale no
    test machine runs in."""
    resources = pseudo_catalog.parent / "resources"
    (resources / "i18n").mkdir(parents=True, exist_ok=True)
    shutil.copy(pseudo_catalog / f"{CATALOG}_eo.qm", resources / "i18n" / f"{CATALOG}_eo.qm")
    for folder in ("networks", "abi", "icons", "styles"):
        if not (resources / folder).exists():
            (resources / folder).symlink_to(ROOT / "resources" / folder)
    monkeypatch.setenv("DATAPROTECTOR_RESOURCES_DIR", str(resources))
    installed: list[QTranslator] = install_translations(qapp, QLocale("eo"))
    assert installed, "the app's loader did not find the catalog"
    yield
    for translator in installed:
        QCoreApplication.removeTranslator(translator)


def untranslated(root: QWidget, data: frozenset[str] = frozenset()) -> list[str]:
    """Visible texts under ``root`` that did not go through a translation.

    With ``data`` (names the test put in: accounts, apps), texts holding data are left out too, and so
    are tooltips, which there show full values and the core's technical reasons (English for now).
    Qt's standard buttons are translated by Qt's own catalog, not ours.
    """
    texts: list[tuple[str, str]] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisibleTo(root) and widget is not root:
            continue
        if widget.isWindow():
            texts.append(("title", widget.windowTitle()))
        if isinstance(widget, QLabel):
            texts.append(("label", widget.text()))
        box = widget.parent()
        standard = isinstance(box, QDialogButtonBox) and isinstance(widget, QPushButton)
        if isinstance(widget, QAbstractButton) and not (standard and box.standardButton(widget).value):
            texts.append(("button", widget.text()))
        if isinstance(widget, QLineEdit):
            texts.append(("placeholder", widget.placeholderText()))
        if isinstance(widget, QComboBox):
            texts += [("choice", widget.itemText(i)) for i in range(widget.count())]
        if isinstance(widget, QListWidget):
            texts += [("item", widget.item(i).text()) for i in range(widget.count())]
        if not data:
            texts.append(("tooltip", widget.toolTip()))
        texts.append(("accessible name", widget.accessibleName()))
    plain = [re.sub(r"<[^>]+>", "", text).replace("&", "").strip() for _kind, text in texts]
    found = set()
    for (kind, _), text in zip(texts, plain, strict=True):
        if not text or OPEN in text or DATA.match(text) or text.lstrip("● ") in NETWORK_LABELS:
            continue
        if data and (SHOWN_DATA.search(text) or any(name in text for name in data)):
            continue
        found.add(f"{kind}: {text!r}")
    return sorted(found)


def test_every_text_of_the_window_reaches_the_translator(
    pseudo_locale: None,
    make_context: Callable[..., AppContext],
    open_window: Callable[[AppContext], MainWindow],
) -> None:
    window = open_window(make_context())
    assert OPEN in window.windowTitle()
    missing = untranslated(window)  # the first-run wizard: no account yet
    window.root.setCurrentWidget(window.main_view)
    for row in range(window.sidebar.count()):
        window.sidebar.setCurrentRow(row)
        missing += untranslated(window)
    window.protected_page.open_record_form()
    assert window.protected_page.record_dialog is not None
    missing += untranslated(window.protected_page.record_dialog)
    assert not missing, "\n".join(sorted(set(missing)))


def test_the_pages_with_data_and_the_unlock_dialog_reach_the_translator(
    pseudo_locale: None,
    make_context: Callable[..., AppContext],
    open_window: Callable[[AppContext], MainWindow],
    sandbox: SandboxEndpoints,
    qloop: asyncio.AbstractEventLoop,
) -> None:
    context = make_context(sandbox_connector(sandbox))
    import_dev_account(context, sandbox, 0)
    window = open_window(context)
    run_until(qloop, lambda: window.protected_page.index.loaded, 30)
    profile, address = window.state.profile, window.state.session.address  # type: ignore[union-attr]
    apps = settle(qloop, list_apps(profile))  # type: ignore[arg-type]
    mine = settle(qloop, list_protected(profile, address, context.jobs))  # type: ignore[arg-type]
    data = frozenset({"Dev 0", *(app.name for app in apps), *(item.name for item in mine)})
    missing = []
    for row in range(window.sidebar.count()):
        window.sidebar.setCurrentRow(row)
        spin(qloop, 0.5)  # the page reads the network
        missing += untranslated(window, data)
    window.toggle_lock()
    run_until(qloop, lambda: [d for d in window.findChildren(UnlockDialog) if d.isVisible()], 10)
    missing += untranslated(next(d for d in window.findChildren(UnlockDialog) if d.isVisible()), data)
    assert not missing, "\n".join(sorted(set(missing)))
