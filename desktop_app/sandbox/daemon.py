"""The sandbox process: starts the chain and the services, writes the endpoints file, stops on a signal.

Layout of a data directory (everything the sandbox keeps lives here, so state survives ``down``/``up``):

    config.json          the ports, chosen once and reused so clients' saved URLs stay valid
    sandbox.pid          {"daemon": pid, "anvil": pid} while running
    endpoints.json       what clients read (desktop_app.core.localnet.endpoints)
    startup-error.json   why the last start failed, in plain words, for the launcher to show
    chain/               anvil state (+ .bak of the last clean stop), deployment.json, anvil.log
    ipfs/ sms/ market/   each service's own store
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web
from web3 import Web3

from desktop_app.core.errors import UserFacingError
from desktop_app.core.localnet.endpoints import DevAccount, SandboxEndpoints
from desktop_app.core.localnet.files import CONFIG_FILE, PID_FILE, STARTUP_ERROR_FILE
from desktop_app.sandbox import faucet, faults
from desktop_app.sandbox.chain import accounts
from desktop_app.sandbox.chain.anvil import AnvilConfig, start_anvil, wait_until_ready
from desktop_app.sandbox.chain.deploy import Deployment, deploy
from desktop_app.sandbox.chain.view import ChainView
from desktop_app.sandbox.enclave.pki import SandboxPki
from desktop_app.sandbox.ipfs import server as ipfs_server
from desktop_app.sandbox.ipfs.server import kubo_error_body
from desktop_app.sandbox.market import server as market_server
from desktop_app.sandbox.parts import Parts
from desktop_app.sandbox.pool import api as pool_api
from desktop_app.sandbox.pool import setup as pool_setup
from desktop_app.sandbox.pool.journal import TaskJournal
from desktop_app.sandbox.pool.scheduler import Scheduler
from desktop_app.sandbox.ports import free_port, port_is_free
from desktop_app.sandbox.sms import server as sms_server
from desktop_app.sandbox.worker.attest import pki_dir
from desktop_app.sandbox.worker.context import journal_path

log = logging.getLogger("desktop_app.sandbox")

SERVICES = ("rpc", "ipfs", "sms", "market", "faucet", "workerpool")


def load_ports(data_dir: Path, new_ports: bool) -> dict[str, int]:
    """The ports of each part: chosen once, then reused; a taken port is an error that names the part."""
    config_path = data_dir / CONFIG_FILE
    config = {} if new_ports or not config_path.exists() else json.loads(config_path.read_text())
    ports: dict[str, int] = config.get("ports", {})
    for name in SERVICES:
        if name not in ports:
            ports[name] = free_port()
        elif not port_is_free(ports[name]):
            raise UserFacingError(
                f"Port {ports[name]} for the sandbox's {name} service is taken by another program.",
                "stop that program, or run `dataprotector-desktop sandbox up --new-ports` to pick free ports",
            )
    config_path.write_text(json.dumps({**config, "ports": ports}, indent=1))
    return ports


def _client_accounts() -> list[DevAccount]:
    clients = [accounts.dev_account(i) for i in range(accounts.FIRST_CLIENT, accounts.COUNT)]
    return [DevAccount(address=a.address, privateKey="0x" + a.key.hex()) for a in clients]


@dataclass
class Sandbox:
    data_dir: Path
    anvil: subprocess.Popen[bytes]
    anvil_config: AnvilConfig
    runners: list[web.AppRunner] = field(default_factory=list)
    scheduler: Scheduler | None = None
    scheduler_task: asyncio.Task[None] | None = None
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    async def stop(self) -> None:
        self.stopping.set()
        if self.scheduler_task is not None:
            await self.scheduler_task
        if self.scheduler is not None:
            self.scheduler.stop_workers()
        for runner in self.runners:
            await runner.cleanup()
        stop_anvil(self.anvil, self.anvil_config)


def stop_anvil(process: subprocess.Popen[bytes], config: AnvilConfig) -> None:
    """SIGINT makes anvil write its state; keep a copy of that clean dump as the backup to restore from."""
    if process.poll() is None:
        if sys.platform == "win32":
            process.terminate()  # no SIGINT there; --state-interval has saved the chain seconds ago
        else:
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return
    if process.returncode == 0 and config.state_file.exists():
        shutil.copy2(config.state_file, config.state_file.with_name(config.state_file.name + ".bak"))


def _chain(
    parts: Parts, data_dir: Path, port: int, reset: bool
) -> tuple[subprocess.Popen[bytes], AnvilConfig]:
    chain_dir = data_dir / "chain"
    chain_dir.mkdir(exist_ok=True)
    config = AnvilConfig(parts.anvil, port, chain_dir / "state.json", chain_dir / "anvil.log")
    if reset:
        for name in ("state.json", "deployment.json"):
            (chain_dir / name).unlink(missing_ok=True)
    process = start_anvil(config)
    wait_until_ready(process, config)
    return process, config


def _deployment(w3: Web3, parts: Parts, chain_dir: Path) -> Deployment:
    """Deploy on a fresh chain (cold start) or check the saved deployment is still on the chain (warm)."""
    path = chain_dir / "deployment.json"
    if path.exists():
        deployment = Deployment.load(path)
        if w3.eth.get_code(Web3.to_checksum_address(deployment.hub)) in (b"", b"\x00"):
            raise UserFacingError(
                "The local chain's state no longer holds the iExec contracts recorded in "
                f"{path} (the state file was replaced or lost).",
                "restore chain/state.json.bak, or run `dataprotector-desktop sandbox up --reset` to start a "
                "fresh local chain (data registered on the old one is lost)",
            )
        return deployment
    log.info("deploying PoCo %s on a fresh local chain", "6.1.0")
    deployment = deploy(w3, parts, w3.eth.accounts[accounts.DEPLOYER])
    deployment.save(path)
    return deployment


async def _serve(app: web.Application, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


def _pki(data_dir: Path) -> SandboxPki:
    """The simulated TEE's PKI, made once when the sandbox is created and kept with its state."""
    directory = pki_dir(data_dir)
    if not (directory / "root.cert.pem").exists():
        SandboxPki.generate(now=datetime.now(UTC)).save(directory)
    return SandboxPki.load(directory)


def _apps(
    data_dir: Path, rpc: str, chain: ChainView, w3: Web3, journal: TaskJournal, faults_on: frozenset[str]
) -> dict[str, web.Application]:
    ipfs = ipfs_server.create_app(data_dir / "ipfs")
    sms = sms_server.create_app(data_dir / "sms", chain)
    if faults.IPFS_500_ONCE in faults_on:
        ipfs.middlewares.insert(
            0, faults.fail_first_request(500, kubo_error_body(500, "fault switch"), ("/api/", "/ipfs/"))
        )
    if faults.SMS_DOWN in faults_on:
        sms.middlewares.insert(0, faults.fail_every_request(503, {"error": "fault switch: SMS down"}))
    return {
        "ipfs": ipfs,
        "sms": sms,
        "market": market_server.create_app(data_dir / "market" / "market.db", chain),
        "faucet": faucet.create_app(rpc, w3.eth.accounts[accounts.FAUCET]),
        "workerpool": pool_api.create_app(journal, _pki(data_dir).root_der),
    }


async def start(data_dir: Path, new_ports: bool = False, reset: bool = False) -> Sandbox:
    faults_on = faults.active()
    parts = Parts.locate()
    ports = load_ports(data_dir, new_ports)
    anvil, anvil_config = await asyncio.to_thread(_chain, parts, data_dir, ports["rpc"], reset)
    sandbox = Sandbox(data_dir, anvil, anvil_config)
    (data_dir / PID_FILE).write_text(json.dumps({"daemon": os.getpid(), "anvil": anvil.pid}))
    base = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    try:
        rpc = base["rpc"]
        w3 = Web3(Web3.HTTPProvider(rpc))
        deployment = await asyncio.to_thread(_deployment, w3, parts, data_dir / "chain")
        pool = await asyncio.to_thread(pool_setup.register, w3, parts, deployment)
        chain = ChainView(rpc, deployment, parts)
        for name in ("ipfs", "sms", "market", "pool"):
            (data_dir / name).mkdir(exist_ok=True)
        journal = TaskJournal(journal_path(data_dir))
        for name, app in _apps(data_dir, rpc, chain, w3, journal, faults_on).items():
            sandbox.runners.append(await _serve(app, ports[name]))
        await pool_setup.publish_standing_orders(base["market"], await chain.domain(), pool)
        sandbox.scheduler = Scheduler(data_dir, chain, pool, journal, base["sms"])
        sandbox.scheduler_task = asyncio.create_task(sandbox.scheduler.run(sandbox.stopping))
    except BaseException:
        await sandbox.stop()
        raise
    SandboxEndpoints(
        rpc=rpc,
        chainId=w3.eth.chain_id,
        hub=deployment.hub,
        dataProtector=deployment.dataprotector,
        appRegistry=deployment.app_registry,
        datasetRegistry=deployment.dataset_registry,
        workerpoolRegistry=deployment.workerpool_registry,
        ipfsApi=base["ipfs"],
        ipfsGateway=base["ipfs"],
        sms=base["sms"],
        market=base["market"],
        faucet=base["faucet"],
        workerpool=pool.workerpool,
        workerpoolApi=base["workerpool"],
        pid=os.getpid(),
        devAccounts=_client_accounts(),
    ).write(data_dir)
    return sandbox


async def run(data_dir: Path, new_ports: bool, reset: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    sandbox = await start(data_dir, new_ports, reset)
    log.info("sandbox running from %s", data_dir)
    try:
        await stop.wait()
    finally:
        log.info("sandbox stopping")
        await sandbox.stop()
        (data_dir / PID_FILE).unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m desktop_app.sandbox")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--new-ports", action="store_true")
    parser.add_argument("--reset", action="store_true")
    args = parser.parse_args(argv)
    data_dir: Path = args.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    error_file = data_dir / STARTUP_ERROR_FILE
    error_file.unlink(missing_ok=True)
    try:
        asyncio.run(run(data_dir, args.new_ports, args.reset))
    except UserFacingError as e:
        error_file.write_text(json.dumps({"what": e.what, "hint": e.hint}))
        log.error("%s", e)
        return 1
    except Exception as e:
        log.exception("the sandbox failed")
        error_file.write_text(
            json.dumps({"what": f"The sandbox failed: {e}", "hint": f"see {data_dir / 'sandbox.log'}"})
        )
        return 1
    return 0
