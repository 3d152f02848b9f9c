"""Grant, list and revoke an iApp's access to protected data.

A grant is a DatasetOrder signed with EIP-712 and published to the market (no gas); revoking it is an
on-chain ``manageDatasetOrder(CLOSE)`` that marks its whole volume consumed, after which PoCo refuses it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from desktop_app.core.errors import UserFacingError
from desktop_app.core.iexec.chain import PocoClient
from desktop_app.core.iexec.market_client import MarketClient, MarketOrder
from desktop_app.core.iexec.network import NetworkProfile
from desktop_app.core.iexec.orders import (
    NULL_ADDRESS,
    TAG_TEE_TDX,
    DatasetOrder,
    Eip712Domain,
    new_salt,
    sign_order,
    typed_data,
)
from desktop_app.core.store.activity import Activity, Kind
from desktop_app.core.wallet import WalletSession
from desktop_app.flows.progress import BytesProgress, Reporter, ignore
from desktop_app.flows.signing import Review, ReviewedSigner, SigningRequest, approve

GRANT_STEP = "PUBLISH_DATASET_ORDER"
REVOKE_STEP = "REVOKE_ACCESS"
BULK_VOLUME = 2**53 - 1  # what the SDK's allowBulk grants


@dataclass(frozen=True)
class GrantOutcome:
    order_hash: str
    already_granted: bool


@dataclass(frozen=True)
class GrantView:
    order_hash: str
    app: str
    requester: str  # NULL_ADDRESS means anyone
    volume: int
    remaining: int
    price: int
    status: str

    @property
    def consumed(self) -> int:
        return self.volume - self.remaining


async def _view(chain: PocoClient, entry: MarketOrder) -> GrantView:
    """Remaining runs come from the chain (``volume - viewConsumed``), which the market only mirrors."""
    o = entry.order
    volume = int(o["volume"])
    remaining = max(volume - await chain.consumed(entry.order_hash), 0)
    status = entry.status if remaining else ("filled" if entry.status == "open" else entry.status)
    return GrantView(
        entry.order_hash,
        o["apprestrict"],
        o["requesterrestrict"],
        volume,
        remaining,
        int(o["datasetprice"]),
        status,
    )


async def _check_owner(chain: PocoClient, dataset: str, session: WalletSession) -> None:
    if not await chain.is_registered("dataset", dataset):
        raise UserFacingError(f"{dataset} is not protected data on this network.", "check the address")
    owner = await chain.dataset_owner(dataset)
    if owner.lower() != session.address.lower():
        raise UserFacingError(
            f"{dataset} belongs to {owner}, not to your account {session.address}.",
            "switch to the owner's account",
        )


async def grant(
    profile: NetworkProfile,
    session: WalletSession,
    dataset: str,
    app: str,
    *,
    requester: str | None = None,
    volume: int = 1,
    price: int = 0,
    review: Review = approve,
    activity: Activity | None = None,
) -> GrantOutcome:
    """Allow ``app`` to process ``dataset`` for ``requester`` (None: anyone), ``volume`` times; the grant
    is written to ``activity`` when given."""
    if volume < 1:
        raise UserFacingError("A grant must allow at least one run.", "use --volume 1 or more")
    restrict = requester or NULL_ADDRESS
    async with PocoClient(profile) as chain, MarketClient(profile) as market:
        await _check_owner(chain, dataset, session)
        if not await chain.is_registered("app", app):
            raise UserFacingError(f"{app} is not a registered iApp on {profile.label}.", "see `apps`")
        app_name = (await chain.view_app(app)).name
        existing = await market.dataset_orders(
            dataset, app=app, requester=restrict, is_app_strict=True, is_requester_strict=True
        )
        for entry in existing:
            if entry.remaining > 0:
                return GrantOutcome(entry.order_hash, already_granted=True)
        order = DatasetOrder(
            dataset=dataset,
            datasetprice=price,
            volume=volume,
            tag=TAG_TEE_TDX,
            apprestrict=app,
            workerpoolrestrict=NULL_ADDRESS,
            requesterrestrict=restrict,
            salt=new_salt(),
        )
        domain = await chain.domain()
        request = _grant_request(profile, session, order, domain, app_name)
        await review(request)
        order_hash = await market.publish(
            "dataset", sign_order(order, domain, session.account()), session.account()
        )
    if activity is not None:
        activity.record(profile.name, Kind.GRANT, dataset, request.sentence)
    return GrantOutcome(order_hash, already_granted=False)


def _grant_request(
    profile: NetworkProfile, session: WalletSession, order: DatasetOrder, domain: Eip712Domain, app_name: str
) -> SigningRequest:
    """The grant as a sentence, with the risky choices (anyone, unlimited) called out."""
    restrict = order.requesterrestrict
    if restrict == NULL_ADDRESS:
        who = "anyone"
    elif restrict.lower() == session.address.lower():
        who = "you"
    else:
        who = restrict
    risks = []
    if restrict == NULL_ADDRESS:
        risks.append("ANYONE can run this app on your data")
    if order.volume >= BULK_VOLUME:
        risks.append("there is no limit on the number of runs")
    times = f"{order.volume} time{'s' if order.volume > 1 else ''}"
    price = "free" if order.datasetprice == 0 else f"{order.datasetprice} nRLC each"
    return SigningRequest(
        "typed-data",
        f"Allow {app_name} to process your data for {who}, {times}, {price}, inside a TEE, "
        f"on {profile.label}",
        (
            ("network", profile.label),
            ("contract", domain.verifying_contract),
            ("app", f"{app_name} ({order.apprestrict})"),
            ("requester", who),
            ("volume × price", f"{order.volume} × {order.datasetprice} nRLC"),
            ("dataset", order.dataset),
        ),
        json.dumps(typed_data(order, domain), indent=1),
        tuple(risks),
    )


async def grants(profile: NetworkProfile, dataset: str) -> list[GrantView]:
    async with PocoClient(profile) as chain, MarketClient(profile) as market:
        return [await _view(chain, entry) for entry in await market.dataset_orders(dataset)]


async def revoke(
    profile: NetworkProfile,
    session: WalletSession,
    dataset: str,
    *,
    order_hash: str | None = None,
    app: str | None = None,
    report: Reporter = ignore,
    review: Review = approve,
    activity: Activity | None = None,
) -> list[str]:
    """Close the matching grants on chain (one transaction each); returns the closed order hashes.

    With neither ``order_hash`` nor ``app`` every open grant of ``dataset`` is revoked. Each revocation
    is written to ``activity`` when given, as soon as its transaction is mined.
    """
    async with PocoClient(profile) as chain, MarketClient(profile) as market:
        await _check_owner(chain, dataset, session)
        # The chain decides what is still open (spec §3): the market's view may lag a block behind.
        entries = [e for e in await market.dataset_orders(dataset) if (await _view(chain, e)).remaining > 0]
        if order_hash is not None:
            entries = [e for e in entries if e.order_hash.lower() == order_hash.lower()]
        if app is not None:
            entries = [e for e in entries if e.order["apprestrict"].lower() == app.lower()]
        if not entries:
            raise UserFacingError("No open grant matches.", "see `grants DATASET` for the open ones")
        request = SigningRequest(
            "transaction",
            f"Revoke {len(entries)} grant{'s' if len(entries) > 1 else ''} on {profile.label}: "
            "one on-chain transaction each, paid in gas; it cannot be undone",
            (
                ("contract", f"PoCo ({profile.hub})"),
                *(("grant", f"{e.order_hash} (app {e.order['apprestrict']})") for e in entries),
                ("transactions", f"{len(entries)}, each about the fee below"),
            ),
            json.dumps([e.order for e in entries], indent=1),
        )
        # The first transaction is reviewed once its gas is known, for all of them: one approval.
        reviewed = ReviewedSigner(session, review, profile, request)
        closed = []
        for done, entry in enumerate(entries, start=1):
            signer = reviewed if done == 1 else session
            await chain.close_dataset_order(entry.signed(DatasetOrder), signer=signer)
            closed.append(entry.order_hash)
            if activity is not None:
                revoked = f"Revoked the access of app {entry.order['apprestrict']} (grant {entry.order_hash})"
                activity.record(profile.name, Kind.REVOKE, dataset, revoked)
            report(BytesProgress(REVOKE_STEP, done, len(entries)))
    return closed
