"""Start, inspect and stop the sandbox process from the client side (the CLI today, the GUI later).

``up`` starts the sandbox in the background and returns once every part answers; ``down`` stops what
it started, by PID; ``status`` asks each part. The sandbox is only ever reached as a separate process
and through its endpoints file, exactly like a public network.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

import psutil

from desktop_app.core.errors import UserFacingError
from desktop_app.core.localnet.endpoints import ENDPOINTS_FILE, SandboxEndpoints
from desktop_app.core.localnet.files import LOG_FILE, PID_FILE, STARTUP_ERROR_FILE
from desktop_app.core.paths import app_data_dir
from desktop_app.frozen import module_argv

if TYPE_CHECKING:  # httpx loads with the first status check: startup budget, see ui/app.py
    import httpx

PARTS = ("rpc", "ipfs", "sms", "market", "faucet", "workerpool")
START_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 40.0
# Marks our own processes, so a PID recycled by the OS is never mistaken for the sandbox.
DAEMON_MODULE = "desktop_app.sandbox"


DATA_DIR_ENV = "DATAPROTECTOR_SANDBOX_DIR"


def default_data_dir() -> Path:
    """``DATAPROTECTOR_SANDBOX_DIR`` if set (scripts, tests), else the sandbox folder in the user's data."""
    if env := os.environ.get(DATA_DIR_ENV):
        return Path(env)
    return app_data_dir() / "sandbox"


def _daemon_argv(data_dir: Path, new_ports: bool, reset: bool) -> list[str]:
    argv = module_argv(DAEMON_MODULE, "--data-dir", str(data_dir))
    return argv + (["--new-ports"] if new_ports else []) + (["--reset"] if reset else [])


def _read_pids(data_dir: Path) -> dict[str, int]:
    try:
        pids: dict[str, int] = json.loads((data_dir / PID_FILE).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return pids


def _alive(pid: int | None, marker: str) -> psutil.Process | None:
    """The process ``pid`` if it is still ours (its command line names ``marker``), else None."""
    if not pid:
        return None
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return None
        return process if any(marker in part for part in process.cmdline()) else None
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


def running_endpoints(data_dir: Path) -> SandboxEndpoints | None:
    """The endpoints of a sandbox that is running from ``data_dir`` now, or None."""
    daemon = _alive(_read_pids(data_dir).get("daemon"), DAEMON_MODULE)
    if daemon is None or not (data_dir / ENDPOINTS_FILE).exists():
        return None
    endpoints = SandboxEndpoints.read(data_dir)
    return endpoints if endpoints.pid == daemon.pid else None


def up(data_dir: Path | None = None, *, new_ports: bool = False, reset: bool = False) -> SandboxEndpoints:
    """Start the sandbox unless it already runs, and return its endpoints once every part is healthy."""
    data_dir = data_dir or default_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    if (current := running_endpoints(data_dir)) is not None:
        if new_ports or reset:
            raise UserFacingError(
                "The sandbox is already running, so --new-ports/--reset cannot apply.",
                "run `dataprotector-desktop sandbox down` first",
            )
        return current
    _stop_leftovers(data_dir)
    for stale in (ENDPOINTS_FILE, STARTUP_ERROR_FILE):
        (data_dir / stale).unlink(missing_ok=True)
    with (data_dir / LOG_FILE).open("ab") as log:
        process = subprocess.Popen(
            _daemon_argv(data_dir, new_ports, reset),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise _startup_error(data_dir)
        if (endpoints := running_endpoints(data_dir)) is not None and all(status(data_dir).values()):
            return endpoints
        time.sleep(0.1)
    down(data_dir)
    raise UserFacingError(
        f"The sandbox did not become ready within {START_TIMEOUT_S:.0f} s.", f"see {data_dir / LOG_FILE}"
    )


def _startup_error(data_dir: Path) -> UserFacingError:
    try:
        info = json.loads((data_dir / STARTUP_ERROR_FILE).read_text())
        return UserFacingError(info["what"], info.get("hint", ""))
    except (FileNotFoundError, json.JSONDecodeError, KeyError):
        return UserFacingError("The sandbox stopped while starting.", f"see {data_dir / LOG_FILE}")


def status(data_dir: Path | None = None) -> dict[str, bool]:
    """Health of each part: the chain answers with the iExec hub deployed, each service answers HTTP."""
    data_dir = data_dir or default_data_dir()
    endpoints = running_endpoints(data_dir)
    parts = dict.fromkeys(PARTS, False)
    if endpoints is None:
        return parts
    import httpx

    with httpx.Client(timeout=3) as client:
        parts["rpc"] = _chain_healthy(client, endpoints)
        for name, url in (
            ("ipfs", endpoints.ipfsApi),
            ("sms", endpoints.sms),
            ("market", endpoints.market),
            ("faucet", endpoints.faucet),
            ("workerpool", endpoints.workerpoolApi),
        ):
            parts[name] = _answers(client, url)
    return parts


def _chain_healthy(client: httpx.Client, endpoints: SandboxEndpoints) -> bool:
    import httpx

    try:
        reply = client.post(
            endpoints.rpc,
            json={"jsonrpc": "2.0", "id": 1, "method": "eth_getCode", "params": [endpoints.hub, "latest"]},
        )
        code = reply.json().get("result", "0x")
    except (httpx.HTTPError, ValueError):
        return False
    return isinstance(code, str) and len(code) > 2


def _answers(client: httpx.Client, url: str) -> bool:
    """Any HTTP reply means the service process is up (a probe of ``/`` gets its 404 or 405)."""
    import httpx

    try:
        client.get(url + "/")
    except httpx.HTTPError:
        return False
    return True


def down(data_dir: Path | None = None) -> list[str]:
    """Stop the sandbox started from ``data_dir``: the daemon, then anvil if the daemon could not."""
    data_dir = data_dir or default_data_dir()
    pids = _read_pids(data_dir)
    stopped = []
    daemon = _alive(pids.get("daemon"), DAEMON_MODULE)
    if daemon is not None:
        daemon.terminate()  # the daemon stops its services and makes anvil save the chain
        try:
            daemon.wait(timeout=STOP_TIMEOUT_S)
        except psutil.TimeoutExpired:
            daemon.kill()
        stopped.append(f"sandbox (pid {daemon.pid})")
    stopped += _stop_leftovers(data_dir)
    for name in (PID_FILE, ENDPOINTS_FILE):
        (data_dir / name).unlink(missing_ok=True)
    return stopped


def _stop_leftovers(data_dir: Path) -> list[str]:
    """An anvil whose daemon died (crash, kill -9) would hold the port and the state file: stop it."""
    anvil = _alive(_read_pids(data_dir).get("anvil"), "anvil")
    if anvil is None:
        return []
    anvil.send_signal(2)  # SIGINT: anvil saves its state before it exits
    try:
        anvil.wait(timeout=STOP_TIMEOUT_S)
    except psutil.TimeoutExpired:
        anvil.kill()
    return [f"anvil (pid {anvil.pid})"]
