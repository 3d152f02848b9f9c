"""What each account holds of the chain's own coin (the one that pays for gas), for the Wallet page."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from desktop_app.core.iexec.chain import PocoClient
from desktop_app.core.iexec.network import NetworkProfile

WEI_PER_COIN = 10**18


async def balances(profile: NetworkProfile, addresses: Sequence[str]) -> dict[str, int]:
    """The balance in wei of each address on ``profile``'s chain, by address as given."""
    async with PocoClient(profile) as chain:
        return {address: await chain.balance(address) for address in addresses}


def coin(profile: NetworkProfile) -> str:
    """The native coin's name: RLC where iExec runs on its own chain (and on the local sandbox), else ETH."""
    return "RLC" if profile.native_rlc else "ETH"


def format_balance(wei: int, unit: str) -> str:
    """``wei`` in whole coins with at most four decimals, e.g. "100 RLC", "0.0312 ETH"."""
    amount = (Decimal(wei) / WEI_PER_COIN).quantize(Decimal("0.0001")).normalize()
    return f"{amount:f} {unit}"
