"""An interrupted protect tells the user, in its one error line, the command that finishes it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.core.localnet import control
from desktop_app.core.localnet.control import DATA_DIR_ENV
from desktop_app.sandbox import faults

pytestmark = pytest.mark.slow


def test_a_failed_upload_names_the_resume_command_and_it_finishes_the_job(tmp_path: Path) -> None:
    sandbox_dir = tmp_path / "sandbox"
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), DATA_DIR_ENV: str(sandbox_dir),
           "DATAPROTECTOR_PASSWORD": "pw for resume", faults.ENV: faults.IPFS_500_ONCE}  # fmt: skip

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "desktop_app", *args], capture_output=True, text=True,
                              timeout=300, stdin=subprocess.DEVNULL, env=env, cwd=tmp_path)  # fmt: skip

    try:
        assert cli("wallet", "create").returncode == 0
        (tmp_path / "notes.txt").write_text("private notes")
        failed = cli("protect", "notes.txt")
        assert failed.returncode == 1
        assert failed.stderr.count("\n") == 1 and "IPFS" in failed.stderr
        (job,) = re.findall(r"protect --resume ([0-9a-f]{32})", failed.stderr)
        listed = cli("list")
        assert f"protect --resume {job}" in listed.stdout

        resumed = cli("protect", "--resume", job, "--json")
        assert resumed.returncode == 0, resumed.stderr
        assert json.loads(resumed.stdout)["dataset"].startswith("0x")
    finally:
        control.down(sandbox_dir)
