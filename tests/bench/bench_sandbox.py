"""How long `sandbox up` takes, cold (first deploy) and warm (restart from saved state).

The reference measured in the same run is a bare anvil start (process to first JSON-RPC answer), the
floor any sandbox start pays. Run: ``.venv/bin/python tests/bench/bench_sandbox.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from desktop_app.core.localnet import control
from desktop_app.sandbox.chain.anvil import AnvilConfig, start_anvil, wait_until_ready
from desktop_app.sandbox.daemon import stop_anvil
from desktop_app.sandbox.parts import Parts
from tests.support.chain import free_port


def timed(action: object) -> float:
    start = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - start


def bare_anvil(workdir: Path) -> float:
    parts = Parts.locate()
    config = AnvilConfig(parts.anvil, free_port(), workdir / "state.json", workdir / "anvil.log")
    start = time.perf_counter()
    process = start_anvil(config)
    wait_until_ready(process, config)
    elapsed = time.perf_counter() - start
    stop_anvil(process, config)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    cold, warm, anvil = [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            data_dir = Path(tmp) / "sandbox"
            anvil.append(bare_anvil(Path(tmp)))
            cold.append(timed(lambda: control.up(data_dir)))  # noqa: B023
            control.down(data_dir)
            warm.append(timed(lambda: control.up(data_dir)))  # noqa: B023
            control.down(data_dir)
    ref = statistics.median(anvil)
    print(f"{'measure':28} {'median s':>9} {'min s':>7} {'x bare anvil':>13}")
    for name, values in (
        ("bare anvil start (ref)", anvil),
        ("sandbox up, cold", cold),
        ("sandbox up, warm", warm),
    ):
        med = statistics.median(values)
        print(f"{name:28} {med:9.2f} {min(values):7.2f} {med / ref:13.1f}")


if __name__ == "__main__":
    main()
