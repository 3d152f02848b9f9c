"""The sandbox market over real HTTP, against iExec's real PoCo on anvil.

Orders are registered, signed, closed and matched on chain through the real contracts; the market is
served on a loopback port and driven with httpx, as the app and the SDK drive the public market API.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.logs import DISCARD

from desktop_app.core.iexec.market_auth import authorization_header, challenge_typed_data
from desktop_app.core.iexec.orders import (
    NULL_ADDRESS,
    TAG_TEE,
    DatasetOrder,
    Order,
    order_hash,
    sign_order,
    typed_data,
)
from desktop_app.sandbox.chain.view import ChainView
from desktop_app.sandbox.market.server import create_app
from desktop_app.sandbox.market.store import Challenge, MarketStore
from desktop_app.sandbox.market.watcher import event_topics, run_watcher
from tests.support.chain import LocalChain, dev_account, free_port
from tests.support.orders import (
    Market,
    app_order,
    close_on_chain,
    dataset_order,
    domain,
    register_app,
    register_dataset,
    register_workerpool,
    request_order,
    transact,
    wait_for,
    workerpool_order,
)
from tests.support.servers import serve

pytestmark = pytest.mark.slow

OWNER = dev_account(3)
OTHER = dev_account(4)
REQUESTER = dev_account(5)
BULK_VOLUME = 2**53 - 1


@contextmanager
def running_market(chain: LocalChain, db_path: Path) -> Iterator[Market]:
    view = ChainView(chain.rpc_url, chain.deployment, chain.parts)
    app = create_app(db_path, view, poll_interval=0.05)
    app.on_cleanup.append(lambda _app: view.w3.provider.disconnect())  # its session lives on serve's loop
    with serve(app) as url, httpx.Client(base_url=url) as client:
        yield Market(client, chain.w3.eth.chain_id, domain(chain))


@pytest.fixture(scope="module")
def market(chain: LocalChain, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Market]:
    with running_market(chain, tmp_path_factory.mktemp("market") / "market.db") as served:
        yield served


@pytest.fixture(scope="module")
def dataset(chain: LocalChain) -> str:
    return register_dataset(chain, OWNER.address)


@pytest.fixture(scope="module")
def app(chain: LocalChain) -> str:
    return register_app(chain, OWNER.address)


@pytest.fixture(scope="module")
def workerpool(chain: LocalChain) -> str:
    return register_workerpool(chain, OWNER.address)


def _hash(market: Market, order: Any) -> str:
    return "0x" + order_hash(order, market.domain).hex()


def _hashes(body: dict[str, Any]) -> set[str]:
    return {entry["orderHash"] for entry in body["orders"]}


def _status(market: Market, book: str, order: Any) -> dict[str, Any] | None:
    """The entry's JSON once it has left ``open``, else None (for polling)."""
    entry: dict[str, Any] = market.entry(book, _hash(market, order)).json()
    return entry if entry["status"] != "open" else None


# The chain agrees with our hashes


def test_order_hashes_match_the_hashes_poco_computes(chain: LocalChain, dataset: str, app: str) -> None:
    pool = register_workerpool(chain, OWNER.address)
    hub_domain = domain(chain)
    orders: list[tuple[Order, LocalAccount]] = [
        (dataset_order(dataset, tag=TAG_TEE, apprestrict=app), OWNER),
        (app_order(app, volume=3, datasetrestrict=dataset), OWNER),
        (workerpool_order(pool, category=2, trust=1), OWNER),
        (request_order(app, dataset, pool, REQUESTER.address, params='{"iexec_args":"x"}'), REQUESTER),
    ]
    for order, signer in orders:
        signed = sign_order(order, hub_domain, signer)
        assert close_on_chain(chain, signed, signer.address) == order_hash(order, hub_domain), order


def test_watched_event_topics_are_the_specs(chain: LocalChain) -> None:
    topics = event_topics(ChainView(chain.rpc_url, chain.deployment, chain.parts))
    assert (
        topics["ClosedDatasetOrder"] == "0xcf52e3228bc482a6656d8ab56c09888b1c5bf6aaadba0185e96a34836f2bb1d4"
    )
    assert topics["OrdersMatched"] == "0xd811b592ed0899225773e8933d8df64bd0b62761a9d7aad4ed5b22735f4610a4"


# Login


def test_challenge_is_the_market_apis_typed_data(market: Market) -> None:
    reply = market.client.get("/challenge", params={"chainId": market.chain_id, "address": OWNER.address})
    assert reply.status_code == 200
    body = reply.json()
    assert body["ok"] is True
    assert body["data"]["domain"] == {"name": "iExec Gateway", "version": "1", "chainId": market.chain_id}
    assert body["data"]["message"]["challenge"].startswith("Sign this message to log into iExec Gateway: ")
    again = market.client.get("/challenge", params={"chainId": market.chain_id, "address": OWNER.address})
    assert again.json()["data"] != body["data"], "every challenge is fresh"


def test_a_login_is_single_use(market: Market, dataset: str) -> None:
    first = sign_order(dataset_order(dataset), market.domain, OWNER)
    header = market.login(OWNER)
    params = {"chainId": market.chain_id}
    ok = market.client.post(
        "/datasetorders", params=params, json={"order": first.to_json()}, headers={"authorization": header}
    )
    assert ok.status_code == 200, ok.text
    second = sign_order(dataset_order(dataset), market.domain, OWNER)
    replay = market.client.post(
        "/datasetorders", params=params, json={"order": second.to_json()}, headers={"authorization": header}
    )
    assert (replay.status_code, replay.json()["ok"]) == (401, False)
    assert "already used" in replay.json()["error"]


@pytest.mark.parametrize(
    "problem", ["missing", "garbage", "unknown challenge", "other signer", "other address"]
)
def test_bad_logins_are_401(market: Market, dataset: str, problem: str) -> None:
    signed = sign_order(dataset_order(dataset), market.domain, OWNER)
    headers = {
        "missing": {},
        "garbage": {"authorization": "Bearer abc"},
        "unknown challenge": {
            "authorization": authorization_header(
                challenge_typed_data(market.chain_id, "mine"), OWNER, market.chain_id
            )
        },
        "other signer": {"authorization": _resigned(market.login(OWNER), OTHER)},
        "other address": {"authorization": _readdressed(market.login(OWNER), OTHER.address)},
    }[problem]
    reply = market.client.post(
        "/datasetorders",
        params={"chainId": market.chain_id},
        json={"order": signed.to_json()},
        headers=headers,
    )
    assert (reply.status_code, reply.json()["ok"]) == (401, False), reply.text


def _resigned(header: str, signer: Any) -> str:
    """The same challenge hash and address, signed by someone else."""
    digest, _, address = header.split("_")
    signature = signer.unsafe_sign_hash(bytes.fromhex(digest[2:])).signature
    return f"{digest}_0x{bytes(signature).hex()}_{address}"


def _readdressed(header: str, address: str) -> str:
    digest, signature, _ = header.split("_")
    return f"{digest}_{signature}_{address}"


def test_challenges_expire(tmp_path: Path) -> None:
    store = MarketStore(tmp_path / "market.db")
    store.add_challenge("0xaa", Challenge(OWNER.address, 1, "n"), now=1000.0, ttl=600)
    assert store.find_challenge("0xaa", now=1599.0) == Challenge(OWNER.address, 1, "n")
    assert store.find_challenge("0xaa", now=1600.0) is None
    store.add_challenge("0xbb", Challenge(OWNER.address, 1, "m"), now=1700.0, ttl=600)
    assert not store.consume_challenge("0xaa"), "expired challenges are purged"
    assert store.consume_challenge("0xbb") and not store.consume_challenge("0xbb")


# Dataset orders


def test_publish_get_list_unpublish_dataset_order(market: Market, chain: LocalChain, app: str) -> None:
    dataset = register_dataset(chain, OWNER.address)
    order = dataset_order(
        dataset, volume=5, tag=TAG_TEE, apprestrict=app, requesterrestrict=REQUESTER.address
    )
    signed = sign_order(order, market.domain, OWNER)
    digest = _hash(market, order)

    published = market.publish(signed, OWNER)
    assert published.status_code == 200, published.text
    entry = published.json()["published"]
    assert entry["orderHash"] == digest
    assert entry["order"] == signed.to_json()
    assert (entry["remaining"], entry["status"], entry["signer"]) == (5, "open", OWNER.address)
    assert entry["chainId"] == market.chain_id and entry["bulk"] is False
    assert entry["publicationTimestamp"].endswith("Z")

    by_hash = market.entry("datasetorders", digest).json()
    assert by_hash["ok"] is True and by_hash["orderHash"] == digest and by_hash["remaining"] == 5

    listed = market.book(
        "datasetorders", dataset=dataset, app=app, requester=REQUESTER.address, isAppStrict="true"
    )
    assert listed["count"] == 1 and "nextPage" not in listed
    (item,) = listed["orders"]
    assert (item["orderHash"], item["remaining"], item["status"], item["signer"]) == (
        digest,
        5,
        "open",
        OWNER.address,
    )

    duplicate = market.publish(signed, OWNER)
    assert (duplicate.status_code, duplicate.json()["ok"]) == (409, False)

    stranger = market.unpublish(
        "datasetorders", {"target": "unpublish_orderHash", "orderHash": digest}, OTHER
    )
    assert stranger.status_code == 403
    gone = market.unpublish("datasetorders", {"target": "unpublish_orderHash", "orderHash": digest}, OWNER)
    assert gone.json() == {"ok": True, "unpublished": [digest]}
    assert market.entry("datasetorders", digest).status_code == 404
    assert market.book("datasetorders", dataset=dataset, app=app, requester="any")["count"] == 0
    again = market.unpublish("datasetorders", {"orderHash": digest}, OWNER)
    assert again.status_code == 404


def test_publication_is_checked_against_the_chain(market: Market, chain: LocalChain, dataset: str) -> None:
    unregistered = market.publish(
        sign_order(dataset_order(Account.create().address), market.domain, OWNER), OWNER
    )
    assert unregistered.status_code == 400 and "not registered" in unregistered.json()["error"]

    by_a_stranger = market.publish(sign_order(dataset_order(dataset), market.domain, OTHER), OTHER)
    assert by_a_stranger.status_code == 403 and "owner" in by_a_stranger.json()["error"]

    forged = sign_order(dataset_order(dataset), market.domain, OTHER)
    not_signed_by_owner = market.publish(forged, OWNER)
    assert not_signed_by_owner.status_code == 400 and "sign" in not_signed_by_owner.json()["error"]

    closed = sign_order(dataset_order(dataset), market.domain, OWNER)
    close_on_chain(chain, closed, OWNER.address)
    already_closed = market.publish(closed, OWNER)
    assert already_closed.status_code == 409 and "no volume left" in already_closed.json()["error"]


def test_restriction_filters(market: Market, chain: LocalChain) -> None:
    dataset = register_dataset(chain, OWNER.address)
    app_a, app_b = Account.create().address, Account.create().address
    public = market.sign_and_publish(dataset_order(dataset), OWNER).order
    for_a = market.sign_and_publish(dataset_order(dataset, apprestrict=app_a), OWNER).order
    for_b = market.sign_and_publish(dataset_order(dataset, apprestrict=app_b), OWNER).order
    for_requester = market.sign_and_publish(
        dataset_order(dataset, requesterrestrict=REQUESTER.address), OWNER
    ).order
    bulk = market.sign_and_publish(dataset_order(dataset, volume=BULK_VOLUME), OWNER).order

    def hashes(**params: str) -> set[str]:
        return _hashes(market.book("datasetorders", dataset=dataset, **params))

    h = {
        name: _hash(market, order)
        for name, order in [
            ("public", public),
            ("a", for_a),
            ("b", for_b),
            ("requester", for_requester),
            ("bulk", bulk),
        ]
    }
    assert hashes() == {h["public"], h["bulk"]}
    assert hashes(app=app_a) == {h["public"], h["a"], h["bulk"]}
    assert hashes(app=app_a, isAppStrict="true") == {h["a"]}
    assert hashes(app="any") == {h["public"], h["a"], h["b"], h["bulk"]}
    assert hashes(app="any", requester="any") == set(h.values())
    assert hashes(requester=REQUESTER.address, isRequesterStrict="true") == {h["requester"]}
    assert hashes(app="any", bulkOnly="true") == {h["bulk"]}
    assert hashes(app=app_a.lower(), isAppStrict="1") == {h["a"]}, "addresses in any case, booleans as 1/0"
    assert market.book("datasetorders", dataset="any", app=app_b, isAppStrict="true")["count"] == 1
    (entry,) = market.book("datasetorders", dataset=dataset, bulkOnly="true")["orders"]
    assert entry["bulk"] is True and entry["remaining"] == BULK_VOLUME


def test_paging_and_the_open_order_limit(market: Market, chain: LocalChain) -> None:
    owner = dev_account(6)
    dataset = register_dataset(chain, owner.address)
    published = [
        market.sign_and_publish(dataset_order(dataset, datasetprice=i % 7), owner) for i in range(50)
    ]
    over = market.publish(sign_order(dataset_order(dataset), market.domain, owner), owner)
    assert over.status_code == 403 and "50" in over.json()["error"]

    pages = [market.book("datasetorders", dataset=dataset, pageSize="20", pageIndex=str(i)) for i in range(3)]
    assert [len(page["orders"]) for page in pages] == [20, 20, 10]
    assert [page["count"] for page in pages] == [50, 50, 50]
    assert [page.get("nextPage") for page in pages] == [20, 40, None]
    prices = [entry["order"]["datasetprice"] for page in pages for entry in page["orders"]]
    assert prices == sorted(prices), "cheapest first"
    assert set().union(*(_hashes(page) for page in pages)) == {_hash(market, s.order) for s in published}
    assert len(market.book("datasetorders", dataset=dataset)["orders"]) == 20, "default page size"

    last = market.unpublish("datasetorders", {"target": "unpublish_last", "dataset": dataset}, owner).json()
    assert last["unpublished"] == [_hash(market, published[-1].order)]
    everything = market.unpublish(
        "datasetorders", {"target": "unpublish_all", "dataset": dataset}, owner
    ).json()
    assert len(everything["unpublished"]) == 49
    assert market.book("datasetorders", dataset=dataset)["count"] == 0
    nothing = market.unpublish("datasetorders", {"target": "unpublish_all", "dataset": dataset}, owner)
    assert nothing.status_code == 404


# App and workerpool orders


def test_app_orders(market: Market, chain: LocalChain) -> None:
    app = register_app(chain, OWNER.address)
    tee = market.sign_and_publish(app_order(app, tag=TAG_TEE, appprice=2), OWNER).order
    plain = market.sign_and_publish(app_order(app, appprice=1), OWNER).order
    for_dataset = market.sign_and_publish(app_order(app, datasetrestrict=OTHER.address), OWNER).order
    gpu_tee = "0x" + "00" * 30 + "01" + "01"

    def hashes(**params: str) -> list[str]:
        return [e["orderHash"] for e in market.book("apporders", app=app, **params)["orders"]]

    assert hashes() == [_hash(market, plain), _hash(market, tee)], "cheapest first"
    assert hashes(minTag=TAG_TEE) == [_hash(market, tee)]
    assert hashes(maxTag="0x" + "00" * 32) == [_hash(market, plain)]
    assert hashes(minTag=TAG_TEE, maxTag=gpu_tee) == [_hash(market, tee)]
    assert hashes(dataset=OTHER.address, isDatasetStrict="true") == [_hash(market, for_dataset)]
    assert market.entry("apporders", _hash(market, tee)).json()["order"]["tag"] == TAG_TEE
    assert market.entry("datasetorders", _hash(market, tee)).status_code == 404, (
        "each book has its own orders"
    )
    assert "bulk" not in market.entry("apporders", _hash(market, tee)).json()

    stranger = market.publish(sign_order(app_order(app), market.domain, OTHER), OTHER)
    assert stranger.status_code == 403
    unpublished = market.unpublish("apporders", {"target": "unpublish_all", "app": app}, OWNER).json()
    assert len(unpublished["unpublished"]) == 3


def test_workerpool_orders(market: Market, chain: LocalChain) -> None:
    pool = register_workerpool(chain, OWNER.address)
    cheap = market.sign_and_publish(workerpool_order(pool, tag=TAG_TEE, category=0), OWNER).order
    trusted = market.sign_and_publish(
        workerpool_order(pool, workerpoolprice=3, trust=5, category=1), OWNER
    ).order
    for_app = market.sign_and_publish(
        workerpool_order(pool, workerpoolprice=1, apprestrict=OTHER.address), OWNER
    ).order

    def hashes(**params: str) -> set[str]:
        return _hashes(market.book("workerpoolorders", workerpool=pool, **params))

    assert hashes() == {_hash(market, cheap), _hash(market, trusted)}
    assert hashes(category="1") == {_hash(market, trusted)}
    assert hashes(minTrust="3") == {_hash(market, trusted)}
    assert hashes(minTrust="1") == {_hash(market, cheap), _hash(market, trusted)}, "trust 0 and 1 are alike"
    assert hashes(minTag=TAG_TEE) == {_hash(market, cheap)}
    assert hashes(app=OTHER.address) == {_hash(market, cheap), _hash(market, trusted), _hash(market, for_app)}
    assert _hash(market, cheap) in _hashes(market.book("workerpoolorders", category="0", minTag=TAG_TEE))
    last = market.unpublish(
        "workerpoolorders", {"target": "unpublish_last", "workerpool": pool}, OWNER
    ).json()
    assert last["unpublished"] == [_hash(market, for_app)]


# The watcher


def test_a_match_updates_remaining_and_fills(market: Market, chain: LocalChain) -> None:
    dataset = register_dataset(chain, OWNER.address)
    app = register_app(chain, OWNER.address)
    pool = register_workerpool(chain, OWNER.address)
    signed_app = market.sign_and_publish(app_order(app), OWNER)
    signed_dataset = market.sign_and_publish(dataset_order(dataset, volume=2, apprestrict=app), OWNER)
    signed_pool = market.sign_and_publish(workerpool_order(pool), OWNER)
    request = sign_order(request_order(app, dataset, pool, REQUESTER.address), market.domain, REQUESTER)
    orders = [s.as_tuple() for s in (signed_app, signed_dataset, signed_pool, request)]
    receipt = transact(chain, chain.hub().functions.matchOrders(*orders), REQUESTER.address)
    (matched,) = chain.hub().events.OrdersMatched().process_receipt(receipt, errors=DISCARD)
    assert "0x" + matched["args"]["datasetHash"].hex() == _hash(market, signed_dataset.order)

    filled = wait_for(lambda: _status(market, "apporders", signed_app.order))
    assert (filled["status"], filled["remaining"]) == ("filled", 0)
    assert wait_for(lambda: _status(market, "workerpoolorders", signed_pool.order))["status"] == "filled"
    wait_for(
        lambda: market.entry("datasetorders", _hash(market, signed_dataset.order)).json()["remaining"] == 1
    )
    assert market.entry("datasetorders", _hash(market, signed_dataset.order)).json()["status"] == "open"
    assert market.book("apporders", app=app)["count"] == 0, "filled orders leave the book"


def test_the_watcher_resumes_after_a_restart(chain: LocalChain, tmp_path: Path) -> None:
    db_path = tmp_path / "market.db"
    dataset = register_dataset(chain, OWNER.address)
    with running_market(chain, db_path) as first:
        signed = first.sign_and_publish(dataset_order(dataset, volume=4), OWNER)
    close_on_chain(chain, signed, OWNER.address)  # while the market is down
    with running_market(chain, db_path) as second:
        entry = wait_for(lambda: _status(second, "datasetorders", signed.order))
        assert (entry["status"], entry["remaining"]) == ("canceled", 0)
        assert entry["order"] == signed.to_json(), "the book survived the restart"


class _Failures(logging.Handler):
    """Sets ``seen`` at the watcher's first logged failure."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.set()


def test_the_watcher_outlives_an_unreachable_node(chain: LocalChain, tmp_path: Path) -> None:
    dead = ChainView(f"http://127.0.0.1:{free_port()}", chain.deployment, chain.parts)
    store = MarketStore(tmp_path / "market.db")

    async def watch_until_a_poll_fails() -> None:
        failures = _Failures()
        logging.getLogger(run_watcher.__module__).addHandler(failures)
        stop = asyncio.Event()
        watcher = asyncio.create_task(run_watcher(store, dead, poll_interval=0.01, stop=stop))
        try:
            await failures.seen.wait()
            assert not watcher.done(), "a failing poll must not end the watcher"
        finally:
            logging.getLogger(run_watcher.__module__).removeHandler(failures)
            stop.set()
            await asyncio.wait_for(watcher, 10)
            await dead.w3.provider.disconnect()

    asyncio.run(asyncio.wait_for(watch_until_a_poll_fails(), 30))
    assert store.last_block() is None, "nothing was applied, so nothing will be skipped later"


# Bad requests


def test_bad_requests_get_json_errors_and_the_service_keeps_serving(market: Market, dataset: str) -> None:
    chain_id = {"chainId": market.chain_id}
    client = market.client
    signed = sign_order(dataset_order(dataset), market.domain, OWNER)
    bad = [
        (400, client.get("/challenge", params={"address": OWNER.address})),
        (400, client.get("/challenge", params={"chainId": 1, "address": OWNER.address})),
        (400, client.get("/challenge", params={"chainId": market.chain_id, "address": "0x1234"})),
        (400, client.get("/datasetorders", params=chain_id)),
        (400, client.get("/datasetorders", params={**chain_id, "dataset": "nope"})),
        (400, client.get("/datasetorders", params={**chain_id, "dataset": dataset, "app": "0x12"})),
        (400, client.get("/datasetorders", params={**chain_id, "dataset": dataset, "isAppStrict": "maybe"})),
        (400, client.get("/datasetorders", params={**chain_id, "dataset": dataset, "pageSize": "5"})),
        (400, client.get("/datasetorders", params={**chain_id, "dataset": dataset, "pageSize": "1001"})),
        (400, client.get("/datasetorders", params={**chain_id, "dataset": dataset, "pageIndex": "-1"})),
        (400, client.get("/apporders", params={**chain_id, "minTag": "0x01"})),
        (400, client.get("/datasetorders/0x1234", params=chain_id)),
        (404, client.get("/datasetorders/0x" + "ab" * 32, params=chain_id)),
        (404, client.get("/requestorders", params=chain_id)),
        (405, client.delete("/datasetorders", params=chain_id)),
        (400, client.post("/datasetorders", params=chain_id, content=b"{not json", headers=_json_type())),
        (400, client.post("/datasetorders", params=chain_id, json=[1, 2])),
        (
            413,
            client.post("/datasetorders", params=chain_id, content=b" " * (65 * 1024), headers=_json_type()),
        ),
        (401, client.post("/datasetorders", params=chain_id, json={"order": signed.to_json()})),
        (400, client.post("/datasetorders", params={"chainId": 1}, json={"order": signed.to_json()})),
        (400, _publish_raw(market, {**signed.to_json(), "volume": -1})),
        (400, _publish_raw(market, {**signed.to_json(), "tag": "0x01"})),
        (400, _publish_raw(market, {**signed.to_json(), "sign": "0x" + "00" * 64})),
        (400, _publish_raw(market, {k: v for k, v in signed.to_json().items() if k != "salt"})),
        (400, _publish_raw(market, "not an object")),
        (400, market.unpublish("datasetorders", {"target": "unpublish_everything"}, OWNER)),
        (400, market.unpublish("datasetorders", {"target": "unpublish_all"}, OWNER)),
        (400, market.unpublish("datasetorders", {"orderHash": "0x12"}, OWNER)),
    ]
    for status, reply in bad:
        assert (reply.status_code, reply.json()["ok"]) == (status, False), (reply.request.url, reply.text)
        assert isinstance(reply.json()["error"], str) and reply.json()["error"]
    assert market.publish(signed, OWNER).status_code == 200, "still serving"


def _json_type() -> dict[str, str]:
    return {"content-type": "application/json"}


def _publish_raw(market: Market, order: Any) -> httpx.Response:
    return market.client.post(
        "/datasetorders",
        params={"chainId": market.chain_id},
        json={"order": order},
        headers={"authorization": market.login(OWNER)},
    )


# The data owner's protocol, by hand


def test_grant_list_revoke_by_hand(market: Market, chain: LocalChain) -> None:
    """protectData's registration, grantAccess, getGrantedAccess and revokeAccess with only core/iexec,
    web3 and httpx (the SMS key push is another service's)."""
    owner, app = OWNER, Account.create().address
    dataset = register_dataset(chain, owner.address)  # 1. DataProtector.createDatasetWithSchema

    hub = chain.hub()
    hub_domain = domain(chain)
    grant = DatasetOrder(  # 2. grantAccess: sign with the hub's live domain and publish
        dataset=dataset,
        datasetprice=0,
        volume=3,
        tag=TAG_TEE,
        apprestrict=app,
        workerpoolrestrict=NULL_ADDRESS,
        requesterrestrict=NULL_ADDRESS,
        salt="0x" + Web3.keccak(text=dataset).hex().removeprefix("0x"),
    )
    signed = sign_order(grant, hub_domain, owner)
    assert typed_data(grant, hub_domain)["domain"]["verifyingContract"] == hub.address
    published = market.publish(signed, owner)
    assert published.status_code == 200, published.text
    computed = "0x" + order_hash(grant, hub_domain).hex()
    assert published.json()["published"]["orderHash"] == computed

    granted = market.book("datasetorders", dataset=dataset, app=app, requester="any", isAppStrict="true")
    assert granted["count"] == 1  # 3. getGrantedAccess
    (entry,) = granted["orders"]
    assert (entry["orderHash"], entry["remaining"], entry["status"]) == (computed, 3, "open")

    assert hub.functions.viewConsumed(bytes.fromhex(computed[2:])).call() < grant.volume  # 4. revokeAccess
    receipt = transact(chain, hub.functions.manageDatasetOrder((signed.as_tuple(), 1, b"")), owner.address)
    (closed,) = hub.events.ClosedDatasetOrder().process_receipt(receipt, errors=DISCARD)
    assert "0x" + bytes(closed["args"]["datasetHash"]).hex() == computed

    canceled = wait_for(lambda: _status(market, "datasetorders", grant))  # 5. the market follows the chain
    assert (canceled["status"], canceled["remaining"]) == ("canceled", 0)
    assert market.book("datasetorders", dataset=dataset, app=app, requester="any")["count"] == 0
