"""Keep the order book true to the chain: cancellations and matches happen on chain, not in the market.

A data owner revokes a grant with ``manageDatasetOrder(CLOSE)`` and a run consumes volume in
``matchOrders``; neither goes through the market. Like iexec-market-api's watcher, this task reads the
hub's ``ClosedAppOrder``/``ClosedDatasetOrder``/``ClosedWorkerpoolOrder`` events (the order becomes
``canceled`` with nothing remaining) and ``OrdersMatched`` (remaining becomes volume − ``viewConsumed``,
and ``filled`` at zero).

It polls ``eth_getLogs`` from the block after the last one it applied, and stores that block after each
batch, so a restarted market resumes where it stopped instead of missing what happened while it was down.
Applying an event twice changes nothing, which is what makes "apply, then store the block" safe if the
process dies in between. A market with no stored block starts from block 0: scanning a local chain is
quick, and no event can slip between a publication and the watcher's first look. Anvil does not reorg,
so reorgs are not handled.

Use :func:`run_watcher` as a task; the market app starts and stops it with the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from desktop_app.sandbox.chain.view import ChainView
from desktop_app.sandbox.market.store import MarketStore, OrderStatus

log = logging.getLogger(__name__)

CLOSED_EVENTS = ("ClosedAppOrder", "ClosedDatasetOrder", "ClosedWorkerpoolOrder")
MATCHED_EVENT = "OrdersMatched"
MAX_BLOCK_RANGE = 2000
"""Blocks per ``eth_getLogs``, so that catching up on a long chain never asks for everything at once."""


async def run_watcher(
    store: MarketStore, chain: ChainView, poll_interval: float = 0.5, stop: asyncio.Event | None = None
) -> None:
    """Apply the hub's order events to ``store`` every ``poll_interval`` seconds until ``stop`` is set.

    A failing poll (the node restarting, say) is logged and retried at the next interval: the watcher
    outlives transient errors because the market is useless without it.
    """
    stop = stop or asyncio.Event()
    while not stop.is_set():
        try:
            await catch_up(store, chain)
        except Exception:
            log.exception("market watcher: reading the chain's order events failed; retrying")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), poll_interval)


async def catch_up(store: MarketStore, chain: ChainView) -> None:
    """Apply every order event from the block after the stored one up to the current head."""
    head: int = await chain.w3.eth.block_number
    last = store.last_block()
    start = 0 if last is None else last + 1
    names = {topic: name for name, topic in event_topics(chain).items()}
    while start <= head:
        end = min(head, start + MAX_BLOCK_RANGE - 1)
        logs = await chain.w3.eth.get_logs(
            {"address": chain.hub.address, "fromBlock": start, "toBlock": end, "topics": [list(names)]}
        )
        for entry in logs:
            await _apply(store, chain, names["0x" + bytes(entry["topics"][0]).hex()], entry)
        store.set_last_block(end)
        start = end + 1


def event_topics(chain: ChainView) -> dict[str, str]:
    """topic0 of each event the watcher follows, from the hub's ABI."""
    return {name: str(chain.hub.events[name].topic) for name in (*CLOSED_EVENTS, MATCHED_EVENT)}


async def _apply(store: MarketStore, chain: ChainView, name: str, entry: Any) -> None:
    args = chain.hub.events[name]().process_log(entry)["args"]
    if name == MATCHED_EVENT:
        for key in ("appHash", "datasetHash", "workerpoolHash"):
            await _refresh_remaining(store, chain, _hex(args[key]))
    else:
        (order_hash,) = args.values()
        store.cancel(_hex(order_hash))


async def _refresh_remaining(store: MarketStore, chain: ChainView, order_hash: str) -> None:
    """Recompute an open order's remaining volume from the chain (a match consumed part of it)."""
    entry = store.get_order(order_hash)
    if entry is None or entry.status != OrderStatus.OPEN:
        return
    consumed = await chain.consumed(bytes.fromhex(order_hash[2:]))
    store.set_remaining(order_hash, int(entry.order["volume"]) - consumed)


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()
