"""Faults and load shapes a client's bounds and ordering are tested with: answers out of
order, latency per request, the peak of requests in flight; and fault injection on every
route, whichever spec is served."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from support import SHARED_SPECS, TOKEN
from together.mock import FaultOptions, MockOptions, MockServer

SPEC_2026 = SHARED_SPECS / "together-openapi-2026-04.yaml"
needs_2026 = pytest.mark.skipif(not SPEC_2026.exists(), reason="../shared/specs/ is absent")
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TEXTS = [f"text number {i}" for i in range(16)]


async def embed(server: MockServer, texts: list[str], **headers: str) -> tuple[int, dict[str, Any]]:
    body = {"model": "BAAI/bge-base-en-v1.5", "input": texts}
    async with (
        aiohttp.ClientSession() as session,
        session.post(server.url + "/embeddings", json=body, headers={**AUTH, **headers}) as answer,
    ):
        return answer.status, await answer.json()


@pytest.fixture
async def server() -> AsyncIterator[MockServer]:
    async with MockServer(MockOptions(api_key=TOKEN)) as server:
        yield server


async def test_shuffle_option_reorders_data_and_each_item_keeps_its_index() -> None:
    async with MockServer(MockOptions(api_key=TOKEN, shuffle=True)) as shuffled:
        _, mixed = await embed(shuffled, TEXTS)
    async with MockServer(MockOptions(api_key=TOKEN)) as plain:
        _, ordered = await embed(plain, TEXTS)
    assert [d["index"] for d in ordered["data"]] == list(range(16))
    indexes = [d["index"] for d in mixed["data"]]
    assert indexes != list(range(16)) and sorted(indexes) == list(range(16))
    by_index = {d["index"]: d["embedding"] for d in mixed["data"]}
    assert [by_index[i] for i in range(16)] == [d["embedding"] for d in ordered["data"]]


async def test_shuffle_header_reorders_one_answer(server: MockServer) -> None:
    _, mixed = await embed(server, TEXTS, **{"X-Mock-Shuffle": "1"})
    _, ordered = await embed(server, TEXTS)
    assert [d["index"] for d in mixed["data"]] != list(range(16))
    assert [d["index"] for d in ordered["data"]] == list(range(16))


async def test_latency_header_delays_that_request_only(server: MockServer) -> None:
    started = time.perf_counter()
    assert (await embed(server, ["x"], **{"X-Mock-Latency-Ms": "300"}))[0] == 200
    slow = time.perf_counter() - started
    started = time.perf_counter()
    await embed(server, ["x"])
    fast = time.perf_counter() - started
    assert slow >= 0.3 and fast < 0.3
    status, answer = await embed(server, ["x"], **{"X-Mock-Latency-Ms": "soon"})
    assert (status, answer["error"]["param"]) == (400, "X-Mock-Latency-Ms")


async def test_peak_in_flight_counts_concurrent_requests(server: MockServer) -> None:
    slow = {"X-Mock-Latency-Ms": "200"}
    await asyncio.gather(*(embed(server, ["x"], **slow) for _ in range(7)))
    assert server.peak_in_flight == 7
    async with (
        aiohttp.ClientSession() as session,
        session.get(server.root_url + "/_mock/concurrency") as answer,
    ):
        assert await answer.json() == {"in_flight": 0, "peak": 7}
        async with session.post(server.root_url + "/_mock/reset"):
            pass
    await embed(server, ["x"])
    assert server.peak_in_flight == 1


@needs_2026
async def test_embeddings_are_the_same_on_the_2026_spec(server: MockServer) -> None:
    async with MockServer(MockOptions(api_key=TOKEN), spec=SPEC_2026) as real:
        assert await embed(real, TEXTS) == await embed(server, TEXTS)
        status, answer = await embed(real, ["x"], **{"X-Mock-Status": "503"})
        assert (status, answer["error"]["type"]) == (503, "server_error")
        assert real.stats()["/v1/embeddings"] == {"200": 1, "503": 1}


@needs_2026
async def test_faults_apply_to_every_route_of_the_2026_spec() -> None:
    options = MockOptions(api_key=TOKEN, faults=FaultOptions(script=[429, "drop"], retry_after=1))
    async with (
        MockServer(options, spec=SPEC_2026) as server,
        aiohttp.ClientSession(headers=AUTH) as session,
    ):
        async with session.get(server.url + "/hardware") as answer:
            assert answer.status == 429 and answer.headers["Retry-After"] == "1"
        # A POST: aiohttp resends an idempotent request once when the server disconnects,
        # which would hide the drop. The fault comes before the body is read.
        with pytest.raises(aiohttp.ClientError):
            async with session.post(server.url + "/evaluation", json={}) as answer:
                await answer.read()
        async with session.get(
            server.url + "/compute/regions", headers={"X-Mock-Status": "504"}
        ) as answer:
            assert answer.status == 504
        with pytest.raises(aiohttp.ClientPayloadError):
            async with session.get(
                server.url + "/voices", headers={"X-Mock-Status": "truncate"}
            ) as answer:
                await answer.read()
        async with session.get(server.url + "/voices") as answer:
            assert answer.status == 200
        assert server.stats() == {
            "/v1/hardware": {"429": 1},
            "/v1/evaluation": {"drop": 1},
            "/v1/compute/regions": {"504": 1},
            "/v1/voices": {"truncate": 1, "200": 1},
        }


@needs_2026
async def test_faults_apply_to_the_sdk_upload_routes_too() -> None:
    async with (
        MockServer(MockOptions(api_key=TOKEN), spec=SPEC_2026) as server,
        aiohttp.ClientSession(headers=AUTH) as session,
    ):
        fields = {"purpose": "fine-tune", "file_name": "a.jsonl"}
        async with session.post(
            server.url + "/files", data=fields, headers={"X-Mock-Status": "503"}
        ) as answer:
            assert answer.status == 503
        async with session.post(
            server.url + "/files", data=fields, allow_redirects=False
        ) as answer:
            assert answer.status == 302
            location = answer.headers["Location"]
        async with session.put(location, data=b"x", headers={"X-Mock-Status": "429"}) as answer:
            assert answer.status == 429
        assert server.stats()["/v1/files"] == {"503": 1, "302": 1}
