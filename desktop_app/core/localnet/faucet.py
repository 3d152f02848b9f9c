"""Ask the local sandbox's faucet for test ether, so a new local account never fails for lack of gas."""

from __future__ import annotations

from desktop_app.core.errors import ProtocolUnavailable
from desktop_app.core.localnet.endpoints import SandboxEndpoints


def fund(endpoints: SandboxEndpoints, address: str) -> int:
    """Top ``address`` up; returns its balance in wei. Does nothing for an account that has enough."""
    import httpx  # deferred: startup budget, see ui/app.py

    try:
        reply = httpx.post(f"{endpoints.faucet}/faucet", json={"address": address}, timeout=60)
    except httpx.HTTPError as e:
        raise ProtocolUnavailable("sandbox faucet", str(e)) from e
    if reply.status_code != 200:
        raise ProtocolUnavailable("sandbox faucet", f"HTTP {reply.status_code}: {reply.text[:200]}")
    return int(reply.json()["balance"])
