"""The rows of the Access page: the grants read from the network, and the revocations made from here.

Qt-free. A revoked grant leaves the market's list of open orders, so the page would simply lose the row;
instead it stays, marked "Revoked", until the page is left for another account, so the user sees the
outcome of what they did (pending, then confirmed) rather than a row that vanished.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from desktop_app.core.iexec.orders import NULL_ADDRESS
from desktop_app.flows.access import GrantView
from desktop_app.flows.listing import ProtectedItem

Listing = list[tuple[ProtectedItem, list[GrantView]]]


class RowStatus(StrEnum):
    ACTIVE = "active"
    REVOKING = "revoking"
    REVOKED = "revoked"


@dataclass(frozen=True)
class GrantRow:
    dataset: str
    dataset_name: str
    grant: GrantView
    app_name: str
    owner: str
    status: RowStatus

    @property
    def anyone(self) -> bool:
        return self.grant.requester.lower() == NULL_ADDRESS.lower()

    @property
    def mine(self) -> bool:
        return self.grant.requester.lower() == self.owner.lower()


class AccessIndex:
    def __init__(self) -> None:
        self._rows: dict[str, GrantRow] = {}
        self._revoking: set[str] = set()
        self._revoked: set[str] = set()
        self.only_dataset = ""
        self.loaded = False

    def set_listing(self, listing: Listing, app_names: dict[str, str], owner: str) -> None:
        fresh = {
            grant.order_hash.lower(): GrantRow(
                item.address, item.name, grant, app_names.get(grant.app.lower(), ""), owner, RowStatus.ACTIVE
            )
            for item, grants in listing
            for grant in grants
            if grant.remaining > 0
        }
        kept = {h: r for h, r in self._rows.items() if h in self._revoked and h not in fresh}
        self._rows = {**fresh, **kept}
        self.loaded = True

    def rows(self) -> list[GrantRow]:
        return [
            self._with_status(key, row)
            for key, row in self._rows.items()
            if not self.only_dataset or row.dataset.lower() == self.only_dataset.lower()
        ]

    def active_rows(self) -> list[GrantRow]:
        return [row for row in self.rows() if row.status == RowStatus.ACTIVE]

    def any_revoking(self) -> bool:
        return bool(self._revoking)

    def find(self, order_hash: str) -> GrantRow | None:
        row = self._rows.get(order_hash.lower())
        return self._with_status(order_hash.lower(), row) if row is not None else None

    def mark_revoking(self, hashes: list[str]) -> None:
        self._revoking |= {h.lower() for h in hashes}

    def unmark_revoking(self, hashes: list[str]) -> None:
        self._revoking -= {h.lower() for h in hashes}

    def mark_revoked(self, hashes: list[str]) -> None:
        self._revoked |= {h.lower() for h in hashes}

    def _with_status(self, key: str, row: GrantRow) -> GrantRow:
        if key in self._revoked:
            status = RowStatus.REVOKED
        elif key in self._revoking:
            status = RowStatus.REVOKING
        else:
            status = RowStatus.ACTIVE
        if status == row.status:
            return row
        return GrantRow(row.dataset, row.dataset_name, row.grant, row.app_name, row.owner, status)
