"""A client over a scripted transport, with a clock the test moves by hand: shared by the
attempt-loop tests (``test/unit/test_attempt_*.py``), which script each attempt's answer."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from support import HOST, TOKEN
from together.generated import ApiClient, Configuration, EmbeddingsRequest, OpenApiException
from together.generated._runtime.hooks import AttemptRequest, AttemptResult
from together.generated._runtime.rest import PreparedRequest, RequestTimeout, RESTResponse

REQUEST = EmbeddingsRequest(model="m", input="x")
ERROR = {"error": {"message": "busy", "type": "server_error"}}


def answer(status: int, document: Any, **headers: str) -> RESTResponse:
    return RESTResponse(
        status=status,
        reason=None,
        headers={"Content-Type": "application/json", **headers},
        data=json.dumps(document).encode(),
        content_type="application/json",
    )


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@dataclass
class Scripted:
    """A transport with canned answers; each attempt takes ``takes`` seconds of the clock."""

    answers: list[RESTResponse | OpenApiException]
    clock: Clock | None = None
    takes: float = 0.0
    sleep: float = 0.0
    sent: list[PreparedRequest] = field(default_factory=list)
    closed: bool = False

    async def request(
        self, request: PreparedRequest, *, timeout: RequestTimeout = None
    ) -> RESTResponse:
        self.sent.append(request)
        if self.clock is not None:
            self.clock.now += self.takes
        if self.sleep:
            await asyncio.sleep(self.sleep)
        outcome = self.answers.pop(0)
        if isinstance(outcome, OpenApiException):
            raise outcome
        return outcome

    async def open(
        self, request: PreparedRequest, *, timeout: RequestTimeout = None
    ) -> aiohttp.ClientResponse:
        raise NotImplementedError

    async def close(self) -> None:
        self.closed = True


@dataclass
class Hook:
    results: list[AttemptResult] = field(default_factory=list)

    def on_request(self, request: AttemptRequest) -> None:
        pass

    def on_response(self, request: AttemptRequest, result: AttemptResult) -> None:
        self.results.append(result)


async def no_wait(delay: float) -> None:
    pass


def client(transport: Scripted, **kwargs: Any) -> ApiClient:
    retries = kwargs.pop("retries", 2)
    configuration = Configuration(host=HOST, access_token=TOKEN, retries=retries)
    api_client = ApiClient(configuration, transport=transport, **kwargs)
    api_client._sleep = no_wait
    return api_client
