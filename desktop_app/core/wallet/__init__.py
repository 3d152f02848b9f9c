"""The user's accounts: encrypted keystores, unlock sessions, signing, and RSA result keys.

Qt-free and network-free. Everything slow (scrypt, RSA generation, keyring D-Bus calls) is a plain
blocking call: flows run it with ``loop.run_in_executor``. Typical use::

    wallet = Wallet()                                   # ~/.local/share/DataProtector Desktop/wallet
    new = wallet.create_account(password, "Main")       # show new.mnemonic once, then drop it
    session = WalletSession(wallet, new.account.address, idle_timeout=300)
    session.unlock(password)                            # or session.unlock_remembered(PasswordMemory())
    signed = session.sign_transaction(tx, fees)
    pair = ResultKeys(wallet.directory).ensure(session) # push pair.public_pem() to the SMS
"""

from desktop_app.core.wallet.accounts import AccountInfo, NewAccount, Wallet, checksum
from desktop_app.core.wallet.errors import AccountExists, WalletLocked, WrongPassword
from desktop_app.core.wallet.keyring_policy import ALLOWED_BACKENDS, KeyringStatus, PasswordMemory
from desktop_app.core.wallet.keystore import PRODUCTION_SCRYPT_N
from desktop_app.core.wallet.pushed_keys import PushedKeys
from desktop_app.core.wallet.result_key import ResultKeyPair, ResultKeys, ResultPublicKey
from desktop_app.core.wallet.session import DEFAULT_IDLE_TIMEOUT, WalletSession
from desktop_app.core.wallet.signing import FeeData, SignedTx, TxRequest
from desktop_app.core.wallet.storage import default_wallet_dir

__all__ = [
    "ALLOWED_BACKENDS",
    "DEFAULT_IDLE_TIMEOUT",
    "PRODUCTION_SCRYPT_N",
    "AccountExists",
    "AccountInfo",
    "FeeData",
    "KeyringStatus",
    "NewAccount",
    "PasswordMemory",
    "PushedKeys",
    "ResultKeyPair",
    "ResultKeys",
    "ResultPublicKey",
    "SignedTx",
    "TxRequest",
    "Wallet",
    "WalletLocked",
    "WalletSession",
    "WrongPassword",
    "checksum",
    "default_wallet_dir",
]
