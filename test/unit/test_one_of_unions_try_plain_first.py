"""Union fields of plain JSON try the plain value first and unwrap a oneOf wrapper last.

A field typed with a ``oneOf`` component (``Annotated[str | list[str], ONE_OF_VALUE]``)
takes the plain value or the component's wrapper. Where every alternative is plain JSON, the
wrapper is unwrapped by a last union choice instead of a before-validator called for every
value (bench/README.md: about 1,500 instructions a small call). What must not change: what
a value validates to, the errors of a bad value, the JSON schema, and that a wrapper is
unwrapped, never read as something else.

The reference below is the field as it was: the same union behind a before-validator that
unwraps a wrapper (written here, not imported from the code under test).
"""

from __future__ import annotations

import sys
import warnings
from typing import Annotated, Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BeforeValidator, TypeAdapter, ValidationError
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaWarningKind

from together.generated import EmbeddingsRequest, EmbeddingsRequestInput
from together.generated._runtime.model_base import ONE_OF_VALUE, ApiModel, OneOfModel


def _unwrap(value: Any) -> Any:
    return value.root if isinstance(value, OneOfModel) else value


#: The unions of plain JSON that the generated models annotate with ONE_OF_VALUE (and two
#: shapes around the edges: a nullable list, and a list of lists).
UNIONS: list[Any] = [
    str | list[str],
    str | int,
    bool | Literal["auto"],
    float | Literal["first", "last"],
    int | Literal["max"],
    list[str] | None | int,
    list[list[str]] | str,
]


class AnyWrapper(OneOfModel[Any]):
    """A wrapper of any value (a generated wrapper of another component, say)."""


def _outcome(adapter: TypeAdapter[Any], value: Any, strict: bool) -> tuple[Any, ...]:
    try:
        result = adapter.validate_python(value, strict=strict)
    except ValidationError as exc:
        return ("error", [(e["type"], e["loc"], e["msg"]) for e in exc.errors()])
    return ("ok", result, type(result))


plain_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=5)
    | st.sampled_from(["auto", "max", "first", "last", "1", "true", "1.5"])
    | st.binary(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=2), inner, max_size=2)
    ),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None)
@given(value=plain_values, union=st.sampled_from(UNIONS), strict=st.booleans())
def test_a_plain_value_validates_and_fails_exactly_as_before(
    value: Any, union: Any, strict: bool
) -> None:
    new = TypeAdapter(Annotated[union, ONE_OF_VALUE])
    before = TypeAdapter(Annotated[union, BeforeValidator(_unwrap)])
    assert _outcome(new, value, strict) == _outcome(before, value, strict)


@settings(max_examples=300, deadline=None)
@given(value=plain_values, union=st.sampled_from(UNIONS))
def test_a_wrapper_is_unwrapped_and_its_value_validated_as_before(value: Any, union: Any) -> None:
    new = TypeAdapter(Annotated[union, ONE_OF_VALUE])
    before = TypeAdapter(Annotated[union, BeforeValidator(_unwrap)])
    wrapped = AnyWrapper(value)
    was = _outcome(before, wrapped, False)
    now = _outcome(new, wrapped, False)
    # A wrapper whose value fits is read as that value, never as anything else; one whose
    # value does not fit is refused (with the plain union's errors and more, see below).
    assert now[0] == was[0]
    if was[0] == "ok":
        assert now == was


@pytest.mark.parametrize(
    ("value", "expected"),
    [(["a", "b"], ["a", "b"]), ("ab", "ab"), ([], []), (("x", "y"), ["x", "y"])],
)
def test_a_wrapper_is_never_read_as_a_list_of_its_items(value: Any, expected: Any) -> None:
    # A pydantic model iterates as (name, value) pairs, and a lax list takes any iterable:
    # the wrapper must reach the unwrapping, not be read as [("root", value)].
    request = EmbeddingsRequest(model="m", input=EmbeddingsRequestInput(value))
    assert request.input == expected
    assert request.to_json() == EmbeddingsRequest(model="m", input=expected).to_json()
    nested = TypeAdapter(Annotated[list[list[str]] | str, ONE_OF_VALUE])
    assert nested.validate_python(AnyWrapper("ab")) == "ab"
    assert nested.validate_python(AnyWrapper([["a"]])) == [["a"]]


def test_a_union_with_a_list_of_lists_keeps_the_before_validator() -> None:
    # A list of lists would take a wrapper's ("root", value) pair as a list of two, so such
    # a union unwraps first, as before.
    nested = TypeAdapter(Annotated[list[list[str]] | str, ONE_OF_VALUE])
    assert nested.core_schema["type"] == "function-before"
    flat = TypeAdapter(Annotated[list[str] | str, ONE_OF_VALUE])
    assert flat.core_schema["type"] == "union"
    nullable = TypeAdapter(Annotated[list[list[str] | None] | str, ONE_OF_VALUE])
    assert nullable.core_schema["type"] == "function-before"
    deep = TypeAdapter(Annotated[list[int | list[int]] | str, ONE_OF_VALUE])
    assert deep.core_schema["type"] == "function-before"
    assert deep.validate_python(AnyWrapper("ab")) == "ab"


def test_a_bad_value_gets_the_plain_unions_errors() -> None:
    with pytest.raises(ValidationError) as caught:
        EmbeddingsRequest(model="m", input=5)
    text = str(caught.value)
    assert text.startswith("2 validation errors for EmbeddingsRequest\ninput.str\n")
    assert "  Input should be a valid string [type=string_type, input_value=5" in text
    assert "\ninput.list[str]\n  Input should be a valid list [type=list_type" in text
    assert "OneOfModel" not in text
    with pytest.raises(ValidationError) as caught:
        EmbeddingsRequest(model="m", input=["a", 3])
    assert [(e["loc"], e["type"]) for e in caught.value.errors()] == [
        (("input", "str"), "string_type"),
        (("input", "list[str]", 1), "string_type"),
    ]


def test_a_wrapper_of_a_bad_value_is_refused_and_says_where() -> None:
    with pytest.raises(ValidationError) as caught:
        EmbeddingsRequest(model="m", input=AnyWrapper(5))
    locations = [e["loc"] for e in caught.value.errors()]
    assert ("input", "OneOfModel", "str") in locations
    assert ("input", "OneOfModel", "list[str]") in locations


def test_a_wrapper_may_be_assigned_and_read_from_a_dict() -> None:
    request = EmbeddingsRequest(model="m", input="a")
    request.input = EmbeddingsRequestInput(["b"])  # type: ignore[assignment]
    assert request.input == ["b"]
    with pytest.raises(ValidationError):
        request.input = AnyWrapper(5)  # type: ignore[assignment]
    assert request.input == ["b"]
    assert (
        EmbeddingsRequest.model_validate({"model": "m", "input": EmbeddingsRequestInput("c")}).input
        == "c"
    )


def test_the_json_schema_is_the_plain_unions() -> None:
    expected = {
        "anyOf": [{"type": "string"}, {"items": {"type": "string"}, "type": "array"}],
        "title": "Input",
    }
    for mode in ("validation", "serialization"):
        schema = EmbeddingsRequest.model_json_schema(mode=mode)
        assert schema["properties"]["input"] == expected
        assert schema["required"] == ["model", "input"]


def test_the_unwrapping_choice_is_left_out_of_the_json_schema_not_skipped() -> None:
    # The choice says so itself (PydanticOmit): a schema generator that reports skipped
    # choices, which pydantic's default one does not, reports none here.
    class Reporting(GenerateJsonSchema):
        ignored_warning_kinds: set[JsonSchemaWarningKind] = set()  # noqa: RUF012

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        schema = EmbeddingsRequest.model_json_schema(schema_generator=Reporting)
    assert schema["properties"]["input"]["anyOf"] == [
        {"type": "string"},
        {"items": {"type": "string"}, "type": "array"},
    ]


def test_answers_read_strictly_as_before() -> None:
    class Step(ApiModel):
        step: Annotated[str | int, ONE_OF_VALUE]

    assert Step.model_validate_json(b'{"step": 3}', strict=True).step == 3
    assert Step.model_validate_json(b'{"step": "3"}', strict=True).step == "3"
    with pytest.raises(ValidationError) as caught:
        Step.model_validate_json(b'{"step": 3.5}', strict=True)
    assert [e["loc"] for e in caught.value.errors()] == [("step", "str"), ("step", "int")]


def test_a_plain_value_calls_no_python_while_it_is_validated() -> None:
    # The point of the change: pydantic-core takes a plain value without calling into
    # Python (a before-validator called unwrap_one_of, and isinstance ABCMeta's check).
    calls: list[str] = []

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            calls.append(frame.f_code.co_name)

    for value in ("text", ["a", "b"]):
        calls.clear()
        sys.setprofile(profile)
        try:
            EmbeddingsRequest(model="m", input=value)
        finally:
            sys.setprofile(None)
        assert calls == ["__init__"]  # pydantic's BaseModel.__init__, nothing under it


def test_a_union_built_now_leaves_the_unwrapping_out_of_its_json_schema() -> None:
    # The same as above for a model built inside the test (its schema is made here).
    class Reporting(GenerateJsonSchema):
        ignored_warning_kinds: set[JsonSchemaWarningKind] = set()  # noqa: RUF012

    class Holder(ApiModel):
        value: Annotated[str | list[str], ONE_OF_VALUE]

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        schema = Holder.model_json_schema(schema_generator=Reporting)
    assert schema["properties"]["value"]["anyOf"] == [
        {"type": "string"},
        {"items": {"type": "string"}, "type": "array"},
    ]
    assert Holder(value=AnyWrapper(["a"])).value == ["a"]


def test_a_labelled_choice_is_looked_into() -> None:
    from pydantic_core import core_schema as cs

    from together.generated._runtime.model_base import _no_choice_takes_a_wrapper

    nested = cs.list_schema(cs.list_schema(cs.str_schema()))
    assert not _no_choice_takes_a_wrapper(cs.union_schema([(nested, "l"), cs.str_schema()]))
    assert _no_choice_takes_a_wrapper(
        cs.union_schema([(cs.list_schema(cs.str_schema()), "l"), cs.str_schema()])
    )
