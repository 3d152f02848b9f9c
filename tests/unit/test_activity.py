"""The activity journal: written by the flows, read newest first with filters by network, kind and text."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core.store.activity import Activity, Kind
from desktop_app.core.store.database import Database


@pytest.fixture
def activity(tmp_path: Path) -> Activity:
    times = iter(range(1000, 2000))
    return Activity(Database(tmp_path / "app.sqlite3"), clock=lambda: float(next(times)))


def test_entries_come_back_newest_first_with_what_was_recorded(activity: Activity) -> None:
    first = activity.record("local", Kind.PROTECT, "bank.csv", "Protected as 0xabc")
    second = activity.record("local", Kind.GRANT, "0xabc", "Allow File statistics to process your data")
    entries = activity.entries("local")
    assert entries == [second, first]
    assert (first.kind, first.subject, first.at) == ("protect", "bank.csv", 1000.0)


def test_filters_by_network_kind_and_text(activity: Activity) -> None:
    activity.record("local", Kind.PROTECT, "bank.csv", "Protected as 0xabc")
    activity.record("local", Kind.RUN, "0xtask1", "Started File statistics on bank.csv")
    activity.record("local", Kind.REVOKE, "0xabc", "Revoked the access of app 0xapp")
    activity.record("arbitrum-sepolia", Kind.PROTECT, "other.csv", "Protected as 0xdef")
    assert [e.subject for e in activity.entries("arbitrum-sepolia")] == ["other.csv"]
    assert len(activity.entries()) == 4
    assert [e.kind for e in activity.entries("local", kinds=[Kind.PROTECT, Kind.REVOKE])] == [
        "revoke",
        "protect",
    ]
    assert [e.subject for e in activity.entries("local", text="BANK")] == ["0xtask1", "bank.csv"]
    assert activity.entries("local", kinds=[Kind.VERIFY]) == []
    assert len(activity.entries("local", limit=2)) == 2


def test_search_text_is_literal_not_a_pattern(activity: Activity) -> None:
    activity.record("local", Kind.PROTECT, "100%_sure.txt", "Protected")
    activity.record("local", Kind.PROTECT, "1000 sure.txt", "Protected")
    assert [e.subject for e in activity.entries(text="100%_")] == ["100%_sure.txt"]


def test_an_entry_of_a_kind_from_a_newer_app_still_lists(activity: Activity) -> None:
    with activity.db.connect() as db:
        db.execute(
            "INSERT INTO activity (at, network, kind, subject, detail)"
            " VALUES (5, 'local', 'transfer', 'x', 'y')"
        )
    assert [e.kind for e in activity.entries("local")] == ["transfer"]
