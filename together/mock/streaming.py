"""Server-Sent Events: an answer sent chunk by chunk, ending with ``data: [DONE]``.

``--latency-ms`` (and ``X-Mock-Latency-Ms``) is waited between chunks. Two faults act on a
stream halfway through: ``truncate`` closes the connection without ``[DONE]``, and
``error-event`` sends an event in the spec's error shape and ends the stream there.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable

from aiohttp import web

from together.mock.context import Call
from together.mock.request_keys import FAULT_OUTCOME, REQUEST_ID

__all__ = ["DONE", "stream_events"]

DONE = b"data: [DONE]\n\n"


async def stream_events(call: Call, events: Iterable[bytes], *, delay: float) -> web.StreamResponse:
    """Send each JSON ``events`` item as ``data: ...``, then ``[DONE]``."""
    request = call.request
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
            "x-request-id": request[REQUEST_ID],
        }
    )
    chunks = list(events)
    cut = len(chunks) // 2 if call.fault in ("truncate", "error-event") else -1
    await response.prepare(request)
    for i, chunk in enumerate(chunks):
        if i == cut:
            request[FAULT_OUTCOME] = str(call.fault)
            if call.fault == "truncate":
                assert request.transport is not None
                request.transport.close()
                return response
            error = {
                "error": {
                    "message": "Stream interrupted (injected)",
                    "type": "server_error",
                    "param": None,
                    "code": None,
                }
            }
            await response.write(b"data: " + json.dumps(error).encode() + b"\n\n")
            await response.write_eof()
            return response
        await response.write(b"data: " + chunk + b"\n\n")
        if delay:
            await asyncio.sleep(delay)
    await response.write(DONE)
    await response.write_eof()
    return response
