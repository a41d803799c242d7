"""EmbeddingsResponse.to_numpy(): float32 rows in input order; numpy stays optional."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np
import pytest

from together.generated import EmbeddingsResponse
from together.generated._runtime.exceptions import InvalidVectorsError
from together.generated._runtime.vectors import rows_from_json


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


# ------------------------------------------------------------------ to_numpy's checks


def test_expected_rows_is_checked_before_anything_else() -> None:
    with pytest.raises(InvalidVectorsError, match="the answer has 2 vectors for 3 inputs"):
        response([(0, [1.0]), (1, [2.0])]).to_numpy(expected_rows=3)
    with pytest.raises(InvalidVectorsError, match="the answer has 0 vectors for 1 inputs"):
        response([]).to_numpy(expected_rows=1)
    assert response([(0, [1.0])]).to_numpy(expected_rows=1).tolist() == [[1.0]]
    empty = response([]).to_numpy(expected_rows=0)
    assert empty.shape == (0, 0) and empty.dtype == np.float32


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([(0, [1.0]), (0, [2.0])], r"embedding indices are not 0\.\.1: 0"),
        ([(0, [1.0]), (2, [2.0])], r"embedding indices are not 0\.\.1: 2"),
        ([(-1, [1.0]), (1, [2.0])], r"embedding indices are not 0\.\.1: -1"),
        ([(1, [1.0]), (2, [2.0])], r"embedding indices are not 0\.\.1: 2"),
        ([(0, [1.0]), (1, [2.0, 3.0])], "embeddings of unequal length in one answer"),
        ([(0, [1.0, 2.0]), (1, [3.0])], "embeddings of unequal length in one answer"),
        ([(0, []), (1, [])], r"the embeddings are empty vectors \(zero width\)"),
        ([(0, [1.0]), (1, [1e39])], "embedding 1 has a value that is not finite in float32"),
        ([(0, [-1e39]), (1, [1.0])], "embedding 0 has a value that is not finite in float32"),
    ],
    ids=[
        "duplicate",
        "beyond",
        "negative",
        "shifted",
        "longer-later",
        "shorter-later",
        "zero-width",
        "overflow-row-1",
        "overflow-row-0",
    ],
)
def test_each_inconsistency_is_named(items: list[tuple[int, list[float]]], message: str) -> None:
    with pytest.raises(InvalidVectorsError, match=f"^{message}$"):
        response(items).to_numpy()


def test_the_largest_float32_values_are_kept() -> None:
    array = response([(0, [3.4028234e38, -3.4028234e38])]).to_numpy()
    assert array.tolist() == [[np.float32(3.4028234e38), np.float32(-3.4028234e38)]]


def test_invalid_vectors_error_is_a_value_error() -> None:
    assert issubclass(InvalidVectorsError, ValueError)


# ------------------------------------------------------------------ rows_from_json's checks

ITEM = '{"object": "embedding", "index": %s, "embedding": %s}'


def body(*items: str, extra: str = "") -> bytes:
    return (
        '{"object": "list", "model": "m", "data": [' + ", ".join(items) + "]" + extra + "}"
    ).encode()


def test_rows_from_json_keeps_float32_rows_in_index_order() -> None:
    rows = rows_from_json(
        body(ITEM % (2, "[5, 6]"), ITEM % (0, "[1.5, -2]"), ITEM % (1, "[0, 0.25]"))
    )
    assert rows.dtype == np.float32
    assert rows.tolist() == [[1.5, -2.0], [0.0, 0.25], [5.0, 6.0]]


def test_rows_from_json_counts_rows_only_when_asked() -> None:
    two = body(ITEM % (0, "[1]"), ITEM % (1, "[2]"))
    assert rows_from_json(two).shape == (2, 1)
    assert rows_from_json(two, expected_rows=2).shape == (2, 1)
    with pytest.raises(InvalidVectorsError, match="the answer has 2 vectors for 3 inputs"):
        rows_from_json(two, expected_rows=3)
    with pytest.raises(InvalidVectorsError, match="the answer has 0 vectors for 1 inputs"):
        rows_from_json(body(), expected_rows=1)
    empty = rows_from_json(body(), expected_rows=0)
    assert empty.shape == (0, 0) and empty.dtype == np.float32


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (b"[]", "the answer has no 'data' list"),
        (b'"text"', "the answer has no 'data' list"),
        (b'{"data": {"0": [1]}}', "the answer has no 'data' list"),
        (b'{"data": null}', "the answer has no 'data' list"),
        (body(ITEM % ("1.0", "[1]")), r"embedding indices are not 0\.\.0: 1\.0"),
        (body(ITEM % ('"0"', "[1]")), r"embedding indices are not 0\.\.0: '0'"),
        (body(ITEM % ("false", "[1]")), r"embedding indices are not 0\.\.0: False"),
        (body(ITEM % ("-1", "[1]"), ITEM % (1, "[1]")), r"embedding indices are not 0\.\.1: -1"),
        (body(ITEM % ("2", "[1]"), ITEM % (1, "[1]")), r"embedding indices are not 0\.\.1: 2"),
        (body('{"embedding": [1]}'), r"embedding indices are not 0\.\.0: None"),
        (body("[0, [1]]"), r"embedding indices are not 0\.\.0: None"),
        (
            body(ITEM % (0, "[[1], [2]]")),
            "embeddings are not vectors of JSON numbers of one length",
        ),
        (body(ITEM % (0, "1.0")), "embeddings are not vectors of JSON numbers of one length"),
        (
            body(ITEM % (0, "[true, false]")),
            "embeddings are not vectors of JSON numbers of one length",
        ),
        (
            body(ITEM % (0, '[{"v": 1}]')),
            "embeddings are not vectors of JSON numbers of one length",
        ),
        (body(ITEM % (0, "[null]")), "embeddings are not vectors of JSON numbers of one length"),
        (body(ITEM % (0, '["1.5"]')), "embeddings are not vectors of JSON numbers of one length"),
        (
            body(ITEM % (0, '[0.5, "1.5"]')),
            "embeddings are not vectors of JSON numbers of one length",
        ),
        (body(ITEM % (0, "[1, true]")), "embeddings are not vectors of JSON numbers of one length"),
        (
            body(ITEM % (0, "[0.5, null]")),
            "embeddings are not vectors of JSON numbers of one length",
        ),
        (body(ITEM % (0, "{}")), "embeddings are not vectors of JSON numbers of one length"),
        (body(ITEM % (0, '""')), "embeddings are not vectors of JSON numbers of one length"),
        (body(ITEM % (0, '"12"')), "embeddings are not vectors of JSON numbers of one length"),
        (
            body(ITEM % (0, "[0.5, 1]"), ITEM % (1, "[1, true]")),
            "embeddings are not vectors of JSON numbers of one length",
        ),
        (
            body(ITEM % (0, "[1, 2]"), ITEM % (1, "[1.5]")),
            "embeddings are not vectors of one length",
        ),
        (body(ITEM % (0, "[]")), r"the embeddings are empty vectors \(zero width\)"),
        (body(ITEM % (0, "[1, 2]"), ITEM % (1, "[1]")), "embeddings are not vectors of one length"),
        (body(ITEM % (0, "[1e39]")), "an embedding has a value that is not finite in float32"),
        (body(ITEM % (0, "[-1e39]")), "an embedding has a value that is not finite in float32"),
        (b'{"data": [', "the answer is not valid JSON"),
        (b"", "the answer is not valid JSON"),
        (body(ITEM % (0, "[-Infinity]")), "the answer is not valid JSON"),
    ],
)
def test_rows_from_json_refuses_anything_but_finite_number_rows(
    answer: bytes, message: str
) -> None:
    with pytest.raises(InvalidVectorsError, match=f"^{message}"):
        rows_from_json(answer)


def test_rows_from_json_rows_are_a_writable_float32_array_in_index_order() -> None:
    rows = rows_from_json(body(ITEM % (1, "[3, 4.5]"), ITEM % (0, "[1.25, 2]")))
    assert rows.dtype == np.float32 and rows.shape == (2, 2)
    assert rows.tolist() == [[1.25, 2.0], [3.0, 4.5]]
    rows[0, 0] = 7  # the caller may scale or normalise in place
    assert rows[0, 0] == 7


def test_rows_from_json_takes_a_boolean_after_a_float_as_numpy_did() -> None:
    # Documented leniency: only vectors that begin with a non-float are read item by item.
    assert rows_from_json(body(ITEM % (0, "[0.5, true, false]"))).tolist() == [[0.5, 1.0, 0.0]]
    with pytest.raises(InvalidVectorsError, match="not vectors of JSON numbers"):
        rows_from_json(body(ITEM % (0, "[true, 0.5]")))


def test_rows_from_json_takes_integers_and_large_finite_numbers() -> None:
    rows = rows_from_json(body(ITEM % (0, "[1, 3.4028234e38, -3.4028234e38]")))
    assert rows.tolist() == [
        [1.0, float(np.float32(3.4028234e38)), float(np.float32(-3.4028234e38))]
    ]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (body(ITEM % (0, "[NaN]")), "the answer is not valid JSON"),
        (b"{not json", "the answer is not valid JSON"),
        (body(ITEM % (0, '["1"]')), "embeddings are not vectors of JSON numbers of one length"),
        (
            body(ITEM % (0, "[0.5, " + "9" * 400 + "]")),
            "an embedding has a value that is not finite",
        ),
    ],
)
def test_rows_from_json_without_orjson_is_as_strict(
    monkeypatch: pytest.MonkeyPatch, answer: bytes, message: str
) -> None:
    real_import = builtins.__import__

    def no_orjson(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "orjson":
            raise ImportError("No module named 'orjson'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_orjson)
    assert rows_from_json(body(ITEM % (1, "[2]"), ITEM % (0, "[1]"))).tolist() == [[1.0], [2.0]]
    with pytest.raises(InvalidVectorsError, match=f"^{message}"):
        rows_from_json(answer)


def test_rows_from_json_without_numpy_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_import = builtins.__import__

    def no_numpy(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "numpy" or name.startswith("numpy."):
            raise ImportError("No module named 'numpy'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_numpy)
    with pytest.raises(
        ImportError,
        match=r"^numpy is needed for arrays: pip install 'together-generated\[numpy\]'$",
    ) as caught:
        rows_from_json(body(ITEM % (0, "[1]")))
    assert isinstance(caught.value.__cause__, ImportError)
