"""The one way the app makes HTTP clients: httpx, sharing one TLS context in the whole process.

Building a TLS context loads the CA bundle, 20–30 ms here. httpx builds one per client by default, and
the app makes a client per operation, on the event loop that also draws the window: each one froze it
that long (``tests/bench/bench_gui_stall.py``). The context is read-only once built and safe to share, so
it is built once, in a worker thread when the window connects (``ui.network``).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # deferred: startup budget, see ui/app.py
    import ssl

    import httpx


@functools.cache
def tls_context() -> ssl.SSLContext:
    """httpx's default verification (certifi's CA bundle), built once."""
    import httpx

    return httpx.create_ssl_context()


def client(timeout: httpx.Timeout | float, **options: Any) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` with ``timeout`` and the shared TLS context; ``options`` go to httpx."""
    import httpx

    return httpx.AsyncClient(timeout=timeout, verify=tls_context(), **options)
