"""Network profiles are data: the shipped ones load with the spec's values, broken files are named, a new
file is a new network; and the committed ABIs are exactly what ``tools/build_parts.py`` derives."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from desktop_app.core.errors import UserFacingError
from desktop_app.core.iexec.abi import load_abi
from desktop_app.core.iexec.network import available_profiles, load_profile
from desktop_app.core.localnet.endpoints import SandboxEndpoints
from desktop_app.core.resources import ENV_VAR, resources_dir
from tools import build_parts

SANDBOX = SandboxEndpoints(
    rpc="http://127.0.0.1:8545",
    chainId=31337,
    hub="0xdc64a140aa3e981100a9beca4e685f962f0cf6c9",
    dataProtector="0x0E801D84Fa97b50751Dbf25036d067dCf18858bF",
    appRegistry="0xc5a5C42992dECbae36851359345FE25997F5C42d",
    datasetRegistry="0xc3e53F4d16Ae77Db1c982e75a937B9f60FE63690",
    workerpoolRegistry="0xa82fF9aFd8f496c3d6ac40E2a0F282E47488CFc9",
    ipfsApi="http://127.0.0.1:5001",
    ipfsGateway="http://127.0.0.1:5001/",
    sms="http://127.0.0.1:13300",
    market="http://127.0.0.1:3000",
    faucet="http://127.0.0.1:3001",
    workerpool="0xc8981B541752F504a757Bd115E36781693C24a36",
    workerpoolApi="http://127.0.0.1:3002",
    pid=1,
)


@pytest.fixture
def networks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the shipped profiles, made the app's resources through the environment."""
    shutil.copytree(resources_dir() / "networks", tmp_path / "networks")
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    return tmp_path / "networks"


def edit(path: Path, changes: dict[str, object]) -> None:
    data = json.loads(path.read_text())
    for key, value in changes.items():
        if value is ...:
            del data[key]
        else:
            data[key] = value
    path.write_text(json.dumps(data))


def test_the_shipped_profiles_hold_the_spec_values() -> None:
    assert available_profiles() == ["arbitrum-mainnet", "arbitrum-sepolia", "bellecour", "local"]
    sepolia = load_profile("arbitrum-sepolia")
    assert (sepolia.chain_id, sepolia.hub) == (421614, "0xB2157BF2fAb286b2A4170E3491Ac39770111Da3E")
    assert sepolia.market == "https://api-market.arbitrum-sepolia-testnet.iex.ec"
    assert (sepolia.tee_trust_anchor, sepolia.read_only, sepolia.native_rlc) == ("intel", False, False)
    mainnet = load_profile("arbitrum-mainnet")
    assert (mainnet.chain_id, mainnet.data_protector) == (42161, "0xF08f91F7646FDb95a4E24977b8Db91318252A667")
    assert mainnet.rlc == "0xe649e6a1F2afc63ca268C2363691ceCAF75CF47C"
    bellecour = load_profile("bellecour")
    assert (bellecour.chain_id, bellecour.read_only, bellecour.native_rlc) == (134, True, True)
    # A lowercase address in the file comes out checksummed, like every other.
    assert bellecour.data_protector == "0x3a4Ab33F3D605e75b6D00A32A0Fa55C3628F6A59"
    colours = {load_profile(n).color for n in ("arbitrum-sepolia", "arbitrum-mainnet", "bellecour")}
    assert len(colours | {load_profile("local", SANDBOX).color}) == 4


def test_the_local_profile_is_completed_from_the_running_sandbox() -> None:
    local = load_profile("local", SANDBOX)
    assert local.from_sandbox and local.tee_trust_anchor == "sandbox" and local.native_rlc
    assert (local.rpc, local.chain_id, local.sms) == (SANDBOX.rpc, 31337, SANDBOX.sms)
    assert local.hub == "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9"
    assert local.ipfs_gateway == "http://127.0.0.1:5001"  # no trailing slash, whatever the source
    assert (local.default_workerpool, local.workerpool_api) == (SANDBOX.workerpool, SANDBOX.workerpoolApi)
    assert local.faucet == SANDBOX.faucet and local.data_protector_subgraph is None


def test_the_local_profile_needs_a_running_sandbox() -> None:
    with pytest.raises(UserFacingError, match="sandbox is not running") as caught:
        load_profile("local")
    assert "sandbox up" in caught.value.hint


def test_an_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(UserFacingError, match="no network profile named 'goerli'") as caught:
        load_profile("goerli")
    assert "arbitrum-sepolia" in caught.value.hint and "local" in caught.value.hint


def test_adding_a_file_adds_a_network(networks: Path) -> None:
    data = json.loads((networks / "arbitrum-sepolia.json").read_text())
    data |= {"name": "my-testnet", "label": "My testnet", "chainId": 777, "rpc": "https://rpc.example/"}
    (networks / "my-testnet.json").write_text(json.dumps(data))
    assert "my-testnet" in available_profiles()
    profile = load_profile("my-testnet")
    assert (profile.label, profile.chain_id, profile.rpc) == ("My testnet", 777, "https://rpc.example")


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"hub": ...}, "hub", "missing"),
        ({"hub": "0x1234"}, "hub", "40 hex digits"),
        ({"hub": "0xb2157BF2fAb286b2A4170E3491Ac39770111Da3E"}, "hub", "checksum"),
        ({"sms": "sms.example.org"}, "sms", "URL"),
        ({"chainId": "421614"}, "chainId", "positive integer"),
        ({"color": "amber"}, "color", "#rrggbb"),
        ({"teeTrustAnchor": "amd"}, "teeTrustAnchor", "intel, sandbox"),
        ({"readOnly": "no"}, "readOnly", "true or false"),
        ({"rlc": ...}, "rlc", "nativeRlc is false"),
        ({"marketUrl": "https://x.example"}, "marketUrl", "not a profile field"),
        ({"name": "sepolia"}, "name", "file's name"),
    ],
)
def test_an_invalid_field_is_named_with_its_file(
    networks: Path, changes: dict[str, object], field: str, problem: str
) -> None:
    edit(networks / "arbitrum-sepolia.json", changes)
    with pytest.raises(UserFacingError) as caught:
        load_profile("arbitrum-sepolia")
    assert "arbitrum-sepolia.json" in caught.value.what
    assert f"'{field}'" in caught.value.what and problem in caught.value.what


def test_a_file_that_is_not_json_is_named(networks: Path) -> None:
    (networks / "bellecour.json").write_text("{ not json")
    with pytest.raises(UserFacingError, match=r"bellecour\.json is not valid JSON"):
        load_profile("bellecour")


def test_the_committed_abis_are_what_build_parts_extracts() -> None:
    tgz = build_parts.ROOT / "build" / "npm-cache" / f"iexec-poco-{build_parts.POCO_VERSION}.tgz"
    dataprotector = build_parts.ROOT / ".parts" / "DataProtector.json"
    if not (tgz.exists() and dataprotector.exists()):
        pytest.fail("the npm parts are not built: run `make parts` (the project set-up does)")
    expected = build_parts.client_abi_files(tgz, dataprotector)
    committed = {p.name: p.read_text() for p in (resources_dir() / "abi").glob("*.json")}
    assert committed == expected, "resources/abi/ drifted: run `python tools/build_parts.py --write-abis`"


def test_the_abis_load_with_what_the_clients_call() -> None:
    hub = {entry.get("name") for entry in load_abi("IexecInterfaceNative")}
    assert {"matchOrders", "manageDatasetOrder", "viewTask", "domain", "OrdersMatched"} <= hub
    assert {"tokenByIndex", "isRegistered"} <= {entry.get("name") for entry in load_abi("AppRegistry")}
    assert "DatasetSchema" in {entry.get("name") for entry in load_abi("DataProtector")}
