"""Constants and helpers shared by the tests (importable as ``support``)."""

from __future__ import annotations

from pathlib import Path

HOST = "http://api.test/v1"
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
