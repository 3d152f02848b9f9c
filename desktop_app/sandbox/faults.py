"""Fault switches for reliability tests: make chosen sandbox parts fail the way real services do.

Set ``DATAPROTECTOR_SANDBOX_FAULTS`` (comma-separated) in the environment of ``sandbox up``:

- ``ipfs-500-once``: the IPFS service answers its first request with a 500, then recovers;
- ``sms-down``: every SMS request gets a 503, as a service behind a dead proxy does;
- ``worker-kill-mid-task``: each task's first worker process dies right after pre-compute, so the
  scheduler must restart it and the task must resume.
"""

from __future__ import annotations

import os

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from desktop_app.core.errors import UserFacingError

ENV = "DATAPROTECTOR_SANDBOX_FAULTS"
IPFS_500_ONCE = "ipfs-500-once"
SMS_DOWN = "sms-down"
WORKER_KILL_MID_TASK = "worker-kill-mid-task"
KNOWN = frozenset({IPFS_500_ONCE, SMS_DOWN, WORKER_KILL_MID_TASK})


def active() -> frozenset[str]:
    names = frozenset(n.strip() for n in os.environ.get(ENV, "").split(",") if n.strip())
    if unknown := names - KNOWN:
        raise UserFacingError(
            f"Unknown sandbox fault(s) in {ENV}: {', '.join(sorted(unknown))}.",
            f"use any of {', '.join(sorted(KNOWN))}",
        )
    return names


def fail_first_request(status: int, body: dict[str, object], paths: tuple[str, ...]) -> Middleware:
    """Fail the first request under one of ``paths``: health probes of ``/`` don't use the failure up."""
    remaining = [1]

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if remaining[0] and request.path.startswith(paths):
            remaining[0] -= 1
            return web.json_response(body, status=status)
        return await handler(request)

    return middleware


def fail_every_request(status: int, body: dict[str, object]) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        return web.json_response(body, status=status)

    return middleware
