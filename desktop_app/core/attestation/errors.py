"""The two ways attestation input can be unusable, as opposed to usable but failing verification.

A quote or collateral that cannot even be read is the caller's input problem (the CLI exits 2), while a
readable quote whose signatures or TCB do not hold is a verification *result* (a report with failed
checks, exit 1). Keeping both as one small family lets callers catch "unusable input" in one place.
"""

from __future__ import annotations

from desktop_app.core.errors import UserFacingError


class AttestationInputError(UserFacingError):
    """Attestation evidence that cannot be parsed at all."""


class QuoteFormatError(AttestationInputError):
    """The bytes are not a well-formed SGX DCAP v3 or TDX v4/v5 quote."""

    def __init__(self, what: str) -> None:
        super().__init__(f"Malformed quote: {what}.", "check that the file is a raw DCAP quote")


class CollateralFormatError(AttestationInputError):
    """The collateral (TCB info, QE identity, CRLs, issuer chains) cannot be read."""

    def __init__(self, what: str) -> None:
        super().__init__(f"Malformed collateral: {what}.", "fetch the collateral again")
