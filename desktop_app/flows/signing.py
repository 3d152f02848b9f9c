"""Every signature a flow asks for passes one review first: a sentence, decoded rows, and the raw data.

Flows never sign blind. They describe what is about to be signed as a ``SigningRequest`` (a sentence a
person can read, with names before addresses, plus rows and the raw payload) and await the caller's
``Review``. The CLI approves (the user asked for the command); the GUI shows its review dialog and raises
``UserCancelled`` on decline, which is not an error.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from desktop_app.core.iexec.chain import TxSigner
    from desktop_app.core.iexec.network import NetworkProfile
    from desktop_app.core.wallet.signing import FeeData, SignedTx, TxRequest


@dataclass(frozen=True)
class SigningRequest:
    kind: Literal["typed-data", "transaction"]
    sentence: str
    rows: tuple[tuple[str, str], ...]
    raw: str
    risks: tuple[str, ...] = field(default=())


Review = Callable[[SigningRequest], Awaitable[None]]


async def approve(_request: SigningRequest) -> None:
    """The CLI's review: running the command was the user's approval."""


def fee_rows(tx: TxRequest, fees: FeeData, profile: NetworkProfile) -> tuple[tuple[str, str], ...]:
    """What a transaction can cost at most, as the review shows it: gas limit × max fee per gas."""
    coin = "xRLC" if profile.native_rlc else "ETH"
    gwei = fees.max_fee_per_gas / 1e9
    most = tx.gas * fees.max_fee_per_gas / 1e18
    return (
        ("gas", f"up to {tx.gas:,} gas at up to {gwei:.3g} gwei"),
        ("fee", f"at most {most:.6g} {coin}, paid by you"),
    )


class ReviewedSigner:
    """A ``TxSigner`` that shows the transaction, with its real gas and fees, before signing it.

    The chain client estimates gas and reads the fee market before it asks for a signature; reviewing
    here, rather than before the call, is what lets the review show the fee the owner will pay.
    ``request`` gives the sentence, the rows and any raw data (an order); the fee rows and the raw
    transaction are added to them.
    """

    def __init__(
        self,
        signer: TxSigner,
        review: Review,
        profile: NetworkProfile,
        request: SigningRequest,
    ) -> None:
        self._signer, self._review, self._profile, self._request = signer, review, profile, request

    @property
    def address(self) -> str:
        return self._signer.address

    async def sign_transaction(self, tx: TxRequest, fees: FeeData) -> SignedTx:
        base = self._request
        sent = f"to: {tx.to}\nchain id: {tx.chain_id}\nnonce: {tx.nonce}\ndata: 0x{tx.data.hex()}"
        raw = f"{base.raw}\n\n{sent}" if base.raw else sent
        await self._review(
            dataclasses.replace(base, rows=base.rows + fee_rows(tx, fees, self._profile), raw=raw)
        )
        signed = self._signer.sign_transaction(tx, fees)
        return await signed if inspect.isawaitable(signed) else signed
