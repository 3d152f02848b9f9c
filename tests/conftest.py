from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.localnet import control
from desktop_app.core.localnet.endpoints import SandboxEndpoints
from tests.support.chain import LocalChain, running_chain


@pytest.fixture(scope="session")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalChain]:
    """One real anvil + PoCo deployment shared by the tests of a session (deploying takes ~0.5 s)."""
    with running_chain(tmp_path_factory.mktemp("chain")) as local_chain:
        yield local_chain


@pytest.fixture(scope="session")
def sandbox_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sandbox")


@pytest.fixture(scope="session")
def sandbox(sandbox_dir: Path) -> Iterator[SandboxEndpoints]:
    """The whole sandbox, started through the same launcher the app uses, stopped at the end."""
    data_dir = sandbox_dir
    endpoints = control.up(data_dir)
    try:
        yield endpoints
    finally:
        control.down(data_dir)
