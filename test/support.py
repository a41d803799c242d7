"""Constants and helpers shared by the tests (importable as ``support``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from aioresponses import aioresponses
from aioresponses.core import RequestCall
from yarl import URL

from together.generated import ApiClient
from together.generated._runtime.multipart import MultipartBody
from together.generated._runtime.rest import RESTClientObject

HOST = "https://api.test/v1"
TOKEN = "tk-secret-0123456789"
EMBEDDINGS_URL = f"{HOST}/embeddings"
REPOSITORY = Path(__file__).resolve().parent.parent
SHARED_SPECS = REPOSITORY.parent / "shared" / "specs"


def embeddings_payload(vectors: list[list[float]], model: str = "m") -> dict[str, object]:
    return {
        "object": "list",
        "model": model,
        "data": [
            {"object": "embedding", "embedding": vector, "index": i}
            for i, vector in enumerate(vectors)
        ],
    }


def run_embed(
    *args: str,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``together-embed ARGS`` in a subprocess, without the caller's Together settings."""
    base = {
        k: v for k, v in os.environ.items() if k not in ("TOGETHER_API_KEY", "TOGETHER_BASE_URL")
    }
    return subprocess.run(
        [sys.executable, "-m", "together.cli.embed", *args],
        env={**base, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=REPOSITORY,
    )


def recorded(mocked: aioresponses) -> dict[tuple[str, URL], list[RequestCall]]:
    """The requests ``mocked`` recorded, by ``(method, URL)`` in the order first seen.

    aioresponses types ``requests`` Optional (it is None until the mock is started); every
    test's mock is started (the ``mocked`` fixture, or ``with aioresponses()``).
    """
    requests = mocked.requests
    assert requests is not None, "aioresponses was not started"
    return requests


def sent_calls(mocked: aioresponses) -> list[RequestCall]:
    """Every request ``mocked`` recorded: grouped by ``(method, URL)``, each group in order."""
    return [call for calls in recorded(mocked).values() for call in calls]


def json_of(body: bytes | MultipartBody | None) -> Any:
    """The JSON document of a request body the runtime encoded (bytes, never multipart)."""
    assert isinstance(body, bytes), f"not a JSON body: {body!r}"
    return json.loads(body)


def rest_transport(client: ApiClient) -> RESTClientObject:
    """The client's own aiohttp transport (``rest_client`` is typed as the Transport seam)."""
    transport = client.rest_client
    assert isinstance(transport, RESTClientObject), transport
    return transport
