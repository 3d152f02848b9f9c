"""The wallet's own failures, as ``UserFacingError`` subclasses the UI can tell apart.

They are types rather than messages because the UI reacts differently to each: a locked wallet opens the
unlock dialog and retries, a wrong password re-asks; everything else is simply shown.
"""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.errors import UserFacingError


class WalletLocked(UserFacingError):
    """The account must be unlocked first (never unlocked, locked by hand, or locked after idling)."""

    def __init__(self, address: str) -> None:
        super().__init__(f"The account {address} is locked.", "unlock it with its password and try again")
        self.address = address


class WrongPassword(UserFacingError):
    """The password does not open this keystore; nothing was changed."""

    def __init__(self, what: str = "Wrong password.") -> None:
        super().__init__(what, "check the password and try again")


class AccountExists(UserFacingError):
    """Importing an address that the wallet already holds; the existing account is left untouched."""

    def __init__(self, address: str) -> None:
        super().__init__(f"The account {address} is already in your wallet.", "nothing was changed")
        self.address = address


def damaged_file(path: Path, detail: str) -> UserFacingError:
    """A wallet file that cannot be read as what it should be. It is named so the user can move it aside."""
    return UserFacingError(
        f"The wallet file {path} is damaged or not a wallet file ({detail}).",
        "restore it from a backup or move it out of the wallet folder; no other file was changed",
    )


def unwritable(directory: Path, error: OSError) -> UserFacingError:
    """A folder refused a write; the half-written temporary file has already been removed."""
    return UserFacingError(
        f"Could not write to the folder {directory} ({error.strerror or error}).",
        "check that the folder exists, is writable and has free space; nothing was saved",
    )
