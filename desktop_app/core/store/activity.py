"""The activity journal: one line per thing done from this app (protect, grant, revoke, run, verify).

The owner reads it to answer "what did I allow, and when?" (ux-anchors §4.9, Picard's History view). The
flows write it where the thing happens, so the window and the command line leave the same trace. Only
what is already public or the owner's own wording goes in: names, addresses, task ids, outcomes. Never a
key, a password or a secret value: the journal is a plain table in the app's database.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from desktop_app.core.store.database import Database

DEFAULT_LIMIT = 500


class Kind(StrEnum):
    PROTECT = "protect"
    GRANT = "grant"
    REVOKE = "revoke"
    RUN = "run"
    VERIFY = "verify"


@dataclass(frozen=True)
class Entry:
    id: int
    at: float  # unix seconds
    network: str
    kind: str  # a Kind's value; kept as text so an entry written by a newer app still lists
    subject: str  # what it was about: a dataset's name, an app, a task id
    detail: str  # what happened, as a sentence


class Activity:
    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self._clock = clock

    def record(self, network: str, kind: Kind, subject: str, detail: str) -> Entry:
        at = self._clock()
        with self.db.connect() as db:
            cursor = db.execute(
                "INSERT INTO activity (at, network, kind, subject, detail) VALUES (?, ?, ?, ?, ?)",
                (at, network, kind.value, subject, detail),
            )
            number = cursor.lastrowid
        assert number is not None
        return Entry(number, at, network, kind.value, subject, detail)

    def entries(
        self,
        network: str | None = None,
        kinds: Iterable[Kind] = (),
        text: str = "",
        limit: int = DEFAULT_LIMIT,
    ) -> list[Entry]:
        """Newest first. No ``kinds`` means every kind; ``text`` matches subject or detail, any case."""
        where, values = ["1"], []
        if network is not None:
            where.append("network = ?")
            values.append(network)
        chosen = [kind.value for kind in kinds]
        if chosen:
            where.append(f"kind IN ({', '.join('?' * len(chosen))})")
            values.extend(chosen)
        if text.strip():
            pattern = "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            where.append("(subject LIKE ? ESCAPE '\\' OR detail LIKE ? ESCAPE '\\')")
            values.extend((pattern, pattern))
        with self.db.connect() as db:
            rows = db.execute(
                f"SELECT * FROM activity WHERE {' AND '.join(where)} ORDER BY at DESC, id DESC LIMIT ?",  # noqa: S608 - placeholders only
                (*values, limit),
            ).fetchall()
        return [
            Entry(row["id"], row["at"], row["network"], row["kind"], row["subject"], row["detail"])
            for row in rows
        ]
