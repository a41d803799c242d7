"""Soak: 10,000 calls at concurrency 64 against the local server with 20% injected faults.

Asserts no hang, no untyped exception, no connection left open, and a success rate
consistent with 1 - p**(retries + 1). Bounded: every call has a hard limit and the whole run
has one, so CI stays well inside its time. Rerun with ``pytest test/e2e/test_soak.py -s`` to
see the figures docs/reliability.md records.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter

import together.generated
from support import TOKEN, rest_transport
from together.generated import ApiClient, Configuration, EmbeddingsRequest, OpenApiException
from together.mock import FaultOptions, MockOptions, MockServer

CALLS = 10_000
CONCURRENCY = 64
FAULT_RATE = 0.2
RETRIES = 2
FAULTS: list[int | str] = [429, 503, 504, "drop", "stall", "truncate"]
CALL_LIMIT = 30.0  # seconds: a call still running after this counts as a hang
RUN_LIMIT = 600.0


async def test_soak() -> None:
    options = MockOptions(
        api_key=TOKEN,
        faults=FaultOptions(
            fail_rate=FAULT_RATE, fail_statuses=FAULTS, retry_after=0.05, stall_seconds=5, seed=2026
        ),
    )
    outcomes: Counter[str] = Counter()
    started = time.monotonic()
    async with MockServer(options) as server:
        configuration = Configuration(host=server.url, access_token=TOKEN, retries=RETRIES)
        async with ApiClient(configuration) as client:
            api = together.generated.EmbeddingsApi(client)
            semaphore = asyncio.Semaphore(CONCURRENCY)

            async def one(i: int) -> None:
                async with semaphore:
                    try:
                        async with asyncio.timeout(CALL_LIMIT):
                            request = EmbeddingsRequest(
                                model="BAAI/bge-base-en-v1.5", input=f"text number {i % 500}"
                            )
                            response = await api.embeddings(request, _request_timeout=0.5)
                        assert len(response.data) == 1
                        outcomes["ok"] += 1
                    except TimeoutError as exc:
                        outcomes[
                            "typed error" if isinstance(exc, OpenApiException) else "hang"
                        ] += 1
                    except OpenApiException:
                        outcomes["typed error"] += 1
                    except Exception as exc:
                        outcomes[f"untyped {type(exc).__name__}"] += 1

            async with asyncio.timeout(RUN_LIMIT):
                await asyncio.gather(*(one(i) for i in range(CALLS)))
            connector = rest_transport(client)._get_session().connector
            assert connector is not None
            held = len(connector._acquired)
        await asyncio.sleep(0.2)
        assert server._runner is not None and server._runner.server is not None
        open_on_server = len(server._runner.server.connections)
        attempts = sum(sum(c.values()) for c in server.stats().values())
    elapsed = time.monotonic() - started

    failure = FAULT_RATE ** (RETRIES + 1)  # every attempt fails independently with p
    expected_failures = CALLS * failure
    sigma = math.sqrt(CALLS * failure * (1 - failure))
    print(
        f"\nsoak: {CALLS} calls, concurrency {CONCURRENCY}, {FAULT_RATE:.0%} faults {FAULTS}, "
        f"retries {RETRIES}: {dict(outcomes)}; {attempts} attempts; "
        f"success {outcomes['ok'] / CALLS:.4f} (expected {1 - failure:.4f}); {elapsed:.1f} s"
    )
    assert set(outcomes) <= {"ok", "typed error"}, outcomes  # no hang, nothing untyped
    assert held == 0 and open_on_server == 0
    assert abs(outcomes["typed error"] - expected_failures) <= 6 * sigma, outcomes
