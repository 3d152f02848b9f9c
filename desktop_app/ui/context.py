"""What one window works with (``AppContext``) and the little state it follows (``AppState``).

``AppContext`` gathers the core objects (wallet, journal, keyring memory, folders) and the knobs tests
turn (a connector that does not spawn a sandbox, shorter delays). ``AppState`` is the only mutable state
of the GUI: the current connection and account session, with signals so the header and the pages follow.
Everything else is read from the core when it is drawn.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from desktop_app.core.errors import UserFacingError
from desktop_app.core.iexec.network import DEFAULT_PROFILE, NetworkProfile, available_profiles
from desktop_app.core.paths import app_data_dir
from desktop_app.core.settings import AUTO_LOCK_SECONDS, LAST_ACCOUNT, NETWORK, REMEMBER_PASSWORD, Settings
from desktop_app.core.store.activity import Activity
from desktop_app.core.store.database import Database
from desktop_app.core.store.protect_jobs import ProtectJobs
from desktop_app.core.wallet import PasswordMemory, Wallet, WalletSession
from desktop_app.ui.network import Connection, Connector, connect_network
from desktop_app.ui.settings_store import user_settings
from desktop_app.ui.unlock import ensure_unlocked

REVIEW_ARM_DELAY_MS = 1500


@dataclass
class AppContext:
    wallet: Wallet
    jobs: ProtectJobs
    memory: PasswordMemory
    work_dir: Path
    settings: Settings
    network: str = DEFAULT_PROFILE
    connect: Connector = connect_network
    review_arm_delay_ms: int = REVIEW_ARM_DELAY_MS
    progress_delay_ms: int = 600

    @property
    def activity(self) -> Activity:
        """The activity journal, in the same database as the protect journal."""
        return Activity(self.jobs.db)

    @classmethod
    def default(cls, settings: Settings | None = None) -> AppContext:
        """The real app's context: the user's wallet, journal, keyring and settings, on the network the
        settings name (``local`` when they name one this version does not know)."""
        settings = settings or user_settings()
        network = settings.get(NETWORK)
        return cls(
            wallet=Wallet(),
            jobs=ProtectJobs(Database()),
            memory=PasswordMemory(),
            work_dir=app_data_dir() / "work",
            settings=settings,
            network=network if network in available_profiles() else DEFAULT_PROFILE,
        )


class AppState(QObject):
    """The connection and the account in use; ``lock_changed`` fires when the session locks or unlocks."""

    connection_changed = Signal()
    account_changed = Signal()
    lock_changed = Signal(bool)

    def __init__(self, context: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.connection: Connection | None = None
        self.session: WalletSession | None = None
        self._connected = asyncio.Event()
        self._unlocking = asyncio.Lock()
        self._unlocked = False

    @property
    def profile(self) -> NetworkProfile | None:
        return self.connection.profile if self.connection is not None else None

    def set_connection(self, connection: Connection) -> None:
        self.connection = connection
        self._connected.set()
        self.connection_changed.emit()

    def drop_connection(self) -> Connection | None:
        """Forget the connection before opening another network; work started from now on waits for
        the new one. Returns the old one, for the caller to close."""
        old, self.connection = self.connection, None
        self._connected.clear()
        self.connection_changed.emit()
        return old

    async def connected(self) -> Connection:
        """The connection, once the network is open (waits while the sandbox starts)."""
        await self._connected.wait()
        assert self.connection is not None
        return self.connection

    def use_account(self, address: str) -> WalletSession:
        """Switch to ``address`` (locked); it is remembered as the account to open next time."""
        if self.session is not None:
            self.session.lock()
        settings = self.context.settings
        self.session = WalletSession(
            self.context.wallet, address, idle_timeout=settings.get(AUTO_LOCK_SECONDS)
        )
        settings.set(LAST_ACCOUNT, self.session.address)
        self.account_changed.emit()
        self.poll_lock()
        return self.session

    def restore_account(self) -> WalletSession | None:
        """Open the account used last time (or the oldest one); None when the wallet has no account."""
        accounts = self.context.wallet.accounts()
        if not accounts:
            return None
        remembered = self.context.settings.get(LAST_ACCOUNT).lower()
        chosen = next((a for a in accounts if a.address.lower() == remembered), accounts[0])
        return self.use_account(chosen.address)

    def poll_lock(self) -> bool:
        """Read the session's lock state (reading it performs the idle auto-lock) and signal a change."""
        unlocked = self.session is not None and self.session.is_unlocked
        if unlocked != self._unlocked:
            self._unlocked = unlocked
            self.lock_changed.emit(unlocked)
        return unlocked

    def lock(self) -> None:
        if self.session is not None:
            self.session.lock()
        self.poll_lock()

    def set_idle_timeout(self, seconds: float) -> None:
        """A new auto-lock delay, for this session at once (the next poll locks it if already idle that
        long) and for every session opened later."""
        self.context.settings.set(AUTO_LOCK_SECONDS, seconds)
        if self.session is not None:
            self.session.idle_timeout = seconds
        self.poll_lock()

    async def unlocked(self, parent: QWidget, reason: str) -> WalletSession:
        """The session, unlocked (asking for the password if needed). One unlock dialog at a time: two
        files dropped together wait for the same unlock instead of opening two dialogs."""
        async with self._unlocking:
            if self.session is None:
                raise UserFacingError("There is no account yet.", "create or import one first")
            remember = self.context.settings.get(REMEMBER_PASSWORD)
            session = await ensure_unlocked(
                self.session, self.context.memory, parent, reason, remember=remember
            )
        self.poll_lock()
        return session
