"""The sandbox faucet: any account can ask for test ether, so nothing local ever fails for lack of gas.

It sends a real transfer from a funded dev account (PoCo runs in native mode, so ether is also what a
requester deposits as RLC). An account that already holds enough gets nothing more, which keeps a
misbehaving client from draining the faucet.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from eth_typing import ChecksumAddress
from web3 import AsyncHTTPProvider, AsyncWeb3
from web3.types import Wei

from desktop_app.sandbox.http import ServiceError, json_errors

TOP_UP_WEI = 100 * 10**18
# Below this balance an account is topped up to TOP_UP_WEI.
LOW_BALANCE_WEI = 10 * 10**18
MAX_BODY = 4096

_W3 = web.AppKey("w3", AsyncWeb3)
_SOURCE = web.AppKey("source", str)


async def _request_funds(request: web.Request) -> web.Response:
    try:
        body: Any = await request.json()
    except json.JSONDecodeError as e:
        raise ServiceError(400, f"malformed JSON body: {e.msg}") from e
    address = body.get("address") if isinstance(body, dict) else None
    if not isinstance(address, str) or not AsyncWeb3.is_address(address):
        raise ServiceError(400, 'expected a JSON body {"address": "0x…"} with a valid address')
    w3 = request.app[_W3]
    to: ChecksumAddress = AsyncWeb3.to_checksum_address(address)
    balance = await w3.eth.get_balance(to)
    tx_hash = None
    if balance < LOW_BALANCE_WEI:
        source = AsyncWeb3.to_checksum_address(request.app[_SOURCE])
        sent = await w3.eth.send_transaction({"from": source, "to": to, "value": Wei(TOP_UP_WEI - balance)})
        receipt = await w3.eth.wait_for_transaction_receipt(sent, timeout=30)
        if receipt["status"] != 1:
            raise ServiceError(500, "the faucet transfer reverted")
        tx_hash = "0x" + bytes(sent).hex()
        balance = await w3.eth.get_balance(to)
    return web.json_response({"ok": True, "address": to, "txHash": tx_hash, "balance": str(balance)})


def create_app(rpc_url: str, source: str) -> web.Application:
    """``source`` is an unlocked dev account of the sandbox chain that pays for the top-ups."""
    app = web.Application(middlewares=[json_errors()], client_max_size=MAX_BODY)
    app[_W3] = AsyncWeb3(AsyncHTTPProvider(rpc_url))
    app[_SOURCE] = source
    app.router.add_post("/faucet", _request_funds)
    return app
