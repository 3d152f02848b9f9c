"""How values read on screen: short addresses, sizes, dates. Qt-free, so it is tested as plain text."""

from __future__ import annotations

import time

from desktop_app.ui.progress import format_bytes


def short_address(address: str) -> str:
    """``0x1234…abcd``: enough to recognise an address, short enough for a header."""
    return f"{address[:6]}…{address[-4:]}" if len(address) > 12 else address


def size(count: int) -> str:
    return format_bytes(count) if count else "—"


def timestamp(seconds: float) -> str:
    """Local date and time, to the minute; "—" when unknown."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds)) if seconds else "—"
