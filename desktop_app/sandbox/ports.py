"""Loopback ports for the sandbox's parts: pick free ones, and check a saved one is still free."""

from __future__ import annotations

import socket
import sys


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def port_is_free(port: int) -> bool:
    """Probe as a server binds: with SO_REUSEADDR, so a recently closed port in TIME_WAIT counts as free."""
    with socket.socket() as s:
        if sys.platform != "win32":  # on Windows the flag would let us bind a port another program holds
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True
