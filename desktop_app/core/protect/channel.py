"""Hands the encrypted bytes from the thread that writes them to a coroutine that uploads them.

Why: the upload of a large file used to start only once its encryption had finished, so the two took
their sum. Streaming the ciphertext to IPFS as it is produced makes them take about the longer of the two.
The encryption's writer thread calls ``begin`` then ``write``; the event loop reads ``size`` then iterates
``chunks``. At most ``depth`` chunks wait in between: a slow upload slows the encryption down instead of
filling the memory. Once the reader ``close``s (the upload ended, failed or was cancelled), writes are
dropped at once, so the encryption finishes its file without ever blocking on a reader that is gone.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator


class CiphertextChannel:
    """A bounded pipe from one writer thread to one reader on an event loop (a ``CiphertextSink``)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, depth: int = 4) -> None:
        self._loop = loop
        self._queue: asyncio.Queue[bytes] = asyncio.Queue()
        self._room = threading.Semaphore(depth)
        self._closed = threading.Event()
        self.size: asyncio.Future[int] = loop.create_future()
        """The encrypted file's size, known before its first byte."""

    # The writer's side, on its own thread.

    def begin(self, size: int) -> None:
        self._loop.call_soon_threadsafe(_resolve, self.size, size)

    def write(self, data: memoryview) -> None:
        if self._closed.is_set():
            return
        self._room.acquire()
        if not self._closed.is_set():
            self._loop.call_soon_threadsafe(self._queue.put_nowait, bytes(data))

    # The reader's side, on the event loop.

    async def chunks(self) -> AsyncIterator[bytes]:
        """The bytes in order, until ``size`` of them have come."""
        left = await self.size
        while left > 0:
            chunk = await self._queue.get()
            self._room.release()
            left -= len(chunk)
            yield chunk

    def close(self) -> None:
        """The reader is done: let a writer waiting for room go on, and drop whatever comes next."""
        self._closed.set()
        self._room.release()


def _resolve(future: asyncio.Future[int], size: int) -> None:
    if not future.done():
        future.set_result(size)
