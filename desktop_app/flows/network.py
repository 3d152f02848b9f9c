"""Open a network by name: for ``local``, start the sandbox first (or find it running) and read its file."""

from __future__ import annotations

import asyncio

from desktop_app.core.iexec.network import NetworkProfile, load_profile
from desktop_app.core.localnet import control


async def open_profile(name: str) -> NetworkProfile:
    if name != "local":
        return load_profile(name)
    endpoints = await asyncio.to_thread(control.up)  # spawning and health-checking block: off the loop
    return load_profile(name, sandbox=endpoints)
