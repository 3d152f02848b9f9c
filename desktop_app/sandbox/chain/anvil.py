"""Run anvil (from npm ``@foundry-rs/anvil``) as the sandbox's chain, with its state kept on disk.

anvil's ``--state`` loads the chain from a file at start and writes it back on exit (and every few seconds
with ``--state-interval``), so a protected dataset registered yesterday is still on the chain today.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from desktop_app.core.errors import UserFacingError

CHAIN_ID = 31337
# anvil's well-known default accounts derive from this mnemonic at m/44'/60'/0'/0/i. They exist only on
# this loopback chain; their keys are public knowledge, which is why the sandbox may hand them out.
DEV_MNEMONIC = "test test test test test test test test test test test junk"
STATE_DUMP_SECONDS = 5


@dataclass(frozen=True)
class AnvilConfig:
    binary: Path
    port: int
    state_file: Path
    log_file: Path


def start_anvil(config: AnvilConfig) -> subprocess.Popen[bytes]:
    argv = [
        str(config.binary),
        "--host", "127.0.0.1",
        "--port", str(config.port),
        "--chain-id", str(CHAIN_ID),
        "--mnemonic", DEV_MNEMONIC,
        "--accounts", "10",
        "--state", str(config.state_file),
        "--state-interval", str(STATE_DUMP_SECONDS),
        # Keep the state of old blocks across restarts, so calls and event queries at past blocks work.
        "--preserve-historical-states",
    ]  # fmt: skip
    log = config.log_file.open("ab")
    try:
        return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    finally:
        log.close()


def wait_until_ready(process: subprocess.Popen[bytes], config: AnvilConfig, timeout: float = 60.0) -> None:
    """Return once anvil answers JSON-RPC; explain the failure in plain words if it exits instead."""
    url = f"http://127.0.0.1:{config.port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise _explain_exit(config)
        try:
            reply = httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}, timeout=2)
            if reply.status_code == 200 and "result" in reply.json():
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise UserFacingError(
        f"The local chain (anvil) did not answer on port {config.port} within {timeout:.0f} s.",
        f"see {config.log_file} for its output",
    )


def _explain_exit(config: AnvilConfig) -> UserFacingError:
    tail = config.log_file.read_text(errors="replace")[-2000:] if config.log_file.exists() else ""
    lowered = tail.lower()
    if "address already in use" in lowered or "addrinuse" in lowered:
        return UserFacingError(
            f"Port {config.port} for the local chain is taken by another program.",
            "stop that program, or run `dataprotector-desktop sandbox up --new-ports` to pick free ports",
        )
    if "state" in lowered and ("failed" in lowered or "error" in lowered or "invalid" in lowered):
        return UserFacingError(
            f"The local chain's saved state ({config.state_file}) is corrupt and cannot be loaded.",
            "restore it from the backup beside it (state.json.bak), or run `dataprotector-desktop sandbox up "
            "--reset` to start a fresh local chain (data registered on the old one is lost)",
        )
    last = tail.strip().splitlines()[-1] if tail.strip() else "no output"
    return UserFacingError(f"The local chain (anvil) stopped at start: {last}", f"see {config.log_file}")
