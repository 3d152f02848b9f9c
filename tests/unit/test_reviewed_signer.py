"""A transaction is reviewed with the gas and fee it will really have, and a decline signs nothing."""

from __future__ import annotations

import asyncio

import pytest
from eth_account import Account

from desktop_app.core.errors import UserCancelled
from desktop_app.core.iexec.network import load_profile
from desktop_app.core.wallet.signing import FeeData, SignedTx, TxRequest
from desktop_app.flows.signing import ReviewedSigner, SigningRequest
from tests.support.signers import KeySigner

KEY = "0x" + "11" * 32
TX = TxRequest(chain_id=134, nonce=7, gas=210_000, to="0x" + "22" * 20, data=bytes.fromhex("c0ffee"))
FEES = FeeData(base_fee_per_gas=None, max_priority_fee_per_gas=0, gas_price=2_000_000_000)
ASKED = SigningRequest("transaction", "Register bank.csv", (("network", "Bellecour"),), "")


class Recorder:
    def __init__(self, decline: bool = False) -> None:
        self.seen: list[SigningRequest] = []
        self.decline = decline

    async def __call__(self, request: SigningRequest) -> None:
        self.seen.append(request)
        if self.decline:
            raise UserCancelled


class CountingSigner(KeySigner):
    signed = 0

    def sign_transaction(self, tx: TxRequest, fees: FeeData) -> SignedTx:
        self.signed += 1
        return super().sign_transaction(tx, fees)


def test_the_review_shows_the_real_gas_and_fee_and_the_raw_transaction() -> None:
    review, inner = Recorder(), CountingSigner(Account.from_key(KEY))
    signer = ReviewedSigner(inner, review, load_profile("bellecour"), ASKED)
    signed = asyncio.run(signer.sign_transaction(TX, FEES))
    assert inner.signed == 1 and signed.hash_hex.startswith("0x")
    [shown] = review.seen
    rows = dict(shown.rows)
    assert shown.sentence == "Register bank.csv" and rows["network"] == "Bellecour"
    assert rows["gas"] == "up to 210,000 gas at up to 2 gwei"
    assert rows["fee"] == "at most 0.00042 xRLC, paid by you"  # 210,000 × 2 gwei, bellecour's native RLC
    assert "nonce: 7" in shown.raw and "data: 0xc0ffee" in shown.raw and signer.address == inner.address


def test_a_declined_review_signs_nothing() -> None:
    inner = CountingSigner(Account.from_key(KEY))
    signer = ReviewedSigner(inner, Recorder(decline=True), load_profile("arbitrum-mainnet"), ASKED)
    with pytest.raises(UserCancelled):
        asyncio.run(signer.sign_transaction(TX, FEES))
    assert inner.signed == 0
