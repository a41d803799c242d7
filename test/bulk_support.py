"""Helpers of the bulk tests: an oracle independent of the code under test, and CLI set-ups."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from support import TOKEN
from together.mock import MockServer
from together.mock.embedding import DEFAULT_DIMENSIONS, embed

MODEL = "BAAI/bge-base-en-v1.5"


def expected_rows(texts: list[str], model: str = MODEL) -> np.ndarray:
    """The local server's vectors, computed here directly (not through the client)."""
    dimensions = DEFAULT_DIMENSIONS[model]
    return np.array([embed(model, dimensions, text) for text in texts], dtype=np.float32)


def sentences(n: int, start: int = 0) -> list[str]:
    return [f"sentence {i} about topic {i % 7}" for i in range(start, start + n)]


def write_lines(path: Path, texts: list[str]) -> Path:
    path.write_text("".join(text + "\n" for text in texts), encoding="utf-8")
    return path


def server_env(server: MockServer) -> dict[str, str]:
    """Environment that points together-embed at ``server`` (as for the real API)."""
    return {"TOGETHER_API_KEY": TOKEN, "TOGETHER_BASE_URL": server.url}
