"""Deploy iExec's real PoCo 6.1.0 (native mode) and our DataProtector contract on a fresh chain.

This follows PoCo's own ``deploy/0_deploy.ts`` at v6.1.0 without the CreateX factory (plain CREATE gives
the same contracts at other addresses); shared/spec/local-poco.md §2 has the recipe and §5 its pitfalls.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from eth_typing import ChecksumAddress
from eth_utils.abi import function_abi_to_4byte_selector
from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract
from web3.types import TxReceipt

from desktop_app.sandbox.parts import Parts

DIAMOND_FACETS = ["DiamondCutFacet", "DiamondLoupeFacet", "OwnershipFacet"]
# Order of PoCo's deploy script; native mode takes the native escrow facet.
POCO_FACETS = [
    "IexecAccessorsABILegacyFacet",
    "IexecCategoryManagerFacet",
    "IexecConfigurationExtraFacet",
    "IexecConfigurationFacet",
    "IexecERC20Facet",
    "IexecEscrowNativeFacet",
    "IexecOrderManagementFacet",
    "IexecPoco1Facet",
    "IexecPoco2Facet",
    "IexecPocoAccessorsFacet",
    "IexecRelayFacet",
]
# (name, workClockTimeRef seconds): PoCo's five categories.
CATEGORIES = [("XS", 300), ("S", 1200), ("M", 3600), ("L", 10800), ("XL", 36000)]
FACET_CUT_ADD = 0
ZERO = "0x0000000000000000000000000000000000000000"


@dataclass(frozen=True)
class Deployment:
    """Addresses of the deployed system; saved beside the chain state so a restart reuses them."""

    hub: str
    app_registry: str
    dataset_registry: str
    workerpool_registry: str
    dataprotector: str
    owner: str

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1))

    @classmethod
    def load(cls, path: Path) -> Deployment:
        return cls(**json.loads(path.read_text()))


def _selectors(abi: list[dict[str, Any]]) -> list[bytes]:
    """Every selector a facet serves; fallback/receive map to the diamond's sentinel selectors."""
    out: list[bytes] = []
    for item in abi:
        if item["type"] == "function":
            out.append(function_abi_to_4byte_selector(item))  # type: ignore[arg-type]
        elif item["type"] == "fallback":
            out.append(b"\xff\xff\xff\xff")
        elif item["type"] == "receive":
            out.append(b"\x00\x00\x00\x00")
    return out


def _link(artifact: dict[str, Any], libraries: Mapping[str, str]) -> str:
    """Patch library addresses over the ``__$…$__`` placeholders at the artifact's link-reference offsets."""
    code: str = artifact["bytecode"].removeprefix("0x")
    for per_file in artifact.get("linkReferences", {}).values():
        for lib, refs in per_file.items():
            address = libraries[lib].removeprefix("0x").lower()
            for ref in refs:
                start = 2 * ref["start"]  # offsets count bytes; the code is a hex string
                code = code[:start] + address + code[start + 2 * ref["length"] :]
    return "0x" + code


class _Deployer:
    def __init__(self, w3: Web3, parts: Parts, owner: ChecksumAddress) -> None:
        self.w3 = w3
        self.parts = parts
        self.owner = owner

    def _wait(self, tx_hash: HexBytes) -> TxReceipt:
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=60)
        if receipt["status"] != 1:
            raise RuntimeError(f"deployment transaction {tx_hash.hex()} reverted")
        return receipt

    def create(self, abi: list[dict[str, Any]], bytecode: str, *args: Any) -> ChecksumAddress:
        factory = self.w3.eth.contract(abi=abi, bytecode=bytecode)
        receipt = self._wait(factory.constructor(*args).transact({"from": self.owner}))
        address = receipt["contractAddress"]
        assert address is not None
        return address

    def transact(self, call: Any) -> TxReceipt:
        return self._wait(call.transact({"from": self.owner}))

    def diamond(self) -> Contract:
        cuts = []
        for name in DIAMOND_FACETS:
            artifact = self.parts.poco_artifact(name)
            address = self.create(artifact["abi"], artifact["bytecode"])
            cuts.append((address, FACET_CUT_ADD, _selectors(artifact["abi"])))
        init = self.parts.poco_artifact("DiamondInit")
        init_address = self.create(init["abi"], init["bytecode"])
        init_calldata = self.w3.eth.contract(abi=init["abi"]).encode_abi("init", [])
        diamond = self.parts.poco_artifact("Diamond")
        address = self.create(
            diamond["abi"], diamond["bytecode"], cuts, (self.owner, init_address, init_calldata)
        )
        loupe_and_cut = (
            self.parts.poco_artifact("DiamondLoupeFacet")["abi"]
            + self.parts.poco_artifact("DiamondCutFacet")["abi"]
        )
        return self.w3.eth.contract(address=address, abi=loupe_and_cut)

    def poco_facets(self, diamond: Contract) -> None:
        # web3.py rejects IexecLibOrders_v5's ABI (colliding hash() overloads), and nothing calls it by ABI.
        library = self.parts.poco_artifact("IexecLibOrders_v5")
        libraries = {"IexecLibOrders_v5": self.create([], library["bytecode"])}
        for name in POCO_FACETS:
            artifact = self.parts.poco_artifact(name)
            facet = self.create(artifact["abi"], _link(artifact, libraries))
            present = {sel for _, sels in diamond.functions.facets().call() for sel in sels}
            new = [sel for sel in _selectors(artifact["abi"]) if sel not in present]
            self.transact(diamond.functions.diamondCut([(facet, FACET_CUT_ADD, new)], ZERO, b""))

    def registry(self, name: str, chain_id: int) -> ChecksumAddress:
        artifact = self.parts.poco_artifact(name)
        address = self.create(artifact["abi"], artifact["bytecode"])
        contract = self.w3.eth.contract(address=address, abi=artifact["abi"])
        self.transact(contract.functions.initialize(ZERO))
        self.transact(contract.functions.setBaseURI(f"https://sandbox.localhost/{chain_id}/"))
        return address


def deploy(w3: Web3, parts: Parts, owner: ChecksumAddress) -> Deployment:
    """Deploy the whole system from ``owner`` (an unlocked dev account) and return the addresses."""
    deployer = _Deployer(w3, parts, owner)
    diamond = deployer.diamond()
    deployer.poco_facets(diamond)
    chain_id = w3.eth.chain_id
    apps = deployer.registry("AppRegistry", chain_id)
    datasets = deployer.registry("DatasetRegistry", chain_id)
    pools = deployer.registry("WorkerpoolRegistry", chain_id)
    hub = w3.eth.contract(address=diamond.address, abi=parts.poco_artifact("IexecInterfaceNative")["abi"])
    deployer.transact(hub.functions.configure(ZERO, "Staked RLC", "SRLC", 9, apps, datasets, pools, ZERO))
    for name, seconds in CATEGORIES:
        deployer.transact(hub.functions.createCategory(name, json.dumps(""), seconds))
    dp = parts.dataprotector_artifact()
    dataprotector = deployer.create(dp["abi"], dp["bytecode"], datasets)
    return Deployment(
        hub=diamond.address,
        app_registry=apps,
        dataset_registry=datasets,
        workerpool_registry=pools,
        dataprotector=dataprotector,
        owner=owner,
    )
