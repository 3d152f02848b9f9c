"""What the sandbox services ask the chain: who owns an asset, is a signature valid, how much is consumed.

The services answer as the real SMS and market API do, from chain state, so a dataset's owner is whoever
``owner()`` says on chain, and an order's ``remaining`` is ``volume - viewConsumed(orderHash)``.
"""

from __future__ import annotations

from typing import Any, Literal

from eth_typing import ChecksumAddress
from web3 import AsyncHTTPProvider, AsyncWeb3
from web3.contract import AsyncContract

from desktop_app.core.iexec.orders import Eip712Domain
from desktop_app.sandbox.chain.deploy import Deployment
from desktop_app.sandbox.parts import Parts

AssetKind = Literal["app", "dataset", "workerpool"]
_REGISTRY_ARTIFACT: dict[AssetKind, str] = {
    "app": "AppRegistry",
    "dataset": "DatasetRegistry",
    "workerpool": "WorkerpoolRegistry",
}
_ASSET_ARTIFACT: dict[AssetKind, str] = {"app": "App", "dataset": "Dataset", "workerpool": "Workerpool"}


class ChainView:
    def __init__(self, rpc_url: str, deployment: Deployment, parts: Parts) -> None:
        self.w3 = AsyncWeb3(AsyncHTTPProvider(rpc_url, request_kwargs={"timeout": 30}))
        self.deployment = deployment
        self._parts = parts
        self.hub: AsyncContract = self.w3.eth.contract(
            address=AsyncWeb3.to_checksum_address(deployment.hub),
            abi=parts.poco_artifact("IexecInterfaceNative")["abi"],
        )
        self._registries: dict[AssetKind, AsyncContract] = {
            kind: self.w3.eth.contract(
                address=AsyncWeb3.to_checksum_address(getattr(deployment, f"{kind}_registry")),
                abi=parts.poco_artifact(name)["abi"],
            )
            for kind, name in _REGISTRY_ARTIFACT.items()
        }

    async def owner_of(self, kind: AssetKind, asset: str) -> ChecksumAddress | None:
        """The owner of a registered asset, or None when ``asset`` is not in that registry."""
        address = AsyncWeb3.to_checksum_address(asset)
        if not await self._registries[kind].functions.isRegistered(address).call():
            return None
        contract = self.w3.eth.contract(
            address=address, abi=self._parts.poco_artifact(_ASSET_ARTIFACT[kind])["abi"]
        )
        owner: ChecksumAddress = await contract.functions.owner().call()
        return owner

    async def domain(self) -> Eip712Domain:
        """PoCo's EIP-712 domain, read from ``hub.domain()`` and never hard-coded."""
        return Eip712Domain(*await self.hub.functions.domain().call())

    async def verify_signature(self, signer: str, digest: bytes, signature: bytes) -> bool:
        """PoCo's own check (ECDSA, ERC-1271 or presign): the market accepts what matchOrders will."""
        ok: bool = await self.hub.functions.verifySignature(
            AsyncWeb3.to_checksum_address(signer), digest, signature
        ).call()
        return ok

    async def consumed(self, order_hash: bytes) -> int:
        value: int = await self.hub.functions.viewConsumed(order_hash).call()
        return value

    async def call(self, function: str, *args: Any) -> Any:
        """Any other hub view, for the few places that need one (e.g. ``viewTask``)."""
        return await getattr(self.hub.functions, function)(*args).call()
