"""The grants table of the Access page: a table model adapting ``AccessIndex`` rows.

Names before addresses ("File statistics (0xab…cd)"), "anyone" in red, "Revoked ✓" in green; the last
column is left empty for the page's Revoke buttons.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import QWidget

from desktop_app.flows import access
from desktop_app.ui.format import short_address
from desktop_app.ui.pages.access_rows import AccessIndex, GrantRow, RowStatus
from desktop_app.ui.theme import colors

COLUMNS = ("Protected data", "iApp", "Requester", "Runs left", "Price", "Status", "")
ACTION_COLUMN = len(COLUMNS) - 1
_Index = QModelIndex | QPersistentModelIndex
_STATUS_TEXT = {
    RowStatus.ACTIVE: "Active",
    RowStatus.REVOKING: "Revoking…",
    RowStatus.REVOKED: "Revoked ✓",
}


class GrantsModel(QAbstractTableModel):
    def __init__(self, index: AccessIndex, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.access = index
        self._rows: list[GrantRow] = []

    def reload(self) -> None:
        self.beginResetModel()
        self._rows = self.access.rows()
        self.endResetModel()

    def row_at(self, row: int) -> GrantRow:
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(COLUMNS[section])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return {0: row.dataset, 1: row.grant.app, 2: row.grant.requester}.get(column)
        if role == Qt.ItemDataRole.ForegroundRole:
            palette_colors = colors(QGuiApplication.palette())
            if column == 2 and row.anyone:
                return QColor(palette_colors["danger"])
            if column == 5 and row.status == RowStatus.REVOKED:
                return QColor(palette_colors["success"])
        return None

    def _text(self, row: GrantRow, column: int) -> str:
        grant = row.grant
        if column == 0:
            return row.dataset_name
        if column == 1:
            return f"{row.app_name} ({short_address(grant.app)})" if row.app_name else grant.app
        if column == 2:
            return "anyone" if row.anyone else ("you" if row.mine else short_address(grant.requester))
        if column == 3:
            if grant.volume >= access.BULK_VOLUME:
                return "unlimited"
            left = (
                0 if row.status == RowStatus.REVOKED else grant.remaining
            )  # the listing predates the revoke
            return f"{left} of {grant.volume}"
        if column == 4:
            return "free" if grant.price == 0 else f"{grant.price} nRLC"
        if column == 5:
            return _STATUS_TEXT[row.status]
        return ""
