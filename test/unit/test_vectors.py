"""EmbeddingsResponse.to_numpy(): float32 rows in input order; numpy stays optional."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np
import pytest

from together.generated import EmbeddingsResponse


def response(items: list[tuple[int, list[float]]]) -> EmbeddingsResponse:
    return EmbeddingsResponse.model_validate(
        {
            "object": "list",
            "model": "m",
            "data": [{"object": "embedding", "index": i, "embedding": e} for i, e in items],
        }
    )


def test_rows_follow_the_index_not_the_answer_order() -> None:
    array = response([(1, [1.0, 2.0]), (0, [3.0, 4.0]), (2, [5.0, 6.0])]).to_numpy()
    assert array.dtype == np.float32 and array.shape == (3, 2)
    assert array.tolist() == [[3.0, 4.0], [1.0, 2.0], [5.0, 6.0]]


def test_empty_answer() -> None:
    assert response([]).to_numpy().shape == (0, 0)


@pytest.mark.parametrize(
    "items",
    [
        [(0, [1.0]), (0, [2.0])],  # duplicate index
        [(0, [1.0]), (5, [2.0])],  # out of range
        [(0, [1.0]), (1, [2.0, 3.0])],  # ragged
    ],
)
def test_inconsistent_answers_are_refused(items: list[tuple[int, list[float]]]) -> None:
    with pytest.raises(ValueError):
        response(items).to_numpy()


def test_without_numpy_the_error_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_numpy(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "numpy" or name.startswith("numpy."):
            raise ImportError("No module named 'numpy'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_numpy)
    with pytest.raises(ImportError, match=r"pip install 'together-generated\[numpy\]'"):
        response([(0, [1.0])]).to_numpy()


def test_the_mixin_comes_from_the_generator_config() -> None:
    from together.generated._runtime.vectors import EmbeddingVectors

    assert issubclass(EmbeddingsResponse, EmbeddingVectors)
