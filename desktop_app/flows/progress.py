"""What every flow reports while it runs, and how it is told to stop.

Flows are Qt-free: they report typed events through a plain callback, which the CLI prints and the GUI
turns into a step checklist with byte bars. Step names are the DataProtector SDK's status titles, so
the app's checklist reads like the SDK's ``onStatusUpdate``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from desktop_app.core.errors import UserCancelled


@dataclass(frozen=True)
class StepStarted:
    step: str


@dataclass(frozen=True)
class StepDone:
    step: str
    detail: str = ""


@dataclass(frozen=True)
class BytesProgress:
    step: str
    done: int
    total: int


Event = StepStarted | StepDone | BytesProgress
Reporter = Callable[[Event], None]


def ignore(_event: Event) -> None:
    """A reporter for callers that don't show progress."""


class Cancellation:
    """A thread-safe cancel flag: set from the UI thread, checked between chunks and between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise UserCancelled
