"""The sandbox chain runs iExec's real PoCo as deployed by PoCo's own script (shared/spec/local-poco.md)."""

from __future__ import annotations

import asyncio
import os

from web3 import Web3
from web3.logs import DISCARD

from desktop_app.core.iexec import multiaddr
from desktop_app.sandbox.chain.deploy import CATEGORIES
from desktop_app.sandbox.chain.view import ChainView
from tests.support.chain import LocalChain


def test_diamond_has_the_native_mode_facets_and_selectors(chain: LocalChain) -> None:
    """local-poco.md §2: native mode ends with 14 facets and 97 selectors."""
    loupe = chain.w3.eth.contract(
        address=Web3.to_checksum_address(chain.deployment.hub),
        abi=chain.parts.poco_artifact("DiamondLoupeFacet")["abi"],
    )
    facets = loupe.functions.facets().call()
    assert len(facets) == 14
    assert sum(len(selectors) for _, selectors in facets) == 97


def test_hub_is_configured_with_domain_registries_and_categories(chain: LocalChain) -> None:
    hub = chain.hub()
    assert hub.functions.domain().call() == ("iExecODB", "5.0.0", 31337, chain.deployment.hub)
    assert hub.functions.appregistry().call() == chain.deployment.app_registry
    assert hub.functions.datasetregistry().call() == chain.deployment.dataset_registry
    assert hub.functions.workerpoolregistry().call() == chain.deployment.workerpool_registry
    assert hub.functions.countCategory().call() == len(CATEGORIES)
    for index, (name, seconds) in enumerate(CATEGORIES):
        assert hub.functions.viewCategory(index).call() == (name, '""', seconds)


def test_dataprotector_registers_through_the_real_dataset_registry(chain: LocalChain) -> None:
    owner = chain.w3.eth.accounts[5]
    artifact = chain.parts.dataprotector_artifact()
    dp = chain.w3.eth.contract(
        address=Web3.to_checksum_address(chain.deployment.dataprotector), abi=artifact["abi"]
    )
    location = multiaddr.encode_ipfs("QmUVhChbLFiuzNK1g2GsWyWEiad7SXPqARnWzGumgziwEp")
    checksum = os.urandom(32)
    call = dp.functions.createDatasetWithSchema(owner, "bank.csv", '{"file":"text/csv"}', location, checksum)
    assert call.selector == "0x167fbf5f"  # the real DataProtector's selector (spec §1)
    receipt = chain.w3.eth.wait_for_transaction_receipt(call.transact({"from": owner}))
    (event,) = dp.events.DatasetSchema().process_receipt(receipt, errors=DISCARD)
    dataset = event["args"]["dataset"]
    assert event["args"]["schema"] == '{"file":"text/csv"}'

    info = chain.hub().functions.viewDataset(dataset).call()
    assert info == (owner, "bank.csv", location, checksum)
    view = ChainView(chain.rpc_url, chain.deployment, chain.parts)
    assert asyncio.run(view.owner_of("dataset", dataset)) == owner
    assert asyncio.run(view.owner_of("app", dataset)) is None
