"""Deterministic stand-in embeddings: hashed word and character n-gram features.

This is **not a neural model**. It gives what a test or a demo needs from an embedding
service: the same (model, text) always yields the same unit-length vector, dimensions follow
the model, and texts that share words (or parts of words) have a higher cosine similarity
than unrelated texts. It knows nothing of meaning: "car" and "automobile" are unrelated here.
"""

from __future__ import annotations

import hashlib
import math
import re
from functools import lru_cache

__all__ = ["DEFAULT_DIMENSIONS", "embed", "embedding_json"]

#: Output dimensions of the models the spec lists, as the real models have them.
DEFAULT_DIMENSIONS: dict[str, int] = {
    "WhereIsAI/UAE-Large-V1": 1024,
    "BAAI/bge-large-en-v1.5": 1024,
    "BAAI/bge-base-en-v1.5": 768,
    "togethercomputer/m2-bert-80M-8k-retrieval": 768,
}

_WORD = re.compile(r"\w+", re.UNICODE)
_WORD_WEIGHT = 1.0
_TRIGRAM_WEIGHT = 0.4


def _features(text: str) -> list[tuple[str, float]]:
    words = _WORD.findall(text.lower())
    if not words:
        return [("<empty>", 1.0)]
    features = []
    for word in words:
        features.append(("w:" + word, _WORD_WEIGHT))
        padded = f"#{word}#"
        for i in range(len(padded) - 2):
            features.append(("c:" + padded[i : i + 3], _TRIGRAM_WEIGHT))
    return features


def embed(model: str, dimensions: int, text: str) -> list[float]:
    """The unit-length vector of ``text`` for ``model``."""
    vector = [0.0] * dimensions
    key = hashlib.blake2b(model.encode(), digest_size=16).digest()  # models differ
    for feature, weight in _features(text):
        digest = hashlib.blake2b(feature.encode(), digest_size=8, key=key).digest()
        number = int.from_bytes(digest, "little")
        sign = 1.0 if number >> 63 else -1.0
        vector[number % dimensions] += sign * weight
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


@lru_cache(maxsize=1024)
def embedding_json(model: str, dimensions: int, text: str) -> bytes:
    """``embed(...)`` as a JSON array, cached: load tests repeat texts, and serializing
    floats is most of the cost of an answer. Bounded, so memory stays bounded."""
    return ("[" + ",".join(format(x, ".8g") for x in embed(model, dimensions, text)) + "]").encode()
