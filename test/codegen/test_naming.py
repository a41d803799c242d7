"""Spec names turned into Python names (``codegen/naming.py``): the conventions of
openapi-generator's python client (README: code written against it finds the same names),
with the expected names written out here."""

from __future__ import annotations

import pytest

from codegen.naming import (
    first_free,
    method_name,
    module_name,
    pascal_case,
    python_identifier,
    snake_case,
    words,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("EmbeddingsRequest", ["Embeddings", "Request"]),
        ("max_tokens", ["max", "tokens"]),
        ("HTTPResponse", ["HTTP", "Response"]),
        ("getURL", ["get", "URL"]),
        ("v1-chat/completions", ["v1", "chat", "completions"]),
        ("top_k2", ["top", "k2"]),
        ("--", []),
    ],
)
def test_words_split_at_case_changes_and_punctuation(name: str, expected: list[str]) -> None:
    assert words(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("max_tokens", "MaxTokens"),
        ("EmbeddingsRequest", "EmbeddingsRequest"),
        ("embeddings-request_input", "EmbeddingsRequestInput"),
        ("HTTPResponse", "HTTPResponse"),
        ("4XX", "Model4XX"),
        ("200", "Model200"),
    ],
)
def test_pascal_case(name: str, expected: str) -> None:
    assert pascal_case(name) == expected


def test_a_name_without_letters_or_digits_has_no_class_name() -> None:
    with pytest.raises(ValueError) as caught:
        pascal_case("-/-")
    assert str(caught.value) == "no letters or digits in name '-/-'"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("EmbeddingsResponseDataInner", "embeddings_response_data_inner"),
        ("HTTPResponse", "http_response"),
        ("max-tokens", "max_tokens"),
    ],
)
def test_snake_case(name: str, expected: str) -> None:
    assert snake_case(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("max_tokens", "max_tokens"),  # already a plain identifier: kept as it is
        ("key__name", "key__name"),
        ("name_", "name_"),
        ("ID", "id"),
        ("top_k2", "top_k2"),
        ("maxTokens", "max_tokens"),
        ("_private", "private"),
        ("Content-Type", "content_type"),
        ("2fa", "var_2fa"),
        ("", "value"),
        ("-", "value"),
        ("class", "class_"),
        ("from", "from_"),
        ("match", "match"),  # a soft keyword is a valid name
        ("type", "type"),
    ],
)
def test_python_identifier(name: str, expected: str) -> None:
    assert python_identifier(name) == expected


def test_a_reserved_name_gets_a_trailing_underscore() -> None:
    assert python_identifier("json", reserved=frozenset({"json"})) == "json_"
    assert python_identifier("json") == "json"


def test_method_names_avoid_the_api_class_attribute() -> None:
    assert method_name("getThing") == "get_thing"
    assert method_name("listFineTunes") == "list_fine_tunes"
    assert method_name("api_client") == "api_client_"
    assert method_name("apiClient") == "api_client_"
    assert method_name("import") == "import_"


def test_module_names() -> None:
    assert module_name("EmbeddingsRequest") == "embeddings_request"
    assert module_name("Import") == "import_"


def test_first_free_numbers_a_clash_from_two() -> None:
    assert first_free("name", set()) == "name"
    assert first_free("name", {"name"}) == "name_2"
    assert first_free("name", {"name", "name_2", "name_3"}) == "name_4"
    assert first_free("name", {"name_2"}) == "name"
    assert first_free("Name", ["Name", "Name2"], sep="") == "Name3"
