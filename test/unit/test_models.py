"""The generated models: openapi-generator's helpers, the oneOf wrapper, strictness."""

from __future__ import annotations

import json
import warnings
from typing import ClassVar

import pytest
from pydantic import Field, ValidationError

from together.generated import (
    EmbeddingsRequest,
    EmbeddingsRequestInput,
    EmbeddingsResponse,
    EmbeddingsResponseDataInner,
    ErrorData,
)
from together.generated._runtime.model_base import ApiModel, OneOfModel, unwrap_one_of
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
        EmbeddingsRequest(model="m", input="x", dimensions=5)  # type: ignore[call-arg]  # the unknown field is the point
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


# ------------------------------------------------------------------ the shared model base


class Settings(ApiModel):
    """A generated-style object model: a wire name that is not a Python name, optionals."""

    wire_name: int | None = Field(default=None, alias="wire-name")
    ratio: float | None = None
    label: str | None = None


class Number(OneOfModel[float | str]):
    one_of_schemas: ClassVar[tuple[str, ...]] = ("float", "str")


class Holder(OneOfModel[Settings | int]):
    pass


def test_fields_are_validated_on_assignment() -> None:
    settings = Settings(label="a")
    with pytest.raises(ValidationError):
        settings.label = 5  # type: ignore[assignment]
    assert settings.label == "a"


def test_a_field_is_set_by_its_wire_name_or_its_python_name() -> None:
    assert Settings(**{"wire-name": 3}).wire_name == 3
    assert Settings(wire_name=4).wire_name == 4
    assert Settings.from_dict({"wire-name": 5}) == Settings(wire_name=5)


def test_dumps_use_wire_names_and_leave_out_what_was_never_set() -> None:
    settings = Settings(wire_name=1, label=None)
    assert settings.to_dict() == {"wire-name": 1, "label": None}
    assert json.loads(settings.to_json()) == {"wire-name": 1, "label": None}
    assert settings.to_str() == "{'label': None, 'wire-name': 1}"
    assert Settings().to_dict() == {} and Settings().to_json() == "{}"


def test_from_json_takes_text_or_bytes() -> None:
    assert Settings.from_json('{"wire-name": 2}') == Settings(wire_name=2)
    assert Settings.from_json(b'{"ratio": 0.5}') == Settings(ratio=0.5)
    with pytest.raises(ValidationError):
        Settings.from_json(b'{"wire-name": "two"}')


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_no_nan_or_infinity_in_a_model_or_a_one_of(value: float) -> None:
    # JSON has neither: a request with one could not be sent, an answer with one is broken.
    with pytest.raises(ValidationError):
        Settings(ratio=value)
    with pytest.raises(ValidationError):
        Settings.from_json(b'{"ratio": NaN}')
    with pytest.raises(ValidationError):
        Number(value)


def test_fields_may_start_with_model() -> None:
    # Specs have properties like "model_id"; pydantic's protected "model_" prefix is off.
    with warnings.catch_warnings():
        warnings.simplefilter("error")

        class Job(ApiModel):
            model_id: str

    assert Job(model_id="m").to_dict() == {"model_id": "m"}


def test_extra_fields_of_an_answer_are_kept() -> None:
    settings = Settings.from_json(b'{"label": "x", "newer": [1]}')
    assert settings.model_extra == {"newer": [1]}
    assert settings.to_dict() == {"label": "x", "newer": [1]}


def test_one_of_takes_one_value_positionally_or_by_keyword() -> None:
    assert Number(1.5).actual_instance == 1.5
    assert Number(actual_instance="x").actual_instance == "x"
    with pytest.raises(
        TypeError, match=r"^give the value positionally or as actual_instance, not both$"
    ):
        Number(1.0, actual_instance=2.0)
    with pytest.raises(TypeError, match=r"unexpected keyword arguments: \['other'\]"):
        Number(1.0, other=2)
    with pytest.raises(ValidationError):  # keywords are an object, and Number has none
        Number(value=1.0, other=2)
    with pytest.raises(TypeError, match=r"^Number takes exactly one value$"):
        Number()
    with pytest.raises(TypeError, match=r"^Number takes exactly one value$"):
        Number(1.0, 2.0)  # type: ignore[call-arg]  # two values are the point


def test_a_one_of_inside_a_one_of_is_unwrapped() -> None:
    assert Number(Number("x")).actual_instance == "x"
    assert unwrap_one_of(Number(2.0)) == 2.0
    assert unwrap_one_of("plain") == "plain"
    settings = Settings(label="l")
    assert unwrap_one_of(settings) is settings


def test_a_one_of_with_an_object_variant_reads_an_object() -> None:
    # openapi-generator's from_dict / from_json on the wrapper of "object or integer".
    assert Holder.from_dict({"wire-name": 8}).actual_instance == Settings(wire_name=8)
    assert Holder.from_json('{"label": "j"}').actual_instance == Settings(label="j")
    assert Holder.model_validate({"label": "k"}).actual_instance == Settings(label="k")
    assert Holder({"label": "m"}).actual_instance == Settings(label="m")
    assert Holder(label="n").actual_instance == Settings(label="n")
    with pytest.raises(ValidationError):
        Holder.from_dict({"wire-name": "not a number"})


def test_one_of_dumps_its_value_with_wire_names() -> None:
    holder = Holder(Settings(wire_name=7))
    assert holder.to_dict() == {"wire-name": 7}
    assert json.loads(holder.to_json()) == {"wire-name": 7}
    assert holder.to_str() == "{'wire-name': 7}"
    assert Holder.from_dict({"wire-name": 8}).actual_instance == Settings(wire_name=8)
    assert Holder.from_json(b"9").actual_instance == 9
    assert Holder.from_json('{"label": "j"}').actual_instance == Settings(label="j")
    assert Number.one_of_schemas == ("float", "str")
