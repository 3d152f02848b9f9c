"""Settings declared once: defaults, coercion of whatever a settings file holds, and migrations."""

from __future__ import annotations

from typing import Any

import pytest

from desktop_app.core.attestation.pcs import INTEL_PCS
from desktop_app.core.errors import UserFacingError
from desktop_app.core.iexec.network import DEFAULT_PROFILE
from desktop_app.core.settings import (
    ALL,
    AUTO_LOCK_SECONDS,
    LAST_ACCOUNT,
    NETWORK,
    PCS_URL,
    REMEMBER_PASSWORD,
    SCHEMA_KEY,
    SCHEMA_VERSION,
    THEME,
    WINDOW_GEOMETRY,
    DictStorage,
    Settings,
)
from desktop_app.core.wallet import DEFAULT_IDLE_TIMEOUT

ADDRESS = "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A"


def test_a_fresh_store_gives_every_default_and_is_stamped_with_the_schema_version() -> None:
    storage = DictStorage()
    settings = Settings(storage)
    every: tuple[Any, ...] = ALL
    assert {s.key: settings.get(s) for s in every} == {s.key: s.default for s in every}
    assert storage.values == {SCHEMA_KEY: SCHEMA_VERSION}


def test_defaults_agree_with_the_modules_they_stand_for() -> None:
    """Literals, so settings import nothing heavy; these must not drift from the real constants."""
    assert NETWORK.default == DEFAULT_PROFILE
    assert AUTO_LOCK_SECONDS.default == DEFAULT_IDLE_TIMEOUT
    assert PCS_URL.default == INTEL_PCS


def test_keys_are_declared_once() -> None:
    assert len({s.key for s in ALL}) == len(ALL)


@pytest.mark.parametrize(
    ("setting", "stored", "read"),
    [
        (REMEMBER_PASSWORD, "false", False),  # QSettings INI files give strings back
        (REMEMBER_PASSWORD, "true", True),
        (REMEMBER_PASSWORD, 0, False),
        (AUTO_LOCK_SECONDS, "600", 600.0),
        (AUTO_LOCK_SECONDS, 120, 120.0),
        (THEME, "dark", "dark"),
        (WINDOW_GEOMETRY, bytearray(b"\x01\xd9"), b"\x01\xd9"),
    ],
)
def test_stored_values_are_read_as_the_declared_type(setting: Any, stored: object, read: object) -> None:
    settings = Settings(DictStorage({setting.key: stored}))
    value = settings.get(setting)
    assert value == read and type(value) is type(read)


@pytest.mark.parametrize(
    ("setting", "stored"),
    [
        (REMEMBER_PASSWORD, "maybe"),
        (REMEMBER_PASSWORD, ["true"]),
        (AUTO_LOCK_SECONDS, "soon"),
        (AUTO_LOCK_SECONDS, -5),  # fails its check: a lock delay must be positive
        (AUTO_LOCK_SECONDS, "nan"),
        (AUTO_LOCK_SECONDS, True),  # a bool is not a number of seconds
        (THEME, "purple"),  # not one of the choices
        (THEME, 3),
        (PCS_URL, "ftp://example.com"),
        (NETWORK, "Not A Network!"),
        (WINDOW_GEOMETRY, "@ByteArray(garbage)"),
    ],
)
def test_a_bad_stored_value_reads_as_the_default(setting: Any, stored: object) -> None:
    settings = Settings(DictStorage({setting.key: stored}))
    assert settings.get(setting) == setting.default


def test_writing_checks_the_value_and_keeps_the_old_one_on_refusal() -> None:
    settings = Settings(DictStorage())
    settings.set(PCS_URL, "https://pccs.example.org:8081")
    with pytest.raises(UserFacingError) as refused:
        settings.set(PCS_URL, "pccs.example.org")
    assert "https://" in refused.value.hint
    assert settings.get(PCS_URL) == "https://pccs.example.org:8081"
    with pytest.raises(UserFacingError):
        settings.set(AUTO_LOCK_SECONDS, 0.0)
    with pytest.raises(TypeError):
        settings.set(AUTO_LOCK_SECONDS, "60")  # type: ignore[misc]
    settings.reset(PCS_URL)
    assert settings.get(PCS_URL) == PCS_URL.default


def test_version_0_files_are_migrated_and_keep_their_values() -> None:
    """Before settings were declared, the last account lived under ``wallet/account`` (no version)."""
    storage = DictStorage({"wallet/account": ADDRESS, "appearance/theme": "dark", "window/geometry": b"\x01"})
    settings = Settings(storage)
    assert settings.get(LAST_ACCOUNT) == ADDRESS
    assert settings.get(THEME) == "dark"
    assert "wallet/account" not in storage.values
    assert storage.values[SCHEMA_KEY] == SCHEMA_VERSION
    Settings(storage)  # opening again changes nothing
    assert settings.get(LAST_ACCOUNT) == ADDRESS


def test_a_migration_does_not_overwrite_a_value_already_under_the_new_key() -> None:
    storage = DictStorage({"wallet/account": "0xold", LAST_ACCOUNT.key: ADDRESS})
    assert Settings(storage).get(LAST_ACCOUNT) == ADDRESS
    assert "wallet/account" not in storage.values


def test_a_file_from_a_newer_app_is_read_but_not_migrated() -> None:
    storage = DictStorage({SCHEMA_KEY: SCHEMA_VERSION + 5, "wallet/account": "kept", THEME.key: "light"})
    settings = Settings(storage)
    assert settings.get(THEME) == "light"
    assert storage.values["wallet/account"] == "kept"
    assert storage.values[SCHEMA_KEY] == SCHEMA_VERSION + 5
