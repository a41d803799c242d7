"""The stand-in embeddings (docs/mock-server.md, "Nothing here is a model"): the same
(model, text) gives the same unit-length vector, dimensions follow the model, texts that
share words or parts of words are closer by cosine than unrelated ones, and the vectors of
recent texts are cached as JSON, at most 1,024 of them."""

from __future__ import annotations

import json
import math

import pytest

from together.mock.embedding import DEFAULT_DIMENSIONS, embed, embedding_json

MODEL = "BAAI/bge-base-en-v1.5"


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))  # both have unit length


@pytest.mark.parametrize("text", ["a cat sat on the mat", "x", "", "!!! ???"])
def test_vectors_have_unit_length_and_repeat(text: str) -> None:
    vector = embed(MODEL, 768, text)
    assert len(vector) == 768
    assert math.isclose(math.fsum(x * x for x in vector), 1.0, rel_tol=1e-9)
    assert embed(MODEL, 768, text) == vector


def test_dimensions_are_the_ones_asked_for() -> None:
    assert [len(embed(MODEL, n, "some text")) for n in (1, 12, 1024)] == [1, 12, 1024]
    assert embed(MODEL, 1, "some text") in ([1.0], [-1.0])


def test_the_documented_models_and_their_widths() -> None:
    assert DEFAULT_DIMENSIONS == {
        "WhereIsAI/UAE-Large-V1": 1024,
        "BAAI/bge-large-en-v1.5": 1024,
        "BAAI/bge-base-en-v1.5": 768,
        "togethercomputer/m2-bert-80M-8k-retrieval": 768,
    }


def test_each_model_gives_its_own_vectors() -> None:
    assert embed("model-a", 768, "hello world") != embed("model-b", 768, "hello world")


def test_texts_sharing_words_are_closer_than_unrelated_ones() -> None:
    cat = embed(MODEL, 768, "the cat sat on the mat")
    assert cosine(cat, embed(MODEL, 768, "the cat sat on a chair")) > 0.5
    assert abs(cosine(cat, embed(MODEL, 768, "stock prices fell sharply"))) < 0.15


def test_words_sharing_parts_are_closer_than_unrelated_words() -> None:
    running = embed(MODEL, 768, "running")
    assert cosine(running, embed(MODEL, 768, "runner")) > 0.15  # #ru, run, unn in common
    assert abs(cosine(running, embed(MODEL, 768, "table"))) < 0.1


def test_car_and_automobile_are_unrelated() -> None:
    assert abs(cosine(embed(MODEL, 768, "car"), embed(MODEL, 768, "automobile"))) < 0.1


def test_case_and_punctuation_do_not_change_the_words() -> None:
    assert embed(MODEL, 768, "Hello, World!") == embed(MODEL, 768, "hello world")
    assert embed(MODEL, 768, "") == embed(MODEL, 768, "?!")  # no words at all


def test_a_text_of_one_repeated_word_is_the_vector_of_that_word() -> None:
    # Features add up, and the sum is scaled back to unit length.
    assert embed(MODEL, 768, "echo echo echo") == pytest.approx(embed(MODEL, 768, "echo"))


def test_features_fall_on_both_signs() -> None:
    # Signed hashing: colliding features cancel out on average instead of piling up.
    vector = embed(MODEL, 768, " ".join(f"word{n}" for n in range(50)))
    assert sum(x > 0 for x in vector) > 50 and sum(x < 0 for x in vector) > 50


def test_the_json_is_the_vector_to_eight_significant_digits() -> None:
    text = "the quick brown fox"
    parsed = json.loads(embedding_json(MODEL, 768, text))
    assert parsed == pytest.approx(embed(MODEL, 768, text), rel=1e-7, abs=1e-12)
    numbers = embedding_json(MODEL, 768, text).decode()[1:-1].split(",")
    digits = [n.lstrip("-").split("e")[0].replace(".", "").lstrip("0") for n in numbers]
    assert max(len(d) for d in digits) == 8


def test_the_json_cache_keeps_at_most_1024_vectors() -> None:
    assert embedding_json.cache_info().maxsize == 1024


def test_a_repeated_word_weighs_more() -> None:
    # The features of each occurrence add up: "cat cat dog" leans further towards "cat".
    cat = embed(MODEL, 768, "cat")
    assert cosine(embed(MODEL, 768, "cat cat dog"), cat) > cosine(embed(MODEL, 768, "cat dog"), cat)
