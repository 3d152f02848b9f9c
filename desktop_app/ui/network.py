"""Connecting the window to its network, and leaving the local sandbox as it was found.

On ``local`` the sandbox is started if no instance runs yet (``control.up`` spawns and health-checks it,
which blocks: it runs in a worker thread). The connection remembers whether this app started it (its
daemon is younger than our request), so quitting stops only a sandbox the app itself started, never one
the user or another app had running.

Connecting also imports the protocol libraries (web3, eth_account, aiohttp, httpx: most of a second) and
builds the shared TLS context, in a worker thread while the sandbox starts. The window paints without
them (see ``ui/app.py``), and every protocol operation waits for the connection, so none of them first
imports these on the GUI thread: that would freeze the window for as long (0.7 s measured here, against
60 ms at most from a worker thread).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import psutil

from desktop_app.core import http
from desktop_app.core.iexec.network import NetworkProfile, load_profile
from desktop_app.core.localnet import control
from desktop_app.core.localnet.endpoints import SandboxEndpoints
from desktop_app.flows.progress import Reporter, StepDone, StepStarted

START_SANDBOX = "START_SANDBOX"
_CLOCK_SLACK_S = 1.0  # process start times are rounded; a daemon older than this is not ours
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
    connection, _ = await asyncio.gather(_open(name, report), asyncio.to_thread(_import_protocol_libraries))
    return connection


def _import_protocol_libraries() -> None:
    """Load what the first operations would otherwise load on the GUI thread (each measured there)."""
    import aiohttp.client  # noqa: F401 - web3's HTTP session; builds TLS contexts as it loads
    import eth_account  # noqa: F401
    import web3  # noqa: F401 - also loads eth_abi

    http.tls_context()  # the shared TLS context every HTTP client uses


async def _open(name: str, report: Reporter) -> Connection:
    if name != "local":
        report(StepStarted(CONNECT))
        profile = await asyncio.to_thread(load_profile, name)
        report(StepDone(CONNECT))
        return Connection(profile)
    data_dir = control.default_data_dir()
    report(StepStarted(START_SANDBOX))
    asked_at = time.time()
    endpoints = await asyncio.to_thread(control.up, data_dir)  # returns at once if one runs already
    report(StepDone(START_SANDBOX))
    started = await asyncio.to_thread(_started_since, endpoints.pid, asked_at)
    return Connection(load_profile(name, sandbox=endpoints), endpoints, started, data_dir)


def _started_since(pid: int, moment: float) -> bool:
    """Whether the sandbox daemon ``pid`` was started after ``moment``, i.e. by our ``up`` call.

    Judged by the process's start time rather than by asking "is one running?" first, which can
    answer no for a sandbox that runs, and would then stop someone else's sandbox at quit.
    """
    try:
        return psutil.Process(pid).create_time() >= moment - _CLOCK_SLACK_S
    except psutil.Error:
        return False


def disconnect(connection: Connection) -> list[str]:
    """Stop the sandbox if this app started it and it is still that one (blocking: call it at quit)."""
    if not connection.started_sandbox or connection.sandbox_dir is None or connection.endpoints is None:
        return []
    running = control.running_endpoints(connection.sandbox_dir)
    if running is None or running.pid != connection.endpoints.pid:
        return []
    return control.down(connection.sandbox_dir)
