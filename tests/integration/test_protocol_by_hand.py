"""The data owner's protocol against the running sandbox, by hand, with no app code at all.

``tests.support.by_hand`` speaks only web3, eth_account, httpx and iExec's ABI files, built from
shared/spec/iexec-protocol.md: register a dataset through the DataProtector contract, push its key to the
SMS, sign and publish a dataset order, list it, cancel it on chain, and see the market mark it canceled.
"""

from __future__ import annotations

import time

import httpx
import pytest
from eth_account import Account

from desktop_app.core.localnet.endpoints import SandboxEndpoints
from tests.support.by_hand import ByHand

pytestmark = pytest.mark.slow


def test_register_push_grant_list_cancel(sandbox: SandboxEndpoints) -> None:
    me = ByHand(sandbox, Account.from_key(sandbox.devAccounts[1].privateKey))

    # 1-2. Register a dataset through the DataProtector contract and push its key (asserted inside).
    dataset = me.protect({"file": b"date,amount\n2026-11-01,3\n"})
    assert httpx.head(f"{sandbox.sms}/secrets/web3", params={"secretAddress": dataset}).status_code == 204

    # 3. Sign a dataset order (EIP-712, domain read from the hub) and publish it with market auth.
    app = Account.create().address
    order = me.grant(dataset, app, volume=3)

    # 4. List it, as getGrantedAccess does.
    listed = me.market.get(
        "/datasetorders", params={"dataset": dataset, "app": app, "requester": "any", "isAppStrict": "true"}
    ).json()
    assert listed["ok"] and listed["count"] == 1
    (entry,) = listed["orders"]
    assert (entry["orderHash"], entry["remaining"], entry["status"]) == (order["orderHash"], 3, "open")

    # 5. Cancel it on chain (revokeAccess = manageDatasetOrder CLOSE); PoCo names the same order hash.
    assert "0x" + me.revoke(order).hex() == order["orderHash"]

    # 6. The market's watcher sees the event and marks the order canceled.
    deadline = time.monotonic() + 20
    while (entry := me.market.get(f"/datasetorders/{order['orderHash']}").json())["status"] != "canceled":
        assert time.monotonic() < deadline, entry
        time.sleep(0.2)
    assert entry["remaining"] == 0
