"""Which result public key was last pushed to the SMS of each network, per account.

The flows push the key "once per network, and again when it changes": they ask ``needs_push`` before a
run and call ``record_push`` after the SMS accepted it. The record lives in ``sms-result-keys.json`` in the
wallet folder. It only saves a request, so a damaged or missing record is treated as empty (the key is
pushed again, which the SMS accepts as an update) rather than as an error.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from desktop_app.core.wallet.accounts import checksum
from desktop_app.core.wallet.storage import write_private_json

log = logging.getLogger(__name__)

RECORD_FILE = "sms-result-keys.json"


class PushedKeys:
    """Per network and account, the fingerprint of the result key the SMS holds."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / RECORD_FILE
        self._guard = threading.Lock()

    def __repr__(self) -> str:
        return f"PushedKeys({str(self.path)!r})"

    def pushed_fingerprint(self, network: str, address: str) -> str | None:
        with self._guard:
            return self._load().get(network, {}).get(checksum(address).lower())

    def needs_push(self, network: str, address: str, fingerprint: str) -> bool:
        return self.pushed_fingerprint(network, address) != fingerprint

    def record_push(self, network: str, address: str, fingerprint: str) -> None:
        with self._guard:
            record = self._load()
            record.setdefault(network, {})[checksum(address).lower()] = fingerprint
            write_private_json(self.path, {"version": 1, "pushed": record}, replace=True)

    def _load(self) -> dict[str, dict[str, str]]:
        try:
            document = json.loads(self.path.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            log.warning("Ignoring the unreadable push record %s (%s)", self.path, exc)
            return {}
        pushed = document.get("pushed") if isinstance(document, dict) else None
        if not isinstance(pushed, dict):
            log.warning("Ignoring the malformed push record %s", self.path)
            return {}
        return {
            str(network): {str(owner): str(print_) for owner, print_ in accounts.items()}
            for network, accounts in pushed.items()
            if isinstance(accounts, dict)
        }
