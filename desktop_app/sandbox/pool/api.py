"""The workerpool's own HTTP API: how a requester learns why a task failed, and the sandbox's TEE root.

A real pool's scheduler (iexec-core) exposes task states to requesters; here ``GET /tasks/{taskId}``
gives the journal's view (state, stage, reason). ``GET /attestation/root.der`` serves the root of the
sandbox's simulated attestation PKI, which the local network profile pins, and nothing else does.
"""

from __future__ import annotations

import re

from aiohttp import web

from desktop_app.sandbox.http import ServiceError, json_errors
from desktop_app.sandbox.pool.journal import TaskJournal

_TASK_ID = re.compile(r"0x[0-9a-fA-F]{64}")
_JOURNAL = web.AppKey("journal", TaskJournal)
_ROOT_DER = web.AppKey("root_der", bytes)


async def _task(request: web.Request) -> web.Response:
    task_id = request.match_info["task_id"]
    if not _TASK_ID.fullmatch(task_id):
        raise ServiceError(400, "a task id is 0x followed by 64 hex digits")
    record = request.app[_JOURNAL].get(task_id.lower())
    if record is None:
        raise ServiceError(404, f"task {task_id} is not known to this workerpool")
    return web.json_response(
        {
            "taskId": record.task_id,
            "dealId": record.deal_id,
            "state": record.state,
            "stage": record.stage,
            "reason": record.reason,
            "attempts": record.attempts,
            "resultLocation": record.result_location,
        }
    )


async def _root(request: web.Request) -> web.Response:
    return web.Response(body=request.app[_ROOT_DER], content_type="application/pkix-cert")


def create_app(journal: TaskJournal, root_der: bytes) -> web.Application:
    app = web.Application(middlewares=[json_errors()])
    app[_JOURNAL] = journal
    app[_ROOT_DER] = root_der
    app.router.add_get("/tasks/{task_id}", _task)
    app.router.add_get("/attestation/root.der", _root)
    return app
