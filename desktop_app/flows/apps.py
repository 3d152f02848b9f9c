"""Browse the iApps of a network: what each one is, what it costs, how it runs, and if you granted it."""

from __future__ import annotations

import json
from dataclasses import dataclass

from desktop_app.core.iexec.chain import AppInfo, PocoClient
from desktop_app.core.iexec.market_client import MarketClient
from desktop_app.core.iexec.network import NetworkProfile
from desktop_app.core.iexec.orders import TAG_TEE

_FRAMEWORK_BITS = ((3, "TDX"), (2, "Gramine"), (1, "SCONE"))


@dataclass(frozen=True)
class AppView:
    address: str
    name: str
    owner: str
    reference: str  # the image (or bundle) reference registered as the app's multiaddr
    checksum: str
    tee_framework: str  # from the enclave description, else from the app order's tag
    fingerprint: str
    price: int | None  # nRLC per run of the cheapest open app order; None when none is offered


def _enclave(info: AppInfo) -> dict[str, object]:
    try:
        description = json.loads(info.mrenclave.decode()) if info.mrenclave else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return description if isinstance(description, dict) else {}


def _framework_of_tag(tag: str) -> str:
    bits = int(tag, 16)
    return next((name for bit, name in _FRAMEWORK_BITS if bits >> bit & 1), "TEE" if bits & 1 else "none")


async def list_apps(profile: NetworkProfile, *, query: str = "", limit: int = 200) -> list[AppView]:
    """The newest ``limit`` apps whose name or address contains ``query`` (case-insensitive)."""
    views = []
    async with PocoClient(profile) as chain, MarketClient(profile) as market:
        for address in await chain.apps(limit=limit):
            info = await chain.view_app(address)
            if query and query.lower() not in f"{info.name} {address}".lower():
                continue
            offers = [o for o in await market.app_orders(address, min_tag=TAG_TEE) if o.remaining > 0]
            cheapest = min(offers, key=lambda o: int(o.order["appprice"]), default=None)
            enclave = _enclave(info)
            framework = enclave.get("framework") or (
                _framework_of_tag(cheapest.order["tag"]) if cheapest else ""
            )
            views.append(
                AppView(
                    address,
                    info.name,
                    info.owner,
                    info.multiaddr.decode("utf-8", errors="replace"),
                    "0x" + info.checksum.hex(),
                    str(framework),
                    str(enclave.get("fingerprint", "")),
                    int(cheapest.order["appprice"]) if cheapest else None,
                )
            )
    return views
