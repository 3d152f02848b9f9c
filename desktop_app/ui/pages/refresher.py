"""Re-reading a page from the network: one read at a time, and a request during a read queues one more.

Without the queue a refresh asked for while an older read runs (after a grant, say) would be dropped,
and the page would show the older state. With it, the last request is always answered by a read that
started after it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from desktop_app.ui.operations import Operation, OperationRunner

T = TypeVar("T")
Work = Callable[[Operation], Awaitable[T]]


class Refresher(Generic[T]):
    def __init__(
        self,
        runner: OperationRunner,
        title: str,
        make_work: Callable[[], Work[T] | None],
        on_success: Callable[[T], object],
    ) -> None:
        """``make_work`` returns the read to run now, or None when there is nothing to read yet."""
        self._runner, self._title = runner, title
        self._make_work, self._on_success = make_work, on_success
        self._current: Operation | None = None
        self._again = False

    @property
    def busy(self) -> bool:
        return self._current is not None or self._again

    def request(self) -> None:
        if self._current is not None:
            self._again = True
            return
        work = self._make_work()
        if work is None:
            return
        self._current = self._runner.run(self._title, work, progress="inline", on_success=self._on_success)
        self._current.finished.connect(self._finished)

    def _finished(self) -> None:
        self._current = None
        if self._again:
            self._again = False
            self.request()
