"""Constants and helpers shared by the tests (importable as ``support``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
