"""``CiphertextChannel``: bytes from a writer thread reach the event loop whole and in order, and a reader
that gives up never leaves the writer stuck."""

from __future__ import annotations

import asyncio
import os
import threading

from desktop_app.core.protect.channel import CiphertextChannel


def test_the_reader_gets_every_chunk_in_order_with_the_size_first() -> None:
    chunks = [os.urandom(n) for n in (1, 1000, 65536, 7, 300_000, 12)]  # more chunks than its depth

    async def main() -> tuple[int, bytes]:
        channel = CiphertextChannel(asyncio.get_running_loop(), depth=2)

        def writer() -> None:
            channel.begin(sum(map(len, chunks)))
            for chunk in chunks:
                channel.write(memoryview(bytearray(chunk)))  # a buffer the writer reuses afterwards

        thread = threading.Thread(target=writer)
        thread.start()
        received = b"".join([chunk async for chunk in channel.chunks()])
        await asyncio.to_thread(thread.join)
        return await channel.size, received

    size, received = asyncio.run(main())
    assert size == len(received) and received == b"".join(chunks)


def test_a_writer_waiting_for_room_goes_on_once_the_reader_closes() -> None:
    async def main() -> None:
        channel = CiphertextChannel(asyncio.get_running_loop(), depth=1)
        written = threading.Event()

        def writer() -> None:
            channel.begin(300)
            for _ in range(3):  # the second write waits for room that no reader will make
                channel.write(memoryview(b"x" * 100))
            written.set()

        thread = threading.Thread(target=writer)
        thread.start()
        assert await channel.size == 300
        channel.close()  # the upload failed: the encryption must still be able to finish its file
        await asyncio.to_thread(thread.join, 30)  # a safety net: it returns at once, or the test fails
        assert written.is_set()

    asyncio.run(main())
