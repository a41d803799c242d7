"""The client variants the benchmark compares; each runs in a process of its own.

``python bench/clients.py VARIANT URL CALLS`` makes CALLS sequential calls after a warm-up
and prints one JSON line: client CPU seconds per call and wall seconds.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable

MODEL = "bench-model"


async def raw_aiohttp_orjson(url: str, calls: int, texts: list[str]) -> None:
    """The limit: a hand-written call with aiohttp and orjson, no validation at all."""
    import aiohttp
    import orjson

    headers = {"Authorization": "Bearer bench", "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as session:
        for _ in range(calls):
            body = orjson.dumps({"model": MODEL, "input": texts})
            async with session.post(url + "/embeddings", data=body, headers=headers) as response:
                data = orjson.loads(await response.read())
            assert data["data"]


async def raw_aiohttp_pydantic(url: str, calls: int, texts: list[str]) -> None:
    """The same hand-written call, decoding with pydantic (``model_validate_json``) instead.

    Sending and decoding exactly as this client does, without its runtime: the issue's
    reference for the small call (everything else the client does must cost <= 5%).
    """
    import aiohttp
    import orjson

    from together.generated.models.embeddings_response import EmbeddingsResponse

    headers = {"Authorization": "Bearer bench", "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as session:
        for _ in range(calls):
            body = orjson.dumps({"model": MODEL, "input": texts})
            async with session.post(url + "/embeddings", data=body, headers=headers) as response:
                data = EmbeddingsResponse.model_validate_json(await response.read())
            assert data.data


async def this_client(url: str, calls: int, texts: list[str]) -> None:
    """together.generated, used as its docs show."""
    import together.generated
    from together.generated import EmbeddingsRequest

    configuration = together.generated.Configuration(host=url, access_token="bench")
    async with together.generated.ApiClient(configuration) as api_client:
        api = together.generated.EmbeddingsApi(api_client)
        for _ in range(calls):
            response = await api.embeddings(EmbeddingsRequest(model=MODEL, input=texts))
            assert response.data


async def openai_sdk(url: str, calls: int, texts: list[str]) -> None:
    """The OpenAI Python SDK pointed at the same server."""
    import openai

    async with openai.AsyncOpenAI(base_url=url, api_key="bench", max_retries=0) as client:
        for _ in range(calls):
            response = await client.embeddings.create(
                model=MODEL, input=texts, encoding_format="float"
            )
            assert response.data


VARIANTS: dict[str, Callable[[str, int, list[str]], Awaitable[None]]] = {
    "raw aiohttp + orjson": raw_aiohttp_orjson,
    "raw aiohttp + pydantic": raw_aiohttp_pydantic,
    "together.generated": this_client,
    "openai SDK": openai_sdk,
}


def available(variant: str) -> bool:
    module = {
        "raw aiohttp + orjson": "orjson",
        "raw aiohttp + pydantic": "orjson",
        "openai SDK": "openai",
    }.get(variant)
    if module is None:
        return True
    try:
        __import__(module)
    except ImportError:
        return False
    return True


async def measure(variant: str, url: str, calls: int) -> dict[str, float]:
    run = VARIANTS[variant]
    texts = ["The quick brown fox jumps over the lazy dog"] * (256 if "/large/" in url else 1)
    await run(url, max(2, calls // 10), texts)  # warm-up: imports, first connection, caches
    cpu, wall = time.process_time(), time.perf_counter()
    await run(url, calls, texts)
    return {"cpu_per_call": (time.process_time() - cpu) / calls, "wall": time.perf_counter() - wall}


if __name__ == "__main__":
    variant, url, calls = sys.argv[1], sys.argv[2], int(sys.argv[3])
    print(json.dumps(asyncio.run(measure(variant, url, calls))))
