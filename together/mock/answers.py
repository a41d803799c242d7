"""The answer of an operation without real semantics: synthesized from its response schema.

JSON answers come from :mod:`together.mock.synthesis`; a ``text/event-stream`` answer (asked
for with ``"stream": true``) is a few synthesized events then ``[DONE]``; binary answers are
a small deterministic payload (audio: a valid WAV). 204 and 205 have no body; a 3xx points
``Location`` at a local download; a 101 (WebSocket) operation accepts the upgrade and closes.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from together.mock.audio import wav_bytes
from together.mock.context import Call
from together.mock.errors import error_response
from together.mock.streaming import stream_events

__all__ = ["NO_CONTENT", "json_answer", "synthesized_answer"]

#: Statuses sent without content, whatever the spec declares (RFC 9110; aiohttp itself
#: empties only 204, 304 and 1xx).
NO_CONTENT = (204, 205)


def json_answer(
    value: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(value).encode(),
        content_type="application/json",
        headers=headers,
    )


def wants_stream(call: Call) -> bool:
    return isinstance(call.body, dict) and call.body.get("stream") is True


async def synthesized_answer(call: Call) -> web.StreamResponse:
    status = call.operation.success_status
    media = call.operation.responses.get(status, {})
    code = int(status)
    headers: dict[str, str] = {}
    if code == 101:
        return await _websocket(call)
    if 300 <= code < 400:
        headers["Location"] = (
            f"{call.request.url.origin()}/_mock/blobs/{call.rng().getrandbits(64):016x}"
        )
    if not media or code in NO_CONTENT:
        return web.Response(status=code, headers=headers)
    if wants_stream(call) and "text/event-stream" in media:
        event = media["text/event-stream"]
        resolved = call.state.api.resolve(event.schema)
        # The event is the union's first branch, synthesized on its own: the union as a
        # whole could answer another branch the event's value also matches (a loose error
        # event, the sentinel); `[DONE]` is written by `stream_events` after the events.
        branch = (resolved.get("oneOf") or resolved.get("anyOf") or [resolved])[0]
        rng = call.rng()
        events = [
            json.dumps(call.state.synthesizer.value(branch, rng).get("data")).encode()
            for _ in range(3)
        ]
        delay = call.options.faults.latency_ms / 1000
        return await stream_events(call, events, delay=delay)
    if "application/json" in media:
        return json_answer(call.synthesized(status), code, headers)
    content_type = next(iter(media))
    if content_type.startswith("audio/") or content_type == "application/octet-stream":
        return web.Response(status=code, body=wav_bytes(call.rng()), content_type=content_type)
    value = call.synthesized(status)
    text = value if isinstance(value, str) else json.dumps(value)
    return web.Response(status=code, text=text, content_type=content_type, headers=headers)


async def _websocket(call: Call) -> web.StreamResponse:
    """A 101 operation: the upgrade is accepted and closed at once (nothing is streamed);
    a plain HTTP request to it is a 400."""
    socket = web.WebSocketResponse()
    if not socket.can_prepare(call.request).ok:
        return error_response(400, f"{call.operation.path} needs a WebSocket upgrade")
    await socket.prepare(call.request)
    await socket.close()
    return socket
