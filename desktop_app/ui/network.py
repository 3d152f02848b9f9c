"""Connecting the window to its network, and leaving the local sandbox as it was found.

On ``local`` the sandbox is started if no instance runs yet (``control.up`` spawns and health-checks it,
which blocks: it runs in a worker thread). The connection remembers whether this app started it, so
quitting stops only a sandbox the app itself started, never one the user or another app had running.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from desktop_app.core.iexec.network import NetworkProfile, load_profile
from desktop_app.core.localnet import control
from desktop_app.core.localnet.endpoints import SandboxEndpoints
from desktop_app.flows.progress import Reporter, StepDone, StepStarted

START_SANDBOX = "START_SANDBOX"
CONNECT = "CONNECT"


@dataclass(frozen=True)
class Connection:
    profile: NetworkProfile
    endpoints: SandboxEndpoints | None = None  # the sandbox's, on ``local``
    started_sandbox: bool = False
    sandbox_dir: Path | None = None


Connector = Callable[[str, Reporter], Awaitable[Connection]]


def steps_of(name: str) -> tuple[str, ...]:
    return (START_SANDBOX,) if name == "local" else (CONNECT,)


async def connect_network(name: str, report: Reporter) -> Connection:
    """Open the network ``name``; on ``local``, find or start the sandbox first."""
    if name != "local":
        report(StepStarted(CONNECT))
        profile = await asyncio.to_thread(load_profile, name)
        report(StepDone(CONNECT))
        return Connection(profile)
    data_dir = control.default_data_dir()
    report(StepStarted(START_SANDBOX))
    running = await asyncio.to_thread(control.running_endpoints, data_dir)
    endpoints = running if running is not None else await asyncio.to_thread(control.up, data_dir)
    report(StepDone(START_SANDBOX))
    return Connection(load_profile(name, sandbox=endpoints), endpoints, running is None, data_dir)


def disconnect(connection: Connection) -> list[str]:
    """Stop the sandbox if this app started it (blocking: call it at quit, after the window closed)."""
    if connection.started_sandbox and connection.sandbox_dir is not None:
        return control.down(connection.sandbox_dir)
    return []
