"""Run an iApp on protected data, as DataProtector's processProtectedData does, and follow the task.

Steps (the SDK's titles): fetch the app, dataset and workerpool orders from the market; push the
requester's secrets (and the result-encryption key, once per network and again when it changes); sign
the request order and match the four orders on chain; follow the task until COMPLETED, FAILED or TIMEOUT.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from dataclasses import dataclass

from desktop_app.core import http
from desktop_app.core.errors import UserFacingError
from desktop_app.core.iexec.chain import PocoClient, task_id
from desktop_app.core.iexec.market_client import MarketClient, MarketOrder
from desktop_app.core.iexec.network import NetworkProfile
from desktop_app.core.iexec.orders import (
    NULL_ADDRESS,
    TAG_TEE,
    TAG_TEE_TDX,
    AppOrder,
    DatasetOrder,
    RequestOrder,
    WorkerpoolOrder,
    new_salt,
    sign_order,
    typed_data,
)
from desktop_app.core.iexec.poco_views import TaskStatus
from desktop_app.core.iexec.sms_client import SmsClient
from desktop_app.core.store.activity import Activity, Kind
from desktop_app.core.store.runs import Runs
from desktop_app.core.wallet import PushedKeys, ResultKeys, WalletSession
from desktop_app.flows.progress import Reporter, StepDone, StepStarted, ignore
from desktop_app.flows.signing import Review, ReviewedSigner, SigningRequest, approve

FETCH_ORDERS = "FETCH_ORDERS"
PUSH_REQUESTER_SECRET = "PUSH_REQUESTER_SECRET"  # noqa: S105 - a step name
REQUEST_TO_PROCESS_PROTECTED_DATA = "REQUEST_TO_PROCESS_PROTECTED_DATA"
TASK_EXECUTION = "TASK_EXECUTION"


@dataclass
class RunServices:
    profile: NetworkProfile
    session: WalletSession
    runs: Runs
    result_keys: ResultKeys
    pushed: PushedKeys


@dataclass(frozen=True)
class RunOutcome:
    task_id: str
    deal_id: str
    status: str  # COMPLETED, FAILED, TIMEOUT, or ACTIVE when not waited for
    reason: str


@dataclass(frozen=True)
class _Orders:
    app: MarketOrder
    dataset: MarketOrder
    workerpool: MarketOrder


def _first_open(orders: list[MarketOrder], what: str, hint: str) -> MarketOrder:
    open_orders = [o for o in orders if o.remaining > 0]
    if not open_orders:
        raise UserFacingError(f"No {what} is available.", hint)
    return min(open_orders, key=lambda o: int(next(v for k, v in o.order.items() if k.endswith("price"))))


async def _fetch_orders(
    profile: NetworkProfile, market: MarketClient, me: str, dataset: str, app: str
) -> _Orders:
    if profile.default_workerpool is None:
        raise UserFacingError(
            f"The {profile.label} profile names no workerpool to run on.", "pick another network"
        )
    app_order = _first_open(
        await market.app_orders(app, min_tag=TAG_TEE), f"offer of app {app}", "the app's owner publishes none"
    )
    dataset_order = _first_open(
        await market.dataset_orders(dataset, app=app, requester=me),
        f"grant letting app {app} process {dataset} for you",
        f"grant it first: `dataprotector-desktop grant {dataset} --app {app} --requester {me}`",
    )
    pool_order = _first_open(
        await market.workerpool_orders(
            profile.default_workerpool, app=app, dataset=dataset, requester=me, min_tag=app_order.order["tag"]
        ),
        f"workerpool offer from {profile.default_workerpool}",
        "the pool is busy or offline; retry later",
    )
    return _Orders(app_order, dataset_order, pool_order)


async def _push_secrets(services: RunServices, sms: SmsClient, values: dict[str, str]) -> dict[str, str]:
    """Push each requester secret under a random name; returns ``iexec_secrets`` (index → name)."""
    account = services.session.account()
    pair = await asyncio.to_thread(services.result_keys.ensure, services.session)
    if services.pushed.needs_push(services.profile.name, account.address, pair.fingerprint):
        await sms.push_result_key(account, pair.public_pem())
        services.pushed.record_push(services.profile.name, account.address, pair.fingerprint)
    names = {}
    for index, value in enumerate(values.values(), start=1):
        name = secrets.token_hex(16)
        await sms.push_requester_secret(account, name, value)
        names[str(index)] = name
    return names


def _params(args: str, secret_names: dict[str, str]) -> str:
    """The SDK's params, in the SDK's key order."""
    params: dict[str, object] = {"iexec_secrets": secret_names} if secret_names else {}
    params.update({"iexec_result_storage_provider": "ipfs", "iexec_result_encryption": True})
    if args:
        params["iexec_args"] = args
    return json.dumps(params, separators=(",", ":"))


async def run(
    services: RunServices,
    dataset: str,
    app: str,
    *,
    args: str = "",
    requester_secrets: dict[str, str] | None = None,
    report: Reporter = ignore,
    review: Review = approve,
    wait: bool = True,
    poll_interval: float = 2.0,
) -> RunOutcome:
    me = services.session.address
    profile = services.profile
    async with PocoClient(profile) as chain, MarketClient(profile) as market, SmsClient(profile) as sms:
        report(StepStarted(FETCH_ORDERS))
        orders = await _fetch_orders(profile, market, me, dataset, app)
        report(StepDone(FETCH_ORDERS))
        report(StepStarted(PUSH_REQUESTER_SECRET))
        secret_names = await _push_secrets(services, sms, requester_secrets or {})
        report(StepDone(PUSH_REQUESTER_SECRET))

        report(StepStarted(REQUEST_TO_PROCESS_PROTECTED_DATA))
        app_order, dataset_order = orders.app.signed(AppOrder), orders.dataset.signed(DatasetOrder)
        pool_order = orders.workerpool.signed(WorkerpoolOrder)
        request = RequestOrder(
            app=app,
            appmaxprice=app_order.order.appprice,
            dataset=dataset,
            datasetmaxprice=dataset_order.order.datasetprice,
            workerpool=pool_order.order.workerpool,
            workerpoolmaxprice=pool_order.order.workerpoolprice,
            requester=me,
            volume=1,
            tag=TAG_TEE_TDX,
            category=pool_order.order.category,
            trust=0,
            beneficiary=me,
            callback=NULL_ADDRESS,
            params=_params(args, secret_names),
            salt=new_salt(),
        )
        domain = await chain.domain()
        # Names before addresses: the person signing recognises "bank.csv", not 0x3f…
        app_name = (await chain.view_app(app)).name or app
        dataset_name = (await chain.view_dataset(dataset)).name or dataset
        total = request.appmaxprice + request.datasetmaxprice + request.workerpoolmaxprice
        price = "free" if total == 0 else f"for {total} nRLC"
        request_review = SigningRequest(
            "transaction",
            f"Run {app_name} on {dataset_name} inside a TEE on {profile.label}, {price}",
            (
                ("network", profile.label),
                ("contract", f"PoCo ({profile.hub})"),
                ("app", f"{app_name} ({app})"),
                ("dataset", f"{dataset_name} ({dataset})"),
                ("requester", "you"),
                ("workerpool", request.workerpool),
                ("volume × price", f"1 × {total} nRLC"),
            ),
            json.dumps(typed_data(request, domain), indent=1),
        )
        # The request order is signed in memory first: matchOrders' gas can only be estimated with it,
        # and the review shows that gas and fee. Nothing leaves this computer before the person signs.
        signed_request = sign_order(request, domain, services.session.account())
        deal_id, _tx = await chain.match_orders(
            app_order,
            dataset_order,
            pool_order,
            signed_request,
            signer=ReviewedSigner(services.session, review, profile, request_review),
        )
        task = task_id(deal_id)
        services.runs.add(task, deal_id, profile.name, me, dataset, app)
        started = f"Started {app_name} on {dataset_name}"
        Activity(services.runs.db).record(profile.name, Kind.RUN, task, started)
        report(StepDone(REQUEST_TO_PROCESS_PROTECTED_DATA, task))
    if not wait:
        return RunOutcome(task, deal_id, "ACTIVE", "")
    return await follow(services, task, report=report, poll_interval=poll_interval)


async def follow(
    services: RunServices, task: str, *, report: Reporter = ignore, poll_interval: float = 2.0
) -> RunOutcome:
    """Watch the task until it ends; on the local network the pool's API also says why one failed."""
    report(StepStarted(TASK_EXECUTION))
    async with PocoClient(services.profile) as chain:
        while True:
            view = await chain.view_task(task)
            reason = ""
            if view.status == TaskStatus.COMPLETED:
                status = "COMPLETED"
            elif view.status == TaskStatus.FAILED:
                status, reason = "FAILED", "the task failed and its price was refunded"
            elif view.final_deadline and time.time() >= view.final_deadline:
                status, reason = "TIMEOUT", "no result before the deadline: claim the task to be refunded"
            else:
                reason = await _pool_failure(services.profile, task)
                status = "FAILED" if reason else ""
            if status:
                break
            await asyncio.sleep(poll_interval)
    services.runs.update(task, status=status, reason=reason)
    ended = f"Ended: {status.lower()}" + (f" ({reason})" if reason else "")
    Activity(services.runs.db).record(services.profile.name, Kind.RUN, task, ended)
    report(StepDone(TASK_EXECUTION, status))
    record = services.runs.get(task)
    return RunOutcome(task, record.deal_id if record else "", status, reason)


async def _pool_failure(profile: NetworkProfile, task_id: str) -> str:
    """The sandbox pool says at once why a task will never complete (public pools don't expose this)."""
    if not profile.workerpool_api:
        return ""
    import httpx  # deferred: startup budget, see ui/app.py

    try:
        async with http.client(10) as client:
            reply = await client.get(f"{profile.workerpool_api}/tasks/{task_id}")
    except httpx.HTTPError:
        return ""
    if reply.status_code != 200 or reply.json().get("state") != "failed":
        return ""
    return f"{reply.json().get('reason', 'unknown reason')} (the task is claimable after its deadline)"
