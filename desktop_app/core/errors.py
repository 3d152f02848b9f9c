"""The one error taxonomy of the app (after Electrum's): every failure a person sees is one of these.

- ``UserFacingError``: something the user can understand and act on; shown with ``what`` and ``hint``.
- ``UserCancelled``: the user said no (declined a signature, pressed Cancel); shown as nothing at all.
- ``ProtocolUnavailable``: a network service is down or unreachable; "retry later", nothing was lost.
Anything else is a bug and goes to the crash report.
"""

from __future__ import annotations


class UserFacingError(Exception):
    """A failure explained in plain words: what happened, and what to do about it."""

    def __init__(self, what: str, hint: str = "") -> None:
        super().__init__(what)
        self.what = what
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.what} {self.hint[:1].upper()}{self.hint[1:]}." if self.hint else self.what


class UserCancelled(Exception):
    """The user declined or cancelled; callers stop quietly."""


class ProtocolUnavailable(UserFacingError):
    """A service of the iExec protocol (RPC, SMS, IPFS, market) did not answer. Nothing was lost."""

    def __init__(self, service: str, detail: str = "") -> None:
        what = f"The {service} service appears to be unavailable" + (f" ({detail})." if detail else ".")
        super().__init__(what, "nothing was lost; retry later")
        self.service = service
