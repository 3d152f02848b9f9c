"""Time from ``matchOrders`` to COMPLETED on the sandbox pool, for a 1 MiB input on each sample app.

For reference, iExec's documentation quotes about 30 s of scheduling alone on the public network.
Run: ``.venv/bin/python tests/bench/bench_pool.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import statistics
import struct
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from eth_account import Account

from desktop_app.core.localnet import control
from tests.support.by_hand import ByHand

MIB = 1 << 20
RUN = {"iexec_result_storage_provider": "ipfs", "iexec_result_encryption": True}


def inputs() -> dict[str, tuple[dict[str, bytes], dict[str, object]]]:
    line = b"2026-11-01,12.5,some words to make a realistic line of text\n"
    text = b"date,amount,note\n" + line * (MIB // len(line))
    email = b"alice@example.org"
    padding = b"x" * (MIB - len(email))
    return {
        "File statistics": ({"file": text}, RUN),
        "CSV column aggregates": ({"file": text}, {**RUN, "iexec_args": "amount"}),
        "Email domain check": ({"email": struct.pack("<I", len(email)) + email, "padding": padding}, RUN),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        endpoints = control.up(Path(tmp) / "sandbox")
        try:
            me = ByHand(endpoints, Account.from_key(endpoints.devAccounts[0].privateKey))
            me.push_result_key()
            print(f"{'app (1 MiB input)':24} {'median s':>9} {'min s':>7} {'x faster than 30 s':>19}")
            for app_name, (files, params) in inputs().items():
                app = me.app_named(app_name)
                times = []
                for _ in range(runs):
                    dataset = me.protect(files)
                    start = time.perf_counter()
                    task_id = me.run(dataset, app, params)
                    record = me.wait_until_done(task_id)
                    times.append(time.perf_counter() - start)
                    assert record["state"] == "contributed", record["reason"]
                median = statistics.median(times)
                print(f"{app_name:24} {median:9.2f} {min(times):7.2f} {30 / median:19.0f}")
        finally:
            control.down(Path(tmp) / "sandbox")


if __name__ == "__main__":
    main()
