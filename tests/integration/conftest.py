"""Fixtures the protocol-client tests share: the local profile and two funded accounts of the sandbox.

A test module may define its own ``owner``/``other`` (as wallet sessions, say); the closer one wins.
"""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from desktop_app.core.iexec.network import NetworkProfile, load_profile
from desktop_app.core.localnet.endpoints import SandboxEndpoints


@pytest.fixture(scope="module")
def profile(sandbox: SandboxEndpoints) -> NetworkProfile:
    return load_profile("local", sandbox)


@pytest.fixture(scope="module")
def owner(sandbox: SandboxEndpoints) -> LocalAccount:
    account: LocalAccount = Account.from_key(sandbox.devAccounts[3].privateKey)
    return account


@pytest.fixture(scope="module")
def other(sandbox: SandboxEndpoints) -> LocalAccount:
    account: LocalAccount = Account.from_key(sandbox.devAccounts[4].privateKey)
    return account
