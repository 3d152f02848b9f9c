"""PoCo, its registries and the DataProtector contract, as the flows use them: typed reads and signed txs.

Everything goes through one ``AsyncWeb3`` over the profile's RPC, so the same code runs against the sandbox
and a public network. Transactions are built here but signed by a :class:`TxSigner` the flow passes in
(the wallet session, or a wrapper that first shows the review dialog with exactly the gas and fees it is
given): core never holds a key and never decides alone to spend the user's gas.

Failures come out in the app's taxonomy (``desktop_app.core.errors``): an unreachable or failing RPC is
:class:`ProtocolUnavailable`; a revert is a :class:`UserFacingError` carrying the contract's reason (e.g.
``iExecV5-matchOrders-0x06``), found before signing because the gas estimate runs the call; a lack of gas
money is a :class:`UserFacingError` saying so. A transaction sent but not mined in time is
:class:`TransactionPending`, with its hash, so the flow can wait for it again instead of re-sending.
"""

from __future__ import annotations

import asyncio
import inspect
import math
from collections.abc import Awaitable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

from desktop_app.core.eip55 import to_checksum_address
from desktop_app.core.errors import ProtocolUnavailable, UserFacingError
from desktop_app.core.iexec.abi import AbiName, load_abi
from desktop_app.core.iexec.network import NetworkProfile
from desktop_app.core.iexec.orders import (
    AppOrder,
    DatasetOrder,
    Eip712Domain,
    RequestOrder,
    SignedOrder,
    WorkerpoolOrder,
)
from desktop_app.core.iexec.poco_views import Contribution, Deal, Task
from desktop_app.core.wallet.signing import FeeData, SignedTx, TxRequest

# web3, aiohttp, eth_abi and eth_utils (most of a second together) are imported in the functions that use
# them, so that importing this module costs nothing at startup (see ui/app.py): a ``PocoClient`` is first
# made by an operation running after the window has painted.
if TYPE_CHECKING:
    from eth_typing import ChecksumAddress
    from web3.contract import AsyncContract
    from web3.exceptions import Web3RPCError
    from web3.types import TxParams, TxReceipt

AssetKind = Literal["app", "dataset", "workerpool"]
Bytes32 = bytes | str
"""A deal id, task id or order hash: 32 raw bytes or their 0x-hex."""

GAS_MARGIN = 1.2
"""Estimates are exact for the state they ran on; the margin absorbs small changes before mining."""
CLOSE = 1  # IexecLibOrders_v5.OrderOperationEnum.CLOSE
NRLC_IN_WEI = 10**9  # native mode: 1 nRLC = 1e9 wei of the chain's coin
_PARALLEL_READS = 16  # concurrent calls when enumerating a registry, gentle on public RPCs
_T = TypeVar("_T")


class TxSigner(Protocol):
    """Who pays for and signs a transaction. ``WalletSession`` is one as it is.

    ``sign_transaction`` may be a coroutine: a flow can then show the review dialog with the very
    request and fees it receives, and raise ``UserCancelled`` when the user declines.
    """

    @property
    def address(self) -> str: ...

    def sign_transaction(self, tx: TxRequest, fees: FeeData) -> SignedTx | Awaitable[SignedTx]: ...


class TransactionPending(UserFacingError):
    """A transaction was sent but not mined in time; it may still be. Wait for ``tx_hash`` again."""

    def __init__(self, tx_hash: str, action: str, explorer: str | None) -> None:
        where = f"{explorer}/tx/{tx_hash}" if explorer else tx_hash
        super().__init__(
            f"The transaction for {action} was sent but is not confirmed yet ({where}).",
            "wait a few minutes and look again; do not send it twice",
        )
        self.tx_hash = tx_hash


@dataclass(frozen=True)
class AppInfo:
    address: str
    owner: str
    name: str
    type: str
    multiaddr: bytes
    """For a Docker app, the UTF-8 image reference."""
    checksum: bytes
    mrenclave: bytes
    """Empty for TDX apps; UTF-8 JSON of the enclave configuration for SGX ones (spec §7)."""


@dataclass(frozen=True)
class DatasetInfo:
    address: str
    owner: str
    name: str
    multiaddr: bytes
    checksum: bytes


@dataclass(frozen=True)
class WorkerpoolInfo:
    address: str
    owner: str
    description: str
    worker_stake_ratio: int
    scheduler_reward_ratio: int


@dataclass(frozen=True)
class Finalization:
    worker: str
    enclave_challenge: str
    enclave_sign: bytes
    authorization_sign: bytes


def task_id(deal_id: Bytes32, index: int = 0) -> str:
    """``keccak256(dealid ‖ uint256(index))``: the id of a deal's task (spec §4.6)."""
    from eth_utils.crypto import keccak

    return "0x" + keccak(_bytes32(deal_id) + index.to_bytes(32, "big")).hex()


def revert_reason(data: object) -> str | None:
    """The reason in a revert's return data: ``Error(string)``, ``Panic(uint256)`` or a hub custom error."""
    from eth_abi.abi import decode as abi_decode

    raw = _hex_bytes(data)
    if raw is None or len(raw) < 4:
        return None
    selector, body = raw[:4], raw[4:]
    try:
        if selector == _selector("Error(string)"):
            (reason,) = abi_decode(["string"], body)
            return str(reason)
        if selector == _selector("Panic(uint256)"):
            (code,) = abi_decode(["uint256"], body)
            return f"panic 0x{code:02x}"
        for error in load_abi("IexecInterfaceNative"):
            if error["type"] == "error":
                types = [arg["type"] for arg in error.get("inputs", [])]
                if _selector(f"{error['name']}({','.join(types)})") == selector:
                    return f"{error['name']}{abi_decode(types, body)}"
    except Exception:  # undecodable data only means "no reason", never a second failure
        return None
    return None


class PocoClient:
    """The chain side of one network. Use ``async with PocoClient(profile) as poco:`` (it owns a session)."""

    def __init__(
        self, profile: NetworkProfile, *, rpc_timeout: float = 30.0, receipt_timeout: float = 180.0
    ) -> None:
        import aiohttp
        from web3 import AsyncHTTPProvider, AsyncWeb3

        self.profile = profile
        timeout = aiohttp.ClientTimeout(total=rpc_timeout)
        self._w3 = AsyncWeb3(AsyncHTTPProvider(profile.rpc, request_kwargs={"timeout": timeout}))
        self._receipt_timeout = receipt_timeout
        # The sandbox mines each transaction at once; public chains take a second or more.
        self._poll_latency = 0.1 if profile.from_sandbox else 1.0
        self._hub = self._contract(profile.hub, "IexecInterfaceNative")
        self._data_protector = self._contract(profile.data_protector, "DataProtector")
        self._registries: dict[AssetKind, AsyncContract] = {
            "app": self._contract(profile.app_registry, "AppRegistry"),
            "dataset": self._contract(profile.dataset_registry, "DatasetRegistry"),
            "workerpool": self._contract(profile.workerpool_registry, "WorkerpoolRegistry"),
        }
        self._domain: Eip712Domain | None = None
        self._chain_checked = False

    async def __aenter__(self) -> PocoClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._w3.provider.disconnect()

    # -- reads -------------------------------------------------------------------------------------------

    async def domain(self) -> Eip712Domain:
        """PoCo's EIP-712 domain, read once from ``hub.domain()`` (orders are signed against it)."""
        if self._domain is None:
            await self._check_chain()
            name, version, chain_id, verifying_contract = await self._call(
                self._hub.functions.domain(), "reading PoCo's signing domain"
            )
            self._domain = Eip712Domain(name, version, chain_id, verifying_contract)
        return self._domain

    async def view_deal(self, deal_id: Bytes32) -> Deal:
        raw = await self._call(self._hub.functions.viewDeal(_bytes32(deal_id)), "reading the deal")
        return Deal.from_tuple(raw)

    async def view_task(self, task: Bytes32) -> Task:
        raw = await self._call(self._hub.functions.viewTask(_bytes32(task)), "reading the task")
        return Task.from_tuple(raw)

    async def view_app(self, address: str) -> AppInfo:
        owner, name, kind, multiaddr, checksum, mrenclave = await self._view_asset("app", address)
        return AppInfo(_checksum(address), owner, name, kind, multiaddr, checksum, mrenclave)

    async def view_dataset(self, address: str) -> DatasetInfo:
        owner, name, multiaddr, checksum = await self._view_asset("dataset", address)
        return DatasetInfo(_checksum(address), owner, name, multiaddr, checksum)

    async def view_workerpool(self, address: str) -> WorkerpoolInfo:
        owner, description, stake_ratio, reward_ratio = await self._view_asset("workerpool", address)
        return WorkerpoolInfo(_checksum(address), owner, description, stake_ratio, reward_ratio)

    async def dataset_owner(self, address: str) -> str:
        """Who may push the dataset's key and sign its grants (the SMS and the market check the same)."""
        return (await self.view_dataset(address)).owner

    async def consumed(self, order_hash: Bytes32) -> int:
        """How much of an order's volume is used; a closed (revoked) order counts as fully consumed."""
        consumed: int = await self._call(
            self._hub.functions.viewConsumed(_bytes32(order_hash)), "reading an order's use"
        )
        return consumed

    async def teebroker(self) -> str:
        """Who signs TEE worker authorizations instead of the workerpool owner; 0x0 when nobody."""
        broker: str = await self._call(self._hub.functions.teebroker(), "reading the TEE broker")
        return broker

    async def is_registered(self, kind: AssetKind, address: str) -> bool:
        registered: bool = await self._call(
            self._registries[kind].functions.isRegistered(_checksum(address)), f"checking the {kind} registry"
        )
        return registered

    async def staked(self, address: str) -> int:
        """The account's free stake in the hub's escrow, in nRLC: what pays for runs."""
        stake, _locked = await self._call(
            self._hub.functions.viewAccount(_checksum(address)), "reading the account's stake"
        )
        return int(stake)

    async def balance(self, address: str) -> int:
        """The account's balance of the chain's coin, in wei: what pays for gas."""
        with self._rpc("reading the account's balance"):
            return int(await self._w3.eth.get_balance(_checksum(address)))

    async def apps(self, *, limit: int | None = None) -> list[str]:
        """Registered apps, newest first (an ERC-721 enumeration: token id = uint160(app address))."""
        registry = self._registries["app"].functions
        total: int = await self._call(registry.totalSupply(), "counting the registered apps")
        indexes = range(total - 1, -1 if limit is None else max(-1, total - 1 - limit), -1)
        tokens = await self._gather(
            [self._call(registry.tokenByIndex(i), "listing the apps") for i in indexes]
        )
        return [_token_address(token) for token in tokens]

    async def datasets_of(self, owner: str) -> list[str]:
        """The datasets ``owner`` holds, in registry order (needs no indexer, so it works everywhere)."""
        registry = self._registries["dataset"].functions
        owner = _checksum(owner)
        count: int = await self._call(registry.balanceOf(owner), "counting the owner's datasets")
        tokens = await self._gather(
            [self._call(registry.tokenOfOwnerByIndex(owner, i), "listing the datasets") for i in range(count)]
        )
        return [_token_address(token) for token in tokens]

    async def dataset_schemas(self, addresses: Sequence[str], *, from_block: int = 0) -> dict[str, str]:
        """The schema each dataset was created with, from the DataProtector's ``DatasetSchema`` logs.

        Datasets created some other way have no such log and are left out. Public RPCs may refuse log
        queries over a whole chain's history; there, use the DataProtector subgraph (``subgraph.py``).
        """
        event = self._data_protector.events.DatasetSchema()
        topic0 = _topic("DatasetSchema(address,string)")
        wanted = ["0x" + bytes(12).hex() + _checksum(a)[2:].lower() for a in addresses]
        schemas: dict[str, str] = {}
        for start in range(0, len(wanted), 100):
            params: Any = {
                "address": self._data_protector.address,
                "topics": [topic0, wanted[start : start + 100]],
                "fromBlock": from_block,
                "toBlock": "latest",
            }
            with self._rpc("reading the datasets' schemas"):
                logs = await self._w3.eth.get_logs(params)
            for log in logs:
                args = event.process_log(log)["args"]
                schemas[_checksum(args["dataset"])] = str(args["schema"])
        return schemas

    # -- the evidence of a finished task (what verify needs) ---------------------------------------------

    async def view_contribution(self, task: Bytes32, worker: str) -> Contribution:
        raw = await self._call(
            self._hub.functions.viewContribution(_bytes32(task), _checksum(worker)),
            "reading the contribution",
        )
        return Contribution(int(raw[0]), bytes(raw[1]), bytes(raw[2]), _checksum(raw[3]))

    async def finalization(self, task: Bytes32, *, from_block: int = 0) -> Finalization:
        """The ``contributeAndFinalize`` call that completed ``task``: its sender and its signatures, which
        PoCo checks but does not store, so they can only be read back from the transaction itself."""
        topic0 = _topic("TaskFinalize(bytes32,bytes)")
        wanted = _bytes32(task)
        params: Any = {
            "address": self._hub.address,
            "topics": [topic0, "0x" + wanted.hex()],
            "fromBlock": from_block,
        }
        with self._rpc("finding the task's result transaction"):
            logs = await self._w3.eth.get_logs(params)
            if not logs:
                raise UserFacingError(f"No result transaction was found for task 0x{wanted.hex()}.")
            tx = await self._w3.eth.get_transaction(logs[-1]["transactionHash"])
        function, args = self._hub.decode_function_input(tx["input"])
        if function.fn_name != "contributeAndFinalize":
            raise UserFacingError(
                f"Task 0x{wanted.hex()} was finalized by {function.fn_name}, not by a TEE worker."
            )
        return Finalization(
            _checksum(tx["from"]),
            _checksum(args["enclaveChallenge"]),
            bytes(args["enclaveSign"]),
            bytes(args["authorizationSign"]),
        )

    async def matched_dataset_order(self, deal_id: Bytes32, *, from_block: int = 0) -> bytes:
        """The hash of the dataset order (the grant) a deal consumed, from its ``OrdersMatched`` event."""
        topic0 = _topic("OrdersMatched(bytes32,bytes32,bytes32,bytes32,bytes32,uint256)")
        params: Any = {"address": self._hub.address, "topics": [topic0], "fromBlock": from_block}
        wanted = _bytes32(deal_id)
        with self._rpc("finding the deal"):
            for log in await self._w3.eth.get_logs(params):
                args = self._hub.events.OrdersMatched().process_log(log)["args"]
                if bytes(args["dealid"]) == wanted:
                    return bytes(args["datasetHash"])
        raise UserFacingError(f"The deal 0x{wanted.hex()} was not found on this network.")

    # -- transactions ------------------------------------------------------------------------------------

    async def create_dataset_with_schema(
        self, name: str, schema: str, multiaddr: bytes, checksum: bytes, *, signer: TxSigner
    ) -> tuple[str, str]:
        """Register protected data owned by the signer; returns ``(dataset address, tx hash)``."""
        data = self._data_protector.encode_abi(
            "createDatasetWithSchema", args=[_checksum(signer.address), name, schema, multiaddr, checksum]
        )
        action = "creating the protected data"
        tx_hash = await self._send(signer, self._data_protector.address, data, action)
        return await self.dataset_created_in(tx_hash), tx_hash

    async def transaction_known(self, tx_hash: str) -> bool:
        """Whether the node has seen ``tx_hash`` (pending or mined): a flow that crashed between signing
        and sending finds out here that it must send again rather than wait for a receipt forever."""
        from web3.exceptions import TransactionNotFound

        with self._rpc("looking up a transaction"):
            try:
                await self._w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
            except TransactionNotFound:
                return False
        return True

    async def dataset_created_in(self, tx_hash: str) -> str:
        """The dataset a ``createDatasetWithSchema`` transaction made, once mined (also to resume a flow)."""
        from web3.logs import DISCARD

        receipt = await self._mined(tx_hash, "creating the protected data")
        events = self._data_protector.events.DatasetSchema().process_receipt(receipt, errors=DISCARD)
        if not events:
            raise UserFacingError(
                f"Transaction {tx_hash} did not create protected data.", "check it on the explorer"
            )
        return _checksum(events[0]["args"]["dataset"])

    async def close_dataset_order(self, signed_order: SignedOrder[DatasetOrder], *, signer: TxSigner) -> str:
        """Revoke a grant for good: ``manageDatasetOrder(CLOSE)`` marks its volume consumed on chain."""
        data = self._hub.encode_abi("manageDatasetOrder", args=[(signed_order.as_tuple(), CLOSE, b"")])
        action = "revoking the access"
        tx_hash = await self._send(signer, self._hub.address, data, action)
        await self._mined(tx_hash, action)
        return tx_hash

    async def match_orders(
        self,
        app: SignedOrder[AppOrder],
        dataset: SignedOrder[DatasetOrder],
        workerpool: SignedOrder[WorkerpoolOrder],
        request: SignedOrder[RequestOrder],
        *,
        signer: TxSigner,
    ) -> tuple[str, str]:
        """Start a run: returns ``(deal id, tx hash)``; the deal's first task is ``task_id(deal_id)``."""
        orders = [order.as_tuple() for order in (app, dataset, workerpool, request)]
        data = self._hub.encode_abi("matchOrders", args=orders)
        tx_hash = await self._send(signer, self._hub.address, data, "matching the orders")
        return await self.deal_matched_in(tx_hash), tx_hash

    async def deal_matched_in(self, tx_hash: str) -> str:
        """The deal a ``matchOrders`` transaction made, once mined, from its ``OrdersMatched`` event."""
        from web3.logs import DISCARD

        receipt = await self._mined(tx_hash, "matching the orders")
        events = self._hub.events.OrdersMatched().process_receipt(receipt, errors=DISCARD)
        if not events:
            raise UserFacingError(f"Transaction {tx_hash} did not create a deal.", "check it on the explorer")
        return "0x" + bytes(events[0]["args"]["dealid"]).hex()

    async def claim(self, task: Bytes32, *, signer: TxSigner) -> str:
        """Refund a task that failed or passed its final deadline."""
        data = self._hub.encode_abi("claim", args=[_bytes32(task)])
        tx_hash = await self._send(signer, self._hub.address, data, "claiming the task")
        await self._mined(tx_hash, "claiming the task")
        return tx_hash

    async def deposit(self, nrlc: int, *, signer: TxSigner) -> str:
        """Stake ``nrlc`` nRLC in the hub's escrow, which pays for runs.

        Where RLC is the native coin this is ``deposit()`` with value; elsewhere RLC is an ERC-20 and the
        SDK's way is one transaction, ``RLC.approveAndCall(hub, amount, 0x)`` (spec §4.5).
        """
        if nrlc <= 0:
            raise ValueError("the deposit must be positive")
        if self.profile.native_rlc:
            data = self._hub.encode_abi("deposit")
            tx_hash = await self._send(
                signer, self._hub.address, data, "depositing RLC", value=nrlc * NRLC_IN_WEI
            )
        else:
            assert self.profile.rlc is not None, "a profile without native RLC names its token"
            from eth_abi.abi import encode as abi_encode

            args = abi_encode(["address", "uint256", "bytes"], [self._hub.address, nrlc, b""])
            data = "0x" + (_selector("approveAndCall(address,uint256,bytes)") + args).hex()
            tx_hash = await self._send(signer, self.profile.rlc, data, "depositing RLC")
        await self._mined(tx_hash, "depositing RLC")
        return tx_hash

    # -- plumbing ----------------------------------------------------------------------------------------

    def _contract(self, address: str, abi: AbiName) -> AsyncContract:
        return self._w3.eth.contract(address=_checksum(address), abi=load_abi(abi))

    async def _call(self, function: Any, action: str) -> Any:
        with self._rpc(action):
            return await function.call()

    async def _view_asset(self, kind: AssetKind, address: str) -> Any:
        """``viewApp``/``viewDataset``/``viewWorkerpool``; an address that is no such asset reverts."""
        from web3.exceptions import BadFunctionCallOutput, ContractLogicError

        view = {"app": "viewApp", "dataset": "viewDataset", "workerpool": "viewWorkerpool"}[kind]
        function = self._hub.get_function_by_name(view)(_checksum(address))
        with self._rpc(f"reading the {kind}"):
            try:
                return await function.call()
            except (ContractLogicError, BadFunctionCallOutput) as e:
                raise UserFacingError(
                    f"{address} is not a registered {kind} on {self.profile.label}.",
                    "check the address, and that the right network is selected",
                ) from e

    async def _gather(self, reads: Sequence[Awaitable[_T]]) -> list[_T]:
        """Await ``reads`` concurrently, at most ``_PARALLEL_READS`` at a time; results in order."""
        gate = asyncio.Semaphore(_PARALLEL_READS)

        async def read(one: Awaitable[_T]) -> _T:
            async with gate:
                return await one

        return list(await asyncio.gather(*(read(one) for one in reads)))

    async def _check_chain(self) -> None:
        """Refuse to sign for a chain other than the profile's (a mistyped RPC URL must not cost money)."""
        if self._chain_checked:
            return
        with self._rpc("reading the chain id"):
            chain_id = await self._w3.eth.chain_id
        if chain_id != self.profile.chain_id:
            raise UserFacingError(
                f"The RPC {self.profile.rpc} serves chain {chain_id}, but the {self.profile.label} profile "
                f"is chain {self.profile.chain_id}.",
                "fix the profile's rpc URL, or choose the network that RPC belongs to",
            )
        self._chain_checked = True

    async def _fees(self) -> FeeData:
        """EIP-1559 fees when the latest block has a base fee, else a legacy gas price."""
        block = await self._w3.eth.get_block("latest")
        gas_price = await self._w3.eth.gas_price
        tip = await self._w3.eth.max_priority_fee if block.get("baseFeePerGas") is not None else 0
        return FeeData.from_latest_block(block, gas_price=gas_price, max_priority_fee_per_gas=tip)

    async def _send(self, signer: TxSigner, to: str, data: str, action: str, *, value: int = 0) -> str:
        """Estimate (which surfaces a revert before anyone signs), sign with ``signer``, send; the hash."""
        await self._check_chain()
        sender = _checksum(signer.address)
        call: TxParams = {"from": sender, "to": _checksum(to), "data": data, "value": value}  # type: ignore[typeddict-item]
        with self._rpc(action):
            gas = math.ceil(await self._w3.eth.estimate_gas(call) * GAS_MARGIN)
            nonce = await self._w3.eth.get_transaction_count(sender, "pending")
            fees = await self._fees()
        tx = TxRequest(self.profile.chain_id, nonce, gas, to, value, bytes.fromhex(data[2:]))
        signed = signer.sign_transaction(tx, fees)
        if inspect.isawaitable(signed):
            signed = await signed
        with self._rpc(action):
            await self._w3.eth.send_raw_transaction(signed.raw)
        return signed.hash_hex

    async def _mined(self, tx_hash: str, action: str) -> TxReceipt:
        from web3.exceptions import TimeExhausted

        try:
            with self._rpc(action):
                receipt = await self._w3.eth.wait_for_transaction_receipt(
                    tx_hash,  # type: ignore[arg-type]
                    timeout=self._receipt_timeout,
                    poll_latency=self._poll_latency,
                )
        except TimeExhausted as e:
            raise TransactionPending(tx_hash, action, self.profile.explorer) from e
        if receipt["status"] != 1:
            reason = await self._replayed_reason(tx_hash, receipt)
            raise UserFacingError(
                f"The transaction for {action} was mined but reverted"
                + (f": {reason}." if reason else " (no reason could be recovered)."),
                "its gas was spent and nothing else changed; check the details and retry",
            )
        return receipt

    async def _replayed_reason(self, tx_hash: str, receipt: TxReceipt) -> str | None:
        """Why a mined transaction reverted: its call replayed on the state it ran against."""
        import aiohttp
        from web3.exceptions import ContractLogicError, Web3RPCError

        with self._rpc("reading the failed transaction"):
            tx = await self._w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
        replay: TxParams = {"from": tx["from"], "to": tx["to"], "data": tx["input"], "value": tx["value"]}
        try:
            await self._w3.eth.call(replay, block_identifier=max(0, receipt["blockNumber"] - 1))
        except ContractLogicError as e:
            return revert_reason(e.data)
        except (Web3RPCError, aiohttp.ClientError, TimeoutError):
            return None
        return None

    @contextmanager
    def _rpc(self, action: str) -> Iterator[None]:
        """Turn what web3 and aiohttp raise into the app's error taxonomy, saying what was being done."""
        import aiohttp
        from web3.exceptions import BadFunctionCallOutput, ContractLogicError, Web3RPCError

        try:
            yield
        except ContractLogicError as e:
            reason = revert_reason(e.data)
            raise UserFacingError(
                f"The network refused {action}"
                + (f": {reason}." if reason else " (the contract gave no reason)."),
                _revert_hint(reason),
            ) from e
        except Web3RPCError as e:
            message = _rpc_message(e)
            if "insufficient funds" in message.lower():
                raise UserFacingError(
                    f"There are not enough funds for gas for {action}.", self._funds_hint()
                ) from e
            raise UserFacingError(
                f"The blockchain node refused {action}: {message}.", "retry in a moment"
            ) from e
        except BadFunctionCallOutput as e:
            raise UserFacingError(
                f"A contract of the {self.profile.label} profile did not answer while {action}.",
                "the profile's contract addresses may not match its chain; check the network profile",
            ) from e
        except (aiohttp.ClientError, TimeoutError, OSError) as e:
            raise ProtocolUnavailable("blockchain RPC", f"{self.profile.rpc}: {_describe(e)}") from e

    def _funds_hint(self) -> str:
        if self.profile.faucet:
            return "get free test funds from the local sandbox's faucet, then retry"
        return "send some of the chain's coin (ETH) to this account for gas, then retry"


def _revert_hint(reason: str | None) -> str:
    if reason and reason.startswith("iExecV5-matchOrders"):
        return (
            "the orders do not fit together (price, tag, category or a restriction), or one is used up "
            "or revoked; fetch fresh orders and retry"
        )
    return "nothing was sent and no gas was spent; check the details and retry"


def _rpc_message(e: Web3RPCError) -> str:
    response: Mapping[str, Any] = e.rpc_response or {}
    error = response.get("error")
    if isinstance(error, Mapping) and isinstance(error.get("message"), str):
        return str(error["message"])
    return str(e)


def _describe(e: BaseException) -> str:
    import aiohttp

    if isinstance(e, TimeoutError):
        return "no answer in time"
    if isinstance(e, aiohttp.ClientResponseError):
        return f"HTTP {e.status} {e.message}"
    return str(e) or type(e).__name__


def _hex_bytes(data: object) -> bytes | None:
    if isinstance(data, bytes):
        return data
    if isinstance(data, str) and data.startswith("0x"):
        try:
            return bytes.fromhex(data[2:])
        except ValueError:
            return None
    return None


def _bytes32(value: Bytes32) -> bytes:
    raw = bytes.fromhex(value.removeprefix("0x")) if isinstance(value, str) else bytes(value)
    if len(raw) != 32:
        raise ValueError(f"expected 32 bytes, got {len(raw)}")
    return raw


def _checksum(address: str) -> ChecksumAddress:
    return to_checksum_address(address)


def _selector(signature: str) -> bytes:
    """The 4-byte id of a function or error: the start of the keccak of its signature."""
    from eth_utils.crypto import keccak

    return keccak(text=signature)[:4]


def _topic(signature: str) -> str:
    """An event's ``topic0``: the keccak of its signature, as 0x-hex for ``eth_getLogs``."""
    from eth_utils.crypto import keccak

    return "0x" + keccak(text=signature).hex()


def _token_address(token_id: int) -> str:
    """Registries are ERC-721s whose token id is the asset's address as a uint160."""
    return _checksum("0x" + token_id.to_bytes(20, "big").hex())
