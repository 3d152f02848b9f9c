"""What every sandbox HTTP service shares: a JSON error reply that keeps the service serving.

Each real service has its own error shape (kubo answers ``{"Message", "Code", "Type"}``, the market API
``{"ok": false, "error"}``), so a service passes the function that renders its own shape. Whatever goes
wrong inside a handler, the client gets a JSON body with the right status and the server keeps running.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

log = logging.getLogger(__name__)

ErrorBody = Callable[[int, str], dict[str, object]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ServiceError(Exception):
    """An error a handler raises on purpose: it becomes ``status`` with ``message`` in the service's shape."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def plain_error_body(status: int, message: str) -> dict[str, object]:
    return {"error": message, "status": status}


def json_errors(render: ErrorBody = plain_error_body) -> Middleware:
    """Middleware turning every failure into a JSON reply in the service's own error shape."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except ServiceError as e:
            status, message = e.status, e.message
        except web.HTTPRequestEntityTooLarge as e:
            status, message = 413, f"request body too large: {e.text}"
        except web.HTTPException as e:
            if e.status < 400:
                raise
            status, message = e.status, e.reason
        except json.JSONDecodeError as e:
            status, message = 400, f"malformed JSON body: {e.msg}"
        except Exception:
            log.exception("unexpected error in %s %s", request.method, request.path)
            status, message = 500, "internal error in the sandbox service; see the sandbox log"
        return web.json_response(render(status, message), status=status)

    return middleware
