"""Runs the official iExec JS implementations (``@iexec/dataprotector``, ``iexec``) offline, as oracles.

They are part of the project set-up (``npm ci``), so a missing node or package FAILS the calling test:
a skip would hide that our files are no longer checked against what the SDK and the workers read.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from desktop_app.core.protect.record import BigInt, FileContent, Value
from desktop_app.core.protect.zipstream import ZipStream

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "tests" / "support" / "sdk"
PACKAGES = ("@iexec/dataprotector", "iexec")


def run(script: str, request: dict[str, Any]) -> dict[str, Any]:
    """Send ``request`` as JSON to ``tests/support/sdk/<script>`` and return its JSON reply."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(
            "node is not on PATH: the project set-up installs Node 20 for the SDK compatibility tests"
        )
    for package in PACKAGES:
        if not (REPO / "node_modules" / package / "package.json").is_file():
            pytest.fail(
                f"node_modules/{package} is missing: run `npm ci --ignore-scripts` in the project root"
            )
    done = subprocess.run(
        [node, str(SCRIPTS / script)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"{script} failed:\n{done.stderr}")
    reply: dict[str, Any] = json.loads(done.stdout)
    return reply


def typed(value: Value) -> dict[str, Any]:
    """``value`` as serialize.mjs types it: int and float as numbers, BigInt as bigint, files as bytes."""
    if isinstance(value, bool):
        return {"bool": value}
    if isinstance(value, int | float):
        return {"f64": repr(float(value))}
    if isinstance(value, BigInt):
        return {"bigint": str(value.value)}
    if isinstance(value, str):
        return {"string": value}
    if isinstance(value, bytes | FileContent):
        raw = value.path.read_bytes() if isinstance(value, FileContent) else value
        return {"bytes": base64.b64encode(raw).decode()}
    if isinstance(value, dict):
        return {"object": [[key, typed(nested)] for key, nested in value.items()]}
    raise TypeError(f"no JS equivalent for {value!r}")


def sdk_serialize(records: list[dict[str, Value]], date: datetime) -> list[tuple[bytes, str]]:
    """The SDK's (zip, schema JSON) for each record, its zip entries stamped with ``date``."""
    reply = run(
        "serialize.mjs",
        {"date": int(date.timestamp() * 1000), "records": [typed(r) for r in records]},
    )
    return [(base64.b64decode(r["zip"]), r["schema"]) for r in reply["records"]]


def read_all(stream: ZipStream) -> bytes:
    """Everything a stream yields."""
    with stream:
        out, buffer = bytearray(), memoryview(bytearray(1 << 20))
        while n := stream.readinto(buffer):
            out += buffer[:n]
    return bytes(out)
