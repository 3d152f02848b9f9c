"""The Settings page as a person uses it: each control changes its declared setting and takes effect at
once (theme, auto-lock, keyring, PCS address, collateral cache), and a network switch asks first."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_app.core.iexec.network import load_profile
from desktop_app.core.localnet.endpoints import SandboxEndpoints
from desktop_app.core.settings import AUTO_LOCK_SECONDS, NETWORK, PCS_URL, REMEMBER_PASSWORD, THEME
from desktop_app.core.store.collateral_cache import CollateralCache
from desktop_app.core.wallet import PasswordMemory
from desktop_app.flows.progress import Reporter
from desktop_app.ui.context import AppContext
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.network import Connection
from desktop_app.ui.theme import ThemeMode, apply_theme, is_dark
from desktop_app.ui.unlock import UnlockDialog
from tests.gui.conftest import PASSWORD, MemoryKeyring, accessible_name_missing, run_until, sandbox_connector
from tests.support.attestation import sandbox_collateral_text

KEY = "0x" + "4c" * 32  # any key: these tests sign nothing on a chain
Window = Callable[[AppContext], MainWindow]


@pytest.fixture(autouse=True)
def system_theme_after(qapp: QApplication) -> Iterator[None]:
    """A test that switches the theme must not leave the next test in the dark."""
    yield
    apply_theme(qapp, ThemeMode.SYSTEM)


class Recorder:
    """Opens every network on the local sandbox, under the asked network's name, label and colour, so the
    pages keep working offline; remembers which networks were asked for."""

    def __init__(self, endpoints: SandboxEndpoints) -> None:
        self.endpoints = endpoints
        self.names: list[str] = []

    async def __call__(self, name: str, _report: Reporter) -> Connection:
        self.names.append(name)
        local = load_profile("local", sandbox=self.endpoints)
        if name == "local":
            return Connection(local, self.endpoints)
        public = load_profile(name)
        return Connection(dataclasses.replace(local, name=name, label=public.label, color=public.color))


@pytest.fixture
def open_settings(
    make_context: Callable[..., AppContext], open_window: Window, sandbox: SandboxEndpoints
) -> Callable[..., MainWindow]:
    """A window on the sandbox, its one account locked, showing Settings."""

    def make(**overrides: object) -> MainWindow:
        overrides.setdefault("connect", sandbox_connector(sandbox))
        context = make_context(**overrides)
        context.wallet.import_private_key(KEY, PASSWORD, "Main")
        window = open_window(context)
        window.go_to(6)
        assert window.pages.currentWidget() is window.settings_page
        return window

    return make


def test_choosing_a_theme_applies_it_at_once_and_remembers_it(
    open_settings: Callable[..., MainWindow], qapp: QApplication
) -> None:
    window = open_settings()
    page = window.settings_page
    page.theme_buttons[ThemeMode.DARK].click()
    assert is_dark(qapp.palette()) and window.context.settings.get(THEME) == "dark"
    page.theme_buttons[ThemeMode.LIGHT].click()
    assert not is_dark(qapp.palette()) and window.context.settings.get(THEME) == "light"
    page.theme_buttons[ThemeMode.SYSTEM].click()
    assert window.context.settings.get(THEME) == "system"
    assert accessible_name_missing(page) == []


def test_the_auto_lock_delay_applies_to_the_open_session_at_once(
    open_settings: Callable[..., MainWindow],
) -> None:
    window = open_settings()
    page, session = window.settings_page, window.state.session
    assert session is not None and session.idle_timeout == AUTO_LOCK_SECONDS.default
    session.unlock(PASSWORD)
    page.auto_lock.setCurrentIndex(page.auto_lock.findData(60.0))
    assert session.idle_timeout == 60.0 and session.is_unlocked
    assert window.context.settings.get(AUTO_LOCK_SECONDS) == 60.0
    window.state.use_account(session.address)  # a session opened later gets it too
    assert window.state.session is not None and window.state.session.idle_timeout == 60.0


def test_without_a_keyring_the_page_says_why_and_offers_nothing(
    open_settings: Callable[..., MainWindow], qloop: asyncio.AbstractEventLoop
) -> None:
    window = open_settings()  # make_context's memory has no usable keyring
    page = window.settings_page
    run_until(qloop, lambda: "Not available" in page.keyring_note.text())
    assert not page.remember.isEnabled() and not page.remember.isChecked()
    assert window.context.settings.get(REMEMBER_PASSWORD) is True  # kept for when a keyring appears
    assert page.keyring_note.property("tone") == "warning"
    assert "not an allowed OS keyring" in page.keyring_note.toolTip()


def test_turning_remembering_off_forgets_the_password_and_stops_offering_it(
    open_settings: Callable[..., MainWindow], qloop: asyncio.AbstractEventLoop
) -> None:
    keyring = MemoryKeyring()
    window = open_settings(memory=PasswordMemory(keyring))
    page, session = window.settings_page, window.state.session
    assert session is not None
    window.context.memory.remember(session.address, PASSWORD)
    run_until(qloop, lambda: page.remember.isEnabled())
    assert page.remember.isChecked() and keyring.secrets

    page.remember.click()
    run_until(qloop, lambda: not keyring.secrets)
    assert window.context.settings.get(REMEMBER_PASSWORD) is False
    assert "asked at every unlock" in page.keyring_note.text()

    window.toggle_lock()  # the unlock dialog no longer offers to remember
    run_until(qloop, lambda: [d for d in window.findChildren(UnlockDialog) if d.isVisible()])
    dialog = next(d for d in window.findChildren(UnlockDialog) if d.isVisible())
    assert dialog.remember.isHidden() and "turned off in Settings" in dialog.keyring_note.text()
    dialog.password.setText(PASSWORD)
    dialog.unlock_button.click()
    run_until(qloop, lambda: session.is_unlocked)
    assert not keyring.secrets


def test_the_pcs_address_is_checked_before_it_is_kept(open_settings: Callable[..., MainWindow]) -> None:
    window = open_settings()
    page = window.settings_page
    page.pcs_url.setText("pccs.example.org")
    page.save_pcs_button.click()
    assert page.pcs_error.isVisibleTo(page) and "https://" in page.pcs_error.text()
    assert window.context.settings.get(PCS_URL) == PCS_URL.default
    page.pcs_url.setText(" https://pccs.example.org:8081 ")
    page.pcs_url.returnPressed.emit()
    assert not page.pcs_error.isVisibleTo(page)
    assert window.context.settings.get(PCS_URL) == "https://pccs.example.org:8081"


def test_the_collateral_cache_shows_what_it_holds_and_clears(
    open_settings: Callable[..., MainWindow],
) -> None:
    window = open_settings()
    page = window.settings_page
    assert page.cache_note.text().startswith("Empty") and not page.clear_button.isEnabled()
    cache = CollateralCache(window.context.jobs.db)
    cache.put(sandbox_collateral_text("tdx"), fetched_at=datetime.now(UTC))
    window.go_to(0)
    window.go_to(6)  # shown again: read again
    assert page.cache_note.text().startswith("1 platform cached; the oldest was fetched less than a minute")
    page.clear_button.click()
    assert cache.all() == [] and page.cache_note.text().startswith("Empty")


def test_switching_networks_asks_first_then_reconnects_and_is_remembered(
    open_settings: Callable[..., MainWindow], sandbox: SandboxEndpoints, qloop: asyncio.AbstractEventLoop
) -> None:
    connector = Recorder(sandbox)
    window = open_settings(connect=connector)
    page = window.settings_page
    run_until(qloop, lambda: window.state.profile is not None)
    assert connector.names == ["local"] and not page.switch_button.isEnabled()
    page.network.setCurrentIndex(page.network.findData("arbitrum-sepolia"))
    assert page.switch_button.isEnabled() and "Arbitrum Sepolia" in page.network_note.text()

    page.switch_button.click()  # "Stay" changes nothing
    run_until(qloop, lambda: [b for b in window.findChildren(QMessageBox) if b.isVisible()])
    box = next(b for b in window.findChildren(QMessageBox) if b.isVisible())
    assert box.text() == "Switch to Arbitrum Sepolia (testnet)?"
    next(b for b in box.buttons() if b.text() == "Stay").click()
    run_until(qloop, lambda: not window.runner.operations or connector.names != ["local"])
    assert window.context.network == "local" and window.context.settings.get(NETWORK) == "local"

    page.network.setCurrentIndex(page.network.findData("arbitrum-sepolia"))
    page.switch_button.click()
    run_until(qloop, lambda: [b for b in window.findChildren(QMessageBox) if b.isVisible()])
    box = next(b for b in window.findChildren(QMessageBox) if b.isVisible())
    next(b for b in box.buttons() if b.text() == "Switch").click()
    run_until(qloop, lambda: window.state.profile is not None)
    assert connector.names == ["local", "arbitrum-sepolia"]
    assert window.state.profile is not None and window.state.profile.name == "arbitrum-sepolia"
    assert window.context.settings.get(NETWORK) == "arbitrum-sepolia"
    assert window.header.network.text() == "● Arbitrum Sepolia (testnet)"
    assert not page.switch_button.isEnabled()
