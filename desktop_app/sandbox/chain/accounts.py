"""anvil's dev accounts and the role each plays in the sandbox.

They derive from anvil's public test mnemonic, so their keys are public knowledge: they exist only on
this loopback chain, which is why the sandbox may use and hand them out.
"""

from __future__ import annotations

from eth_account import Account
from eth_account.signers.local import LocalAccount

from desktop_app.sandbox.chain.anvil import DEV_MNEMONIC

DEPLOYER = 0  # deploys PoCo and owns it
FAUCET = 1  # pays the faucet's top-ups
SCHEDULER = 2  # owns the workerpool: initializes tasks, signs worker authorizations
APP_OWNER = 3  # owns the sample iApps
WORKER = 4  # runs tasks and contributes results
FIRST_CLIENT = 5  # from here on, accounts are handed to clients in the endpoints file
COUNT = 10

Account.enable_unaudited_hdwallet_features()


def dev_account(index: int) -> LocalAccount:
    account: LocalAccount = Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
    return account
