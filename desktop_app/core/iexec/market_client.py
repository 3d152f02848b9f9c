"""The iExec market API: publish signed orders, read the order books, unpublish.

A grant is a published DatasetOrder, so listing a dataset's orders is how the app shows who has access
(the SDK's ``getGrantedAccess``), and a run starts from the app and workerpool orders found here. Writes
need a one-time login (``market_auth``) per request. Replies are ``{"ok": …}`` JSON; a refusal's
``error`` text is shown to the user as is, because the market knows best what it objected to.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from desktop_app.core import http
from desktop_app.core.errors import ProtocolUnavailable, UserFacingError
from desktop_app.core.iexec.market_auth import authorization_header
from desktop_app.core.iexec.network import NetworkProfile
from desktop_app.core.iexec.orders import OrderT, SignedOrder, parse_signed_order

if TYPE_CHECKING:  # httpx and eth_account load when first used: startup budget, see ui/app.py
    import httpx
    from eth_account.signers.local import LocalAccount

Book = Literal["app", "dataset", "workerpool"]
ANY = "any"
"""A filter value matching every restriction (an address matches it and the public 0x0)."""


@dataclass(frozen=True)
class MarketOrder:
    """One entry of an order book."""

    order_hash: str
    order: dict[str, Any]
    """The signed order as JSON: its fields plus ``sign``."""
    remaining: int
    status: str
    signer: str
    published: str
    """The publication time, ISO 8601."""

    def signed(self, order_type: type[OrderT]) -> SignedOrder[OrderT]:
        """The order as a typed signed order, ready for ``PocoClient.match_orders``."""
        try:
            return parse_signed_order(order_type, self.order)
        except ValueError as e:
            raise UserFacingError(
                f"The market sent a malformed order {self.order_hash} ({e}).", "retry later"
            ) from e


class MarketClient:
    """One network's market API. Use ``async with MarketClient(profile) as market:``."""

    def __init__(self, profile: NetworkProfile, *, timeout: float = 30.0) -> None:
        import httpx

        self._chain_id = profile.chain_id
        self._http = http.client(
            httpx.Timeout(timeout, connect=10.0),
            base_url=profile.market,
            params={"chainId": str(profile.chain_id)},
        )

    async def __aenter__(self) -> MarketClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def authorization(self, account: LocalAccount) -> str:
        """A fresh ``authorization`` header: the market's challenge signed by ``account`` (single use)."""
        body = await self._json("GET", "/challenge", "logging in", params={"address": account.address})
        data = body.get("data")
        if not isinstance(data, Mapping):
            raise ProtocolUnavailable("market", "its login challenge is malformed")
        return authorization_header(data, account, self._chain_id)

    async def publish(self, book: Book, signed_order: SignedOrder[OrderT], account: LocalAccount) -> str:
        """Publish an order signed by ``account``, the owner of its asset; returns its order hash."""
        headers = {"authorization": await self.authorization(account)}
        body = await self._json(
            "POST",
            f"/{book}orders",
            "publishing the order",
            json={"order": signed_order.to_json()},
            headers=headers,
        )
        published = body.get("published")
        if not isinstance(published, Mapping) or not isinstance(published.get("orderHash"), str):
            raise ProtocolUnavailable("market", "its reply to a publication has no order hash")
        return str(published["orderHash"])

    async def unpublish(self, book: Book, order_hash: str, account: LocalAccount) -> None:
        """Hide an order from the book. It stays valid on chain: revoking a grant is a transaction."""
        headers = {"authorization": await self.authorization(account)}
        await self._json(
            "PUT",
            f"/{book}orders",
            "unpublishing the order",
            json={"target": "unpublish_orderHash", "orderHash": order_hash},
            headers=headers,
        )

    async def order(self, book: Book, order_hash: str) -> MarketOrder | None:
        """One order by hash, whatever its status; None when the market does not know it."""
        with _http_errors("reading the order"):
            response = await self._http.get(f"/{book}orders/{order_hash}")
        if response.status_code == 404:
            return None
        return _market_order(_checked(response, "reading the order"))

    async def dataset_orders(
        self,
        dataset: str,
        *,
        app: str = ANY,
        requester: str = ANY,
        is_app_strict: bool = False,
        is_requester_strict: bool = False,
        page_size: int = 100,
    ) -> list[MarketOrder]:
        """Every open order of ``dataset``, i.e. its grants, across all pages."""
        filters = {
            "dataset": dataset,
            "app": app,
            "requester": requester,
            "isAppStrict": _bool(is_app_strict),
            "isRequesterStrict": _bool(is_requester_strict),
        }
        return await self._all_pages("dataset", filters, page_size)

    async def app_orders(
        self,
        app: str,
        *,
        min_tag: str | None = None,
        workerpool: str = ANY,
        dataset: str = ANY,
        requester: str = ANY,
        page_size: int = 100,
    ) -> list[MarketOrder]:
        """Open orders of ``app`` (the app owner's offers to run it)."""
        filters = {"app": app, "workerpool": workerpool, "dataset": dataset, "requester": requester}
        return await self._all_pages("app", _with_tag(filters, min_tag), page_size)

    async def workerpool_orders(
        self,
        workerpool: str,
        *,
        app: str = ANY,
        dataset: str = ANY,
        requester: str = ANY,
        min_tag: str | None = None,
        category: int | None = None,
        page_size: int = 100,
    ) -> list[MarketOrder]:
        """Open orders of ``workerpool`` (its offers of compute)."""
        filters = {"workerpool": workerpool, "app": app, "dataset": dataset, "requester": requester}
        if category is not None:
            filters["category"] = str(category)
        return await self._all_pages("workerpool", _with_tag(filters, min_tag), page_size)

    async def _all_pages(self, book: Book, filters: dict[str, str], page_size: int) -> list[MarketOrder]:
        """Follow the book's pages while the market says there is a next one."""
        orders: list[MarketOrder] = []
        page = 0
        while True:
            params = {**filters, "pageIndex": str(page), "pageSize": str(page_size)}
            body = await self._json("GET", f"/{book}orders", f"listing the {book} orders", params=params)
            entries = body.get("orders")
            if not isinstance(entries, list):
                raise ProtocolUnavailable("market", f"its {book} order book reply has no orders list")
            orders += [_market_order(entry) for entry in entries]
            count = body.get("count")
            if (
                not entries
                or body.get("nextPage") is None
                or (isinstance(count, int) and len(orders) >= count)
            ):
                return orders
            page += 1

    async def _json(self, method: str, path: str, action: str, **kwargs: Any) -> dict[str, Any]:
        with _http_errors(action):
            response = await self._http.request(method, path, **kwargs)
        return _checked(response, action)


def _checked(response: httpx.Response, action: str) -> dict[str, Any]:
    """The reply's JSON when ``ok``; a refusal with the market's own words, or ProtocolUnavailable."""
    status = response.status_code
    if status >= 500:
        raise ProtocolUnavailable("market", f"HTTP {status} while {action}")
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ProtocolUnavailable("market", f"HTTP {status} with a reply that is not JSON while {action}")
    if response.is_success and body.get("ok") is True:
        return body
    error = body.get("error")
    raise UserFacingError(
        f"The market refused {action}: {error if isinstance(error, str) else f'HTTP {status}'}.",
        _hint(status),
    )


def _hint(status: int) -> str:
    if status in (401, 403):
        return "only the owner of an order's asset can publish or unpublish it; check the selected account"
    return "check the details and retry"


@contextmanager
def _http_errors(action: str) -> Iterator[None]:
    import httpx

    try:
        yield
    except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as e:
        raise ProtocolUnavailable("market", f"{action} failed: {type(e).__name__} {e}".strip()) from e


def _market_order(entry: object) -> MarketOrder:
    try:
        if not isinstance(entry, Mapping):
            raise TypeError("an order entry must be a JSON object")
        return MarketOrder(
            order_hash=str(entry["orderHash"]),
            order=dict(entry["order"]),
            remaining=int(entry["remaining"]),
            status=str(entry["status"]),
            signer=str(entry["signer"]),
            published=str(entry.get("publicationTimestamp", "")),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise ProtocolUnavailable("market", f"it sent a malformed order entry ({e!r})") from e


def _with_tag(filters: dict[str, str], min_tag: str | None) -> dict[str, str]:
    return filters if min_tag is None else {**filters, "minTag": min_tag}


def _bool(value: bool) -> str:
    return "true" if value else "false"
