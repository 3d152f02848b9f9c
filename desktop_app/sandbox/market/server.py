"""The sandbox's market API: the slice of iexec-market-api that DataProtector clients use, same wire format.

``GET /challenge`` hands out a login challenge; ``POST``/``PUT /{app,dataset,workerpool}orders`` publish and
unpublish signed orders for the authenticated owner; ``GET /<kind>orders`` lists an order book with the
real API's filters and paging, and ``GET /<kind>orders/{orderHash}`` shows one entry. A publication is
checked against the chain as the real API checks it: the asset is registered, its owner is the caller,
``hub.verifySignature`` accepts the order's ``sign`` for that owner, and ``viewConsumed`` leaves some volume.
The watcher started with the app then follows cancellations and matches on chain.

Every reply is JSON: ``{"ok": true, ...}`` or ``{"ok": false, "error": "..."}``. Statuses:

- 400: malformed request: bad JSON or field, wrong ``chainId``, unregistered asset, order ``sign`` that is
  not the owner's signature;
- 401: missing or malformed ``authorization``, unknown, expired or already used challenge, bad signature;
- 403: authenticated, but not the owner (publish, unpublish) or over 50 open orders for the wallet;
- 404: no such order (get by hash, unpublish);
- 409: order already published, or nothing left to consume on chain;
- 413: body over 64 KiB.

The real API answers 403 to most of these business and auth failures; the more specific statuses here
change nothing for clients, which read ``ok`` and ``error``. Request orders and the deals, categories and
websocket endpoints are not served: the sandbox matches orders on chain directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import string
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from aiohttp import web
from eth_utils.address import to_checksum_address

from desktop_app.core.iexec.market_auth import (
    InvalidAuthorization,
    challenge_digest,
    challenge_typed_data,
    parse_authorization,
    verify_authorization,
)
from desktop_app.core.iexec.orders import (
    AppOrder,
    DatasetOrder,
    Eip712Domain,
    OrderT,
    WorkerpoolOrder,
    order_hash,
    parse_signed_order,
)
from desktop_app.sandbox.chain.view import AssetKind, ChainView
from desktop_app.sandbox.http import ServiceError, json_errors
from desktop_app.sandbox.market.store import (
    Challenge,
    DuplicateOrder,
    MarketStore,
    OrderQuery,
    OrderStatus,
    PublishedOrder,
    Restriction,
    is_bulk_dataset_order,
)
from desktop_app.sandbox.market.watcher import run_watcher

MAX_BODY_BYTES = 64 * 1024
CHALLENGE_TTL_SECONDS = 10 * 60
MAX_OPEN_ORDERS_PER_WALLET = 50  # iexec-market-api's default MAX_OPEN_ORDERS_PER_WALLET
DEFAULT_PAGE_SIZE, MIN_PAGE_SIZE, MAX_PAGE_SIZE = 20, 10, 1000
ANY = "any"

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_BYTES32 = re.compile(r"0x[0-9a-fA-F]{64}")
_UINT = re.compile(r"[0-9]{1,78}")
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}  # what the real API's yup accepts
_NONCE_ALPHABET = string.ascii_letters + string.digits
_UNPUBLISH_TARGETS = ("unpublish_orderHash", "unpublish_last", "unpublish_all")
_WATCHER_STOP_SECONDS = 5

T = TypeVar("T")


@dataclass(frozen=True)
class BookSpec(Generic[OrderT]):
    """What differs between the three order books: the order type and the query filters it takes."""

    kind: AssetKind
    order_type: type[OrderT]
    restrictions: tuple[tuple[str, str, str], ...]  # (query parameter, order field, strict parameter)
    asset_required: bool

    @property
    def path(self) -> str:
        return f"/{self.kind}orders"


BOOKS: tuple[BookSpec[Any], ...] = (
    BookSpec(
        "app",
        AppOrder,
        (
            ("dataset", "datasetrestrict", "isDatasetStrict"),
            ("workerpool", "workerpoolrestrict", "isWorkerpoolStrict"),
            ("requester", "requesterrestrict", "isRequesterStrict"),
        ),
        asset_required=True,
    ),
    BookSpec(
        "dataset",
        DatasetOrder,
        (
            ("app", "apprestrict", "isAppStrict"),
            ("workerpool", "workerpoolrestrict", "isWorkerpoolStrict"),
            ("requester", "requesterrestrict", "isRequesterStrict"),
        ),
        asset_required=True,
    ),
    BookSpec(
        "workerpool",
        WorkerpoolOrder,
        (
            ("app", "apprestrict", "isAppStrict"),
            ("dataset", "datasetrestrict", "isDatasetStrict"),
            ("requester", "requesterrestrict", "isRequesterStrict"),
        ),
        asset_required=False,
    ),
)


def market_error_body(status: int, message: str) -> dict[str, object]:
    return {"ok": False, "error": message}


def create_app(db_path: Path, chain: ChainView, poll_interval: float = 0.5) -> web.Application:
    """The market over the SQLite file ``db_path``; serving the app also runs the chain watcher."""
    market = _Market(MarketStore(db_path), chain)
    app = web.Application(middlewares=[json_errors(market_error_body)], client_max_size=MAX_BODY_BYTES)
    app.router.add_get("/challenge", market.challenge)
    for spec in BOOKS:
        book = _Book(market, spec)
        app.router.add_get(spec.path, book.list_orders)
        app.router.add_get(spec.path + "/{orderHash}", book.get_order)
        app.router.add_post(spec.path, book.publish)
        app.router.add_put(spec.path, book.unpublish)
    app.cleanup_ctx.append(lambda _app: market.running(poll_interval))
    return app


class _Market:
    """What the three books share: the store, the chain, the domain, the chain id check and the login."""

    def __init__(self, store: MarketStore, chain: ChainView) -> None:
        self.store = store
        self.chain = chain
        self._domain: Eip712Domain | None = None

    async def running(self, poll_interval: float) -> AsyncIterator[None]:
        """Read the hub's domain, then watch the chain for as long as the app is served."""
        self._domain = await self.chain.domain()
        stop = asyncio.Event()
        watcher = asyncio.create_task(run_watcher(self.store, self.chain, poll_interval, stop))
        yield
        stop.set()
        # A poll stuck on an unresponsive node is cancelled: events are applied idempotently and the block
        # cursor is only stored after a batch, so the next start redoes whatever was cut short.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(watcher, _WATCHER_STOP_SECONDS)

    @property
    def domain(self) -> Eip712Domain:
        assert self._domain is not None, "the market's startup reads the domain before serving"
        return self._domain

    def check_chain_id(self, request: web.Request) -> int:
        """The ``chainId`` query parameter every endpoint requires; only the sandbox chain is served."""
        value = request.query.get("chainId")
        if value is None:
            raise ServiceError(400, "chainId is a required query parameter")
        if value != str(self.domain.chain_id):
            raise ServiceError(
                400, f"chainId {value} is not supported (this market serves {self.domain.chain_id})"
            )
        return self.domain.chain_id

    async def challenge(self, request: web.Request) -> web.Response:
        chain_id = self.check_chain_id(request)
        address = _address(request.query.get("address"), "address")
        nonce = "".join(secrets.choice(_NONCE_ALPHABET) for _ in range(32))
        typed = challenge_typed_data(chain_id, nonce)
        digest = _hex(challenge_digest(typed))
        self.store.add_challenge(
            digest, Challenge(address, chain_id, nonce), time.time(), CHALLENGE_TTL_SECONDS
        )
        return web.json_response({"ok": True, "data": typed})

    def authenticate(self, request: web.Request) -> str:
        """The address that signed a challenge this market issued; the challenge is used up."""
        try:
            auth = parse_authorization(request.headers.get("authorization"))
            challenge = self.store.find_challenge(_hex(auth.digest), time.time())
            if challenge is None or challenge.address != auth.address:
                raise InvalidAuthorization("unknown, expired or already used challenge; get a new one")
            verify_authorization(auth, challenge_typed_data(challenge.chain_id, challenge.nonce))
            if not self.store.consume_challenge(_hex(auth.digest)):
                raise InvalidAuthorization("this challenge was already used; get a new one")
        except InvalidAuthorization as e:
            raise ServiceError(401, f"invalid authorization: {e}") from e
        return auth.address


class _Book:
    """The four endpoints of one order book."""

    def __init__(self, market: _Market, spec: BookSpec[Any]) -> None:
        self._market = market
        self._store = market.store
        self._chain = market.chain
        self._spec = spec
        self._name = f"{spec.kind}order"

    async def list_orders(self, request: web.Request) -> web.Response:
        chain_id = self._market.check_chain_id(request)
        query = self._query(request.query)
        index, size = _page(request.query)
        orders = self._store.find_open(query)
        page = orders[index * size : (index + 1) * size]
        body: dict[str, Any] = {
            "ok": True,
            "count": len(orders),
            "orders": [self._render(o, chain_id) for o in page],
        }
        if (index + 1) * size < len(orders):
            body["nextPage"] = (index + 1) * size  # the real API's (legacy) next offset
        return web.json_response(body)

    async def get_order(self, request: web.Request) -> web.Response:
        chain_id = self._market.check_chain_id(request)
        entry = self._store.get_order(_bytes32(request.match_info["orderHash"], "orderHash"))
        if entry is None or entry.kind != self._spec.kind:
            raise ServiceError(404, f"{self._name} not found")
        return web.json_response({"ok": True, **self._render(entry, chain_id)})

    async def publish(self, request: web.Request) -> web.Response:
        chain_id = self._market.check_chain_id(request)
        # The body is read before the login, as the real API does: a malformed body keeps the challenge.
        body = await _json_object(request)
        caller = self._market.authenticate(request)
        try:
            signed = parse_signed_order(self._spec.order_type, body.get("order"))
        except ValueError as e:
            raise ServiceError(400, f"invalid order: {e}") from e
        digest = order_hash(signed.order, self._market.domain)
        order = signed.to_json()
        owner = await self._allowed_publisher(order[self._spec.kind], caller)
        if not await self._chain.verify_signature(owner, digest, signed.sign):
            raise ServiceError(400, f"invalid order: sign is not {owner}'s signature of order {_hex(digest)}")
        entry = await self._new_entry(_hex(digest), order, owner)
        try:
            self._store.add_order(entry)
        except DuplicateOrder as e:
            raise ServiceError(409, f"{self._name} {entry.order_hash} is already published") from e
        return web.json_response({"ok": True, "published": self._render(entry, chain_id)})

    async def unpublish(self, request: web.Request) -> web.Response:
        self._market.check_chain_id(request)
        body = await _json_object(request)
        caller = self._market.authenticate(request)
        target = body.get("target", "unpublish_orderHash")
        if target not in _UNPUBLISH_TARGETS:
            raise ServiceError(400, f"target must be one of {', '.join(_UNPUBLISH_TARGETS)}")
        if target == "unpublish_orderHash":
            victims = [self._own_open_order(_bytes32(body.get("orderHash"), "orderHash"), caller)]
        else:
            victims = self._own_latest(_address(body.get(self._spec.kind), self._spec.kind), caller)
            victims = victims[:1] if target == "unpublish_last" else victims
        self._store.delete_orders(entry.order_hash for entry in victims)
        return web.json_response({"ok": True, "unpublished": [entry.order_hash for entry in victims]})

    async def _allowed_publisher(self, asset: str, caller: str) -> str:
        """The asset's owner, who must be the caller (the real API only lets signers publish their own
        orders) and must have room under the open-order limit."""
        owner = await self._chain.owner_of(self._spec.kind, asset)
        if owner is None:
            raise ServiceError(400, f"{self._spec.kind} {asset} is not registered on this chain")
        if owner != caller:
            raise ServiceError(
                403, f"only {self._spec.kind} owner {owner} can publish its orders, not {caller}"
            )
        if self._store.count_open(self._spec.kind, owner) >= MAX_OPEN_ORDERS_PER_WALLET:
            raise ServiceError(
                403,
                f"{owner} already has {MAX_OPEN_ORDERS_PER_WALLET} open {self._name}s; unpublish some first",
            )
        return owner

    async def _new_entry(self, digest: str, order: dict[str, Any], owner: str) -> PublishedOrder:
        """The book entry for a new publication, with the volume the chain says is left."""
        if self._store.get_order(digest) is not None:
            raise ServiceError(409, f"{self._name} {digest} is already published")
        consumed = await self._chain.consumed(bytes.fromhex(digest[2:]))
        remaining = order["volume"] - consumed
        if remaining <= 0:
            raise ServiceError(
                409,
                f"{self._name} {digest} has no volume left on chain "
                f"(volume {order['volume']}, consumed {consumed}): it was filled or closed",
            )
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return PublishedOrder(digest, self._spec.kind, order, owner, remaining, OrderStatus.OPEN, now)

    def _own_open_order(self, digest: str, caller: str) -> PublishedOrder:
        entry = self._store.get_order(digest)
        if entry is None or entry.kind != self._spec.kind or entry.status != OrderStatus.OPEN:
            raise ServiceError(404, f"{self._name} {digest} is not published")
        if entry.signer != caller:
            raise ServiceError(403, f"only order signer {entry.signer} can unpublish {digest}")
        return entry

    def _own_latest(self, asset: str, caller: str) -> list[PublishedOrder]:
        entries = self._store.latest_open(self._spec.kind, asset, caller)
        if not entries:
            raise ServiceError(
                404, f"no open {self._name} published by {caller} for {self._spec.kind} {asset}"
            )
        return entries

    def _query(self, params: Mapping[str, str]) -> OrderQuery:
        """The order-book filters from the query string, with the real API's defaults and rules."""
        kind = self._spec.kind
        asset = _address_or_any(params.get(kind), kind)
        signer = _optional(params, f"{kind}Owner", _address)
        if asset is None and signer is None and self._spec.asset_required:
            raise ServiceError(400, f"{kind} or {kind}Owner is required")
        return OrderQuery(
            kind=kind,
            asset=None if asset == ANY else asset,
            signer=signer,
            restrictions=self._restrictions(params),
            min_tag=_optional(params, "minTag", _tag) or 0,
            max_tag=_optional(params, "maxTag", _tag),
            category=_optional(params, "category", _uint) if kind == "workerpool" else None,
            min_trust=_min_trust(params) if kind == "workerpool" else 0,
            min_volume=_optional(params, "minVolume", _uint) or 1,
            bulk_only=kind == "dataset" and bool(_optional(params, "bulkOnly", _boolean)),
        )

    def _restrictions(self, params: Mapping[str, str]) -> tuple[Restriction, ...]:
        """Absent: public orders only; an address: orders for it, and public ones unless strict; any: all."""
        restrictions = []
        for name, field, strict_name in self._spec.restrictions:
            value = _address_or_any(params.get(name), name)
            if value != ANY:
                restrictions.append(Restriction(field, value, bool(_optional(params, strict_name, _boolean))))
        return tuple(restrictions)

    def _render(self, entry: PublishedOrder, chain_id: int) -> dict[str, Any]:
        """An order-book entry as the market API shows it."""
        body: dict[str, Any] = {
            "orderHash": entry.order_hash,
            "chainId": chain_id,
            "order": entry.order,
            "remaining": entry.remaining,
            "status": entry.status.value,
            "signer": entry.signer,
            "publicationTimestamp": entry.published_at,
        }
        if entry.kind == "dataset":
            body["bulk"] = is_bulk_dataset_order(entry.order)
        return body


async def _json_object(request: web.Request) -> dict[str, Any]:
    body = await request.json()
    if not isinstance(body, dict):
        raise ServiceError(400, "the request body must be a JSON object")
    return body


def _page(params: Mapping[str, str]) -> tuple[int, int]:
    index = _optional(params, "pageIndex", _uint) or 0
    size = _optional(params, "pageSize", _uint) or DEFAULT_PAGE_SIZE
    if not MIN_PAGE_SIZE <= size <= MAX_PAGE_SIZE:
        raise ServiceError(400, f"pageSize must be between {MIN_PAGE_SIZE} and {MAX_PAGE_SIZE}")
    return index, size


def _min_trust(params: Mapping[str, str]) -> int:
    """PoCo treats trust 0 and 1 alike, so the real API only filters on minTrust above 1."""
    value = _optional(params, "minTrust", _uint) or 0
    return value if value > 1 else 0


def _optional(params: Mapping[str, str], name: str, parse: Callable[[str, str], T]) -> T | None:
    """An optional query parameter, parsed (and checked) when present."""
    value = params.get(name)
    return None if value is None else parse(value, name)


def _address(value: object, name: str) -> str:
    if not isinstance(value, str) or not _ADDRESS.fullmatch(value):
        raise ServiceError(400, f"{name} must be a 0x-prefixed 20-byte address")
    return str(to_checksum_address(value))


def _address_or_any(value: str | None, name: str) -> str | None:
    if value is None or value == ANY:
        return value
    if not _ADDRESS.fullmatch(value):
        raise ServiceError(400, f'{name} must be an address or "{ANY}"')
    return str(to_checksum_address(value))


def _bytes32(value: object, name: str) -> str:
    if not isinstance(value, str) or not _BYTES32.fullmatch(value):
        raise ServiceError(400, f"{name} must be 0x followed by 32 bytes of hex")
    return value.lower()


def _tag(value: str, name: str) -> int:
    """A tag as the bitmask the tag filters compare."""
    return int(_bytes32(value, name), 16)


def _uint(value: str, name: str) -> int:
    if not _UINT.fullmatch(value):
        raise ServiceError(400, f"{name} must be a non-negative integer")
    return int(value)


def _boolean(value: str, name: str) -> bool:
    if value.lower() not in _BOOLEANS:
        raise ServiceError(400, f"{name} must be true or false")
    return _BOOLEANS[value.lower()]


def _hex(value: bytes) -> str:
    return "0x" + value.hex()
