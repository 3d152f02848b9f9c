"""Throughput of the sandbox IPFS service over loopback, next to a plain copy of the same file.

Run from the project root: ``.venv/bin/python tests/bench/bench_ipfs.py [--size-mib 256]``.

The service runs in its own process, as it does in the sandbox daemon, so client and server do not share
one interpreter lock. The copy (``shutil.copyfile``) is measured in the same run on the same disk, which
makes the ratios comparable between machines where the raw figures are not. MB is 10^6 bytes.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from aiohttp import web

from desktop_app.sandbox.ipfs.server import create_app

READ_SIZE = 1 << 20
COPY = "copy (shutil.copyfile)"


def run_service(store_dir: Path, port: int) -> None:
    web.run_app(create_app(store_dir), host="127.0.0.1", port=port, print=None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_until_serving(base: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{base}/ipfs/unknown")
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def write_source(path: Path, size: int) -> None:
    with path.open("wb") as out:
        for start in range(0, size, READ_SIZE):
            out.write(os.urandom(min(READ_SIZE, size - start)))


def seconds(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def drain(client: httpx.Client, method: str, url: str, params: dict[str, str] | None = None) -> None:
    with client.stream(method, url, params=params) as response:
        response.raise_for_status()
        for _ in response.iter_raw(READ_SIZE):
            pass


def measure(base: str, source: Path, work: Path) -> dict[str, float]:
    with httpx.Client(base_url=base, timeout=600) as client:
        cid: list[str] = []

        def add() -> None:
            with source.open("rb") as f:
                response = client.post("/api/v0/add", files={"file": (source.name, f)})
            response.raise_for_status()
            cid.append(response.json()["Hash"])

        def cat() -> None:
            drain(client, "POST", "/api/v0/cat", {"arg": cid[0]})

        return {
            COPY: seconds(lambda: shutil.copyfile(source, work / "copy.bin")),
            "add (POST /api/v0/add)": seconds(add),
            "cat (POST /api/v0/cat)": seconds(cat),
            "gateway (GET /ipfs/{cid})": seconds(lambda: drain(client, "GET", f"/ipfs/{cid[0]}")),
        }


def print_table(size: int, timings: dict[str, float]) -> None:
    copy_rate = size / timings[COPY] / 1e6
    print(f"{size >> 20} MiB ({size / 1e6:.0f} MB), service over loopback in its own process")
    print(f"{'operation':<28}{'seconds':>9}{'MB/s':>10}{'vs copy':>9}")
    for name, elapsed in timings.items():
        rate = size / elapsed / 1e6
        print(f"{name:<28}{elapsed:>9.2f}{rate:>10.0f}{rate / copy_rate:>9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=256)
    size = parser.parse_args().size_mib << 20
    with tempfile.TemporaryDirectory(prefix="bench-ipfs-") as tmp:
        work = Path(tmp)
        source = work / "source.bin"
        write_source(source, size)
        port = free_port()
        spawn = multiprocessing.get_context("spawn")
        service = spawn.Process(target=run_service, args=(work / "store", port))
        service.start()
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_serving(base)
            print_table(size, measure(base, source, work))
        finally:
            service.terminate()
            service.join()


if __name__ == "__main__":
    main()
