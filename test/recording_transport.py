"""A fake transport for the hot-path tests: it answers ``{}`` to every request and keeps
what was sent, so a test reads the request the runtime built (no aiohttp, no socket)."""

from __future__ import annotations

from typing import Any

from together.generated._runtime.rest import PreparedRequest, RequestTimeout, RESTResponse

__all__ = ["OK", "Recorder"]

#: The answer to every request: 200 with an empty JSON object.
OK = RESTResponse(200, "OK", {"Content-Type": "application/json"}, b"{}", "application/json")


class Recorder:
    """A transport answering :data:`OK` to everything and keeping what was sent."""

    closed = False

    def __init__(self) -> None:
        self.sent: list[PreparedRequest] = []

    async def request(
        self, request: PreparedRequest, *, timeout: RequestTimeout = None
    ) -> RESTResponse:
        self.sent.append(request)
        return OK

    async def open(self, request: PreparedRequest, *, timeout: RequestTimeout = None) -> Any:
        raise AssertionError("not used")

    async def close(self) -> None:
        pass
