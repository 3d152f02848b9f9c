"""A real anvil node with iExec's real PoCo deployed, for tests of code that talks to the chain."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from web3 import Web3

from desktop_app.sandbox.chain.accounts import dev_account
from desktop_app.sandbox.chain.anvil import AnvilConfig, start_anvil, wait_until_ready
from desktop_app.sandbox.chain.deploy import Deployment, deploy
from desktop_app.sandbox.parts import Parts
from desktop_app.sandbox.ports import free_port

__all__ = ["LocalChain", "dev_account", "free_port", "running_chain"]


@dataclass
class LocalChain:
    rpc_url: str
    w3: Web3
    deployment: Deployment
    parts: Parts

    def hub(self):  # type: ignore[no-untyped-def]
        return self.w3.eth.contract(
            address=Web3.to_checksum_address(self.deployment.hub),
            abi=self.parts.poco_artifact("IexecInterfaceNative")["abi"],
        )


@contextmanager
def running_chain(workdir: Path) -> Iterator[LocalChain]:
    parts = Parts.locate()
    config = AnvilConfig(parts.anvil, free_port(), workdir / "state.json", workdir / "anvil.log")
    process = start_anvil(config)
    try:
        wait_until_ready(process, config)
        rpc_url = f"http://127.0.0.1:{config.port}"
        w3 = Web3(Web3.HTTPProvider(rpc_url))
        deployment = deploy(w3, parts, w3.eth.accounts[0])
        yield LocalChain(rpc_url, w3, deployment, parts)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
