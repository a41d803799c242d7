"""A request model with every field set is written without by_alias and exclude_unset when,
for its class, they change nothing (decided once per class: model_base.fields_written_plainly).

What must hold: the bytes sent are exactly what pydantic writes with ``by_alias=True,
exclude_unset=True`` (``model.to_json()``), for every value such a model can hold, and the
shortcut is never taken where it would differ (a field unset, an alias, a default, extras,
nested models, serializers of their own, a streamed call's flag).
"""

from __future__ import annotations

from typing import Any, Literal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    computed_field,
    field_serializer,
    model_serializer,
)

from together.generated import EmbeddingsRequest, EmbeddingsRequestInput
from together.generated._runtime import operation as operation_module
from together.generated._runtime.exceptions import ApiValueError
from together.generated._runtime.model_base import ApiModel, fields_written_plainly
from together.generated._runtime.operation import BodySpec, Operation
from together.generated.models.execute_request_files_inner import ExecuteRequestFilesInner
from together.generated.models.gpu_clusters_shared_volume_create_request import (
    GPUClustersSharedVolumeCreateRequest,
)
from together.generated.models.post_images_generations_request_image_loras_inner import (
    PostImagesGenerationsRequestImageLorasInner,
)


def _operation(model: type[BaseModel], stream_flag: str | None = None) -> Operation[Any]:
    body = BodySpec("application/json", TypeAdapter(model), model=model)
    return Operation("op", "POST", "/x", body=body, stream_flag=stream_flag)


def _as_pydantic_writes(model: BaseModel) -> bytes:
    return model.model_dump_json(by_alias=True, exclude_unset=True).encode()


class Request(ApiModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    count: int
    ratio: float
    flag: bool
    kind: Literal["a", "b", 3]
    tags: list[str]
    extra_info: dict[str, list[int]]
    nothing: None


texts = st.text() | st.sampled_from(["é", "日本", "\U0001f600", "\x00", '"\\', "\u2028"])
numbers = st.integers() | st.integers(min_value=2**63, max_value=2**200).map(lambda n: -n)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=texts,
    count=numbers,
    ratio=st.floats(allow_nan=False, allow_infinity=False) | st.integers(),
    flag=st.booleans(),
    kind=st.sampled_from(["a", "b", 3]),
    tags=st.lists(texts, max_size=3),
    extra_info=st.dictionaries(texts, st.lists(numbers, max_size=2), max_size=2),
)
def test_every_value_is_written_exactly_as_pydantic_writes_it(
    name: str,
    count: int,
    ratio: float,
    flag: bool,
    kind: Any,
    tags: list[str],
    extra_info: dict[str, list[int]],
) -> None:
    try:
        request = Request(
            name=name,
            count=count,
            ratio=ratio,
            flag=flag,
            kind=kind,
            tags=tags,
            extra_info=extra_info,
            nothing=None,
        )
    except ValidationError:
        assume(False)
        raise
    operation = _operation(Request)
    try:
        expected: bytes | None = _as_pydantic_writes(request)
    except Exception:  # a lone surrogate: refused either way (see below)
        expected = None
    for _ in range(2):  # the first body decides, the second takes the shortcut
        if expected is None:
            with pytest.raises(ApiValueError):
                operation.encode_body(request)
        else:
            assert operation.encode_body(request) == expected
    assert operation.body is not None and operation.body.plain_model is Request


@settings(max_examples=200, deadline=None)
@given(
    model=texts,
    value=texts | st.lists(texts, max_size=4),
)
def test_an_embeddings_request_is_written_as_pydantic_writes_it(model: str, value: Any) -> None:
    operation = _operation(EmbeddingsRequest)
    for request in (
        EmbeddingsRequest(model=model, input=value),
        EmbeddingsRequest(model=model, input=EmbeddingsRequestInput(value)),
    ):
        try:
            expected = _as_pydantic_writes(request)
        except Exception:
            with pytest.raises(ApiValueError, match="cannot be written as JSON"):
                operation.encode_body(request)
            with pytest.raises(ApiValueError, match="cannot be written as JSON"):
                operation.encode_body(request)
            continue
        assert operation.encode_body(request) == expected
        assert operation.encode_body(request) == expected


def test_a_lone_surrogate_is_refused_on_the_shortcut_too() -> None:
    operation = _operation(EmbeddingsRequest)
    for _ in range(2):  # the first body decides (pydantic's options), the second is plain
        with pytest.raises(ApiValueError) as caught:
            operation.encode_body(EmbeddingsRequest(model="m", input="\ud800"))
        message = str(caught.value)
        assert message.startswith("the request body of op() cannot be written as JSON: ")
        assert "surrogates not allowed" in message  # pydantic-core's reason, first line
        assert "\ud800" not in message
        assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_a_field_left_unset_is_left_out_as_before() -> None:
    operation = _operation(EmbeddingsRequest)
    assert operation.encode_body(EmbeddingsRequest(model="m", input="a")) == (
        b'{"model":"m","input":"a"}'
    )
    # model_construct may say a field was not set: exclude_unset must still leave it out.
    partial = EmbeddingsRequest.model_construct(_fields_set={"model"}, model="m", input="x")
    assert operation.encode_body(partial) == b'{"model":"m"}'
    odd = EmbeddingsRequest.model_construct(_fields_set={"model", "other"}, model="m", input="x")
    assert operation.encode_body(odd) == b'{"model":"m"}'


def test_a_subclass_is_written_by_pydantic_as_before() -> None:
    class Wider(EmbeddingsRequest):
        model_config = ConfigDict(extra="allow")

    operation = _operation(EmbeddingsRequest)
    operation.encode_body(EmbeddingsRequest(model="m", input="a"))  # decides
    wider = Wider(model="m", input="a", note=1)
    # As before: written as the declared body (pydantic's TypeAdapter of the declared model
    # writes its fields only), by_alias and exclude_unset honoured.
    declared = TypeAdapter(EmbeddingsRequest)
    assert operation.encode_body(wider) == declared.dump_json(
        wider, by_alias=True, exclude_unset=True
    )
    partial = Wider.model_construct(_fields_set={"model"}, model="m", input="x")
    assert operation.encode_body(partial) == b'{"model":"m"}'


def test_the_decision_is_made_once_per_body(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[type[BaseModel]] = []

    def counting(model: type[BaseModel]) -> frozenset[str] | None:
        calls.append(model)
        return fields_written_plainly(model)

    monkeypatch.setattr(operation_module, "fields_written_plainly", counting)
    operation = _operation(EmbeddingsRequest)
    for text in ("a", "b", "c"):
        assert operation.encode_body({"model": "m", "input": text}) == (
            b'{"model":"m","input":"%s"}' % text.encode()
        )
        operation.encode_body(EmbeddingsRequest(model="m", input=text))
    assert calls == [EmbeddingsRequest]
    assert operation.body is not None and operation.body.plainly_decided


def test_a_streamed_calls_flag_is_still_set_and_refused() -> None:
    class Chat(ApiModel):
        model_config = ConfigDict(extra="forbid")
        prompt: str
        stream: bool

    assert fields_written_plainly(Chat) == frozenset({"prompt", "stream"})
    operation = _operation(Chat, stream_flag="stream")
    quiet = Chat(prompt="p", stream=False)
    for _ in range(2):
        assert operation.encode_body(quiet, stream=True) == b'{"prompt":"p","stream":true}'
        with pytest.raises(ApiValueError, match="cannot read a streamed answer"):
            operation.encode_body(Chat(prompt="p", stream=True))


def test_a_multipart_body_is_never_written_as_json() -> None:
    class Upload(ApiModel):
        model_config = ConfigDict(extra="forbid")
        purpose: str

    body = BodySpec("multipart/form-data", TypeAdapter(Upload), model=Upload)
    body.decide_plain_writing()
    assert body.plain_model is None and body.plainly_decided


class Plain(ApiModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    items: list[int | None]


class Aliased(ApiModel):
    model_config = ConfigDict(extra="forbid")
    wire_name: str = Field(alias="wire-name")


class WithDefault(ApiModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    more: str = "x"


class Open(ApiModel):
    text: str


class Inner(ApiModel):
    model_config = ConfigDict(extra="forbid")
    text: str


class Nested(ApiModel):
    model_config = ConfigDict(extra="forbid")
    inner: Inner


class AnyValue(ApiModel):
    model_config = ConfigDict(extra="forbid")
    value: Any


class OwnFieldSerializer(ApiModel):
    model_config = ConfigDict(extra="forbid")
    text: str

    @field_serializer("text")
    def upper(self, value: str) -> str:
        return value.upper()


class OwnModelSerializer(ApiModel):
    model_config = ConfigDict(extra="forbid")
    text: str

    @model_serializer
    def whole(self) -> dict[str, Any]:
        return {"TEXT": self.text}


class Computed(ApiModel):
    model_config = ConfigDict(extra="forbid")
    text: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def twice(self) -> str:
        return self.text * 2


class Excluded(ApiModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    secret: str = Field(exclude=True)


class SerializedUnder(ApiModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(serialization_alias="TEXT")


@pytest.mark.parametrize(
    "model",
    [
        Aliased,
        WithDefault,
        Open,
        Nested,
        AnyValue,
        OwnFieldSerializer,
        OwnModelSerializer,
        Computed,
        Excluded,
        SerializedUnder,
    ],
)
def test_a_model_where_the_options_matter_is_written_by_pydantic(model: type[BaseModel]) -> None:
    assert fields_written_plainly(model) is None


def test_which_models_are_written_plainly() -> None:
    expected: dict[type[BaseModel], set[str]] = {
        Plain: {"text", "items"},
        EmbeddingsRequest: {"model", "input"},
        ExecuteRequestFilesInner: {"content", "encoding", "name"},
        GPUClustersSharedVolumeCreateRequest: {"region", "size_tib", "volume_name"},
        PostImagesGenerationsRequestImageLorasInner: {"path", "scale"},
    }
    for model, names in expected.items():
        assert fields_written_plainly(model) == frozenset(names)


@pytest.mark.parametrize("model", [Aliased, WithDefault, Nested, SerializedUnder, Excluded])
def test_where_the_options_matter_the_body_is_what_pydantic_writes(
    model: type[BaseModel],
) -> None:
    values: dict[type[BaseModel], dict[str, Any]] = {
        Aliased: {"wire-name": "w"},
        WithDefault: {"text": "t"},
        Nested: {"inner": {"text": "t"}},
        SerializedUnder: {"text": "t"},
        Excluded: {"text": "t", "secret": "s"},
    }
    operation = _operation(model)
    instance = model.model_validate(values[model])
    for _ in range(2):
        assert operation.encode_body(instance) == _as_pydantic_writes(instance)
    assert operation.body is not None and operation.body.plain_model is None


def test_a_plain_union_that_unwraps_first_is_written_plainly_too() -> None:
    # A union with a list of lists keeps the before-validator (see
    # test_one_of_unions_try_plain_first.py); its values are still plain JSON.
    from typing import Annotated

    from together.generated._runtime.model_base import ONE_OF_VALUE

    class Nested(ApiModel):
        model_config = ConfigDict(extra="forbid")
        value: Annotated[list[list[str]] | str, ONE_OF_VALUE]

    class NotPlain(ApiModel):
        model_config = ConfigDict(extra="forbid")
        value: Annotated[list[list[Any]] | str, ONE_OF_VALUE]

    assert fields_written_plainly(Nested) == frozenset({"value"})
    assert fields_written_plainly(NotPlain) is None
    operation = _operation(Nested)
    for value in ([["a", "é"]], "b"):
        request = Nested(value=value)
        assert operation.encode_body(request) == _as_pydantic_writes(request)


def test_the_shortcut_is_taken_once_decided_and_only_when_every_field_is_set() -> None:
    # The serializer is wrapped to see the options each body is written with.
    real = TypeAdapter(EmbeddingsRequest)
    options: list[dict[str, Any]] = []

    class Serializer:
        def to_json(self, value: Any, **kwargs: Any) -> bytes:
            options.append(kwargs)
            return real.serializer.to_json(value, **kwargs)

    class Adapter:
        serializer = Serializer()
        validate_python = real.validate_python

    adapter: Any = Adapter()
    body = BodySpec("application/json", adapter, model=EmbeddingsRequest)
    operation: Operation[Any] = Operation("op", "POST", "/x", body=body)
    request = EmbeddingsRequest(model="m", input="a")
    partial = EmbeddingsRequest.model_construct(_fields_set={"model"}, model="m", input="x")
    assert operation.encode_body(request) == b'{"model":"m","input":"a"}'
    assert operation.encode_body(request) == b'{"model":"m","input":"a"}'
    assert operation.encode_body(partial) == b'{"model":"m"}'
    pydantic_options = {"by_alias": True, "exclude_unset": True}
    assert options == [pydantic_options, {}, pydantic_options]
