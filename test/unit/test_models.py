"""The generated models: openapi-generator's helpers, the oneOf wrapper, strictness."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from together.generated import (
    EmbeddingsRequest,
    EmbeddingsRequestInput,
    EmbeddingsResponse,
    EmbeddingsResponseDataInner,
    ErrorData,
)
from together.generated.models.embeddings_request import EmbeddingsRequest as ByModulePath
from together.generated.models.embeddings_response import EmbeddingsResponse as ResponseByPath


def test_module_paths_are_openapi_generators() -> None:
    assert ByModulePath is EmbeddingsRequest
    assert ResponseByPath is EmbeddingsResponse
    from together.generated.api.embeddings_api import EmbeddingsApi
    from together.generated.models.embeddings_request_input import EmbeddingsRequestInput as W
    from together.generated.models.embeddings_response_data_inner import (
        EmbeddingsResponseDataInner as D,
    )
    from together.generated.models.error_data_error import ErrorDataError

    assert EmbeddingsApi.__name__ == "EmbeddingsApi"
    assert W is EmbeddingsRequestInput and D is EmbeddingsResponseDataInner
    assert ErrorDataError.__name__ == "ErrorDataError"


def test_request_round_trips_through_dict_and_json() -> None:
    request = EmbeddingsRequest(model="BAAI/bge-large-en-v1.5", input=["a", "b"])
    assert request.to_dict() == {"model": "BAAI/bge-large-en-v1.5", "input": ["a", "b"]}
    assert json.loads(request.to_json()) == request.to_dict()
    assert EmbeddingsRequest.from_dict(request.to_dict()) == request
    assert EmbeddingsRequest.from_json(request.to_json()) == request
    assert EmbeddingsRequest.from_dict(None) is None
    assert "'input': ['a', 'b']" in request.to_str()


def test_any_model_name_is_accepted() -> None:
    assert (
        EmbeddingsRequest(model="my-org/custom-embedder", input="x").model
        == "my-org/custom-embedder"
    )


def test_wrapper_is_accepted_but_never_required() -> None:
    plain = EmbeddingsRequest(model="m", input="text")
    wrapped = EmbeddingsRequest(model="m", input=EmbeddingsRequestInput("text"))
    keyword = EmbeddingsRequest(model="m", input=EmbeddingsRequestInput(actual_instance="text"))
    assert plain == wrapped == keyword
    assert wrapped.input == "text"


def test_wrapper_helpers() -> None:
    wrapper = EmbeddingsRequestInput(["a", "b"])
    assert wrapper.actual_instance == ["a", "b"]
    assert wrapper.to_json() == '["a","b"]'
    assert wrapper.to_dict() == ["a", "b"]
    assert EmbeddingsRequestInput.from_json('"x"').actual_instance == "x"
    assert EmbeddingsRequestInput.from_dict(["y"]).actual_instance == ["y"]
    assert EmbeddingsRequestInput.one_of_schemas == ("str", "list[str]")
    with pytest.raises(ValidationError):
        EmbeddingsRequestInput(5)
    with pytest.raises(TypeError):
        EmbeddingsRequestInput()
    with pytest.raises(TypeError):
        EmbeddingsRequestInput("a", actual_instance="b")


def test_request_models_refuse_unknown_fields_response_models_keep_them() -> None:
    with pytest.raises(ValidationError):
        EmbeddingsRequest(model="m", input="x", dimensions=5)
    response = EmbeddingsResponse.from_json(
        b'{"object": "list", "model": "m", "data": [], "usage": {"prompt_tokens": 3}}'
    )
    assert response.model_extra == {"usage": {"prompt_tokens": 3}}
    assert response.to_dict()["usage"] == {"prompt_tokens": 3}


def test_response_literals_are_checked() -> None:
    with pytest.raises(ValidationError):
        EmbeddingsResponse.from_json(b'{"object": "dict", "model": "m", "data": []}')


def test_error_data_optional_fields_default_to_none() -> None:
    data = ErrorData.from_dict({"error": {"message": "m", "type": "t"}})
    assert data is not None
    assert data.error.param is None and data.error.code is None
    assert data.to_dict() == {"error": {"message": "m", "type": "t"}}
