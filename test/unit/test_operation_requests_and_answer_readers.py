"""What an :class:`Operation` makes of a call's arguments, and which declared answer reads a
status.

Parameters follow OpenAPI 3's defaults: path parameters are ``simple`` (percent-encoded,
``/`` included), query parameters ``form`` (``explode: true`` repeats the name for each item,
``explode: false`` joins the items with commas), header parameters ``simple`` (items joined
with commas), cookie parameters ``form`` (``name=value`` pairs, joined with ``"; "``).
Booleans are written ``true`` / ``false``, dates and times as ISO 8601, enums as their value.
A response key is an exact status, a range (``4XX``) or ``default`` (OpenAPI 3, Responses
Object: the exact code wins over the range).
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_serializer

from support import json_of
from together.generated import ApiTypeError, ApiValueError
from together.generated._runtime.multipart import FileInput, MultipartBody
from together.generated._runtime.operation import (
    BodySpec,
    Operation,
    Param,
    ResponseSpec,
)

A, B, C, D = (ResponseSpec("text", type_name=name) for name in "ABCD")


class Color(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


def operation(*params: Param, **facts: Any) -> Operation[Any]:
    return Operation("listThings", "GET", "/things/{id}", params=params, **facts)


def param(name: str, location: Any, type_: Any = Any, explode: bool = True) -> Param:
    return Param(name, location, TypeAdapter(type_), explode)


# ------------------------------------------------------------------ which answer reads a status


def test_an_error_status_is_read_by_its_exact_key_then_its_range_then_default() -> None:
    op = operation(responses={"404": A, "4XX": B, "default": C})
    assert op.response_spec(404) is A
    assert op.response_spec(429) is B
    assert op.response_spec(503) is C
    assert operation(responses={"404": A}).response_spec(500) is None


def test_a_success_status_is_read_by_its_exact_key_then_its_range() -> None:
    op = operation(responses={"200": A, "2XX": B, "default": C})
    assert op.success_spec(200) is A
    assert op.success_spec(201) is B


def test_a_success_status_the_spec_does_not_name_is_read_by_the_one_success_declared() -> None:
    op = operation(responses={"200": A, "400": B, "default": C})
    assert op.success_spec(201) is A


def test_a_success_among_several_declared_but_not_this_one_is_read_by_default() -> None:
    op = operation(responses={"200": A, "201": B, "default": C})
    assert op.success_spec(202) is C
    assert operation(responses={"200": A, "201": B}).success_spec(202) is None


def test_an_operation_answering_only_a_redirect_reads_what_it_leads_to_as_bytes() -> None:
    redirecting = operation(responses={"307": A, "404": B})
    assert redirecting.redirects_to_the_result
    target = redirecting.success_spec(200)
    assert target is not None and target.kind == "bytes"
    # A default, or a success declared, says how to read the result instead.
    assert operation(responses={"307": A, "default": C}).success_spec(200) is C
    with_success = operation(responses={"307": A, "200": B})
    assert not with_success.redirects_to_the_result
    assert with_success.success_spec(200) is B
    assert not operation(responses={"404": B}).redirects_to_the_result
    assert operation(responses={"404": B}).success_spec(200) is None


def test_a_stream_status_is_read_by_its_key_its_range_or_the_one_declared() -> None:
    several = operation(stream_responses={"200": A, "2XX": B})
    assert several.stream_spec(200) is A
    assert several.stream_spec(206) is B
    one = operation(stream_responses={"200": A})
    assert one.stream_spec(200) is A
    assert one.stream_spec(206) is A
    assert operation(stream_responses={"200": A, "201": B}).stream_spec(206) is None
    assert operation().stream_spec(200) is None


# ------------------------------------------------------------------ how answers are decoded


class Count(BaseModel):
    n: int


def test_json_answers_are_decoded_strictly_for_models_and_other_types() -> None:
    model = ResponseSpec.json(Count)
    assert model.decode is not None and model.decode(b'{"n": 2}') == Count(n=2)
    with pytest.raises(ValidationError):
        model.decode(b'{"n": "2"}')  # a number written as a string
    listed = ResponseSpec.json(list[int])
    assert listed.decode is not None and listed.decode(b"[1, 2]") == [1, 2]
    with pytest.raises(ValidationError):
        listed.decode(b'["1"]')
    events = ResponseSpec.event_stream(dict[str, int])
    assert events.kind == "event-stream" and events.decode is not None
    with pytest.raises(ValidationError):
        events.decode(b'{"a": "1"}')
    whole = ResponseSpec.json(int)
    assert whole.decode is not None and whole.decode(b"7") == 7


def test_a_json_answer_is_named_by_its_type_in_error_messages() -> None:
    assert (ResponseSpec.json(Count).kind, ResponseSpec.json(Count).type_name) == ("json", "Count")
    assert ResponseSpec.json(int | None).type_name == "int | None"
    assert ResponseSpec.event_stream(Count).type_name == "Count"
    assert ResponseSpec.event_stream(int | None).type_name == "int | None"


# ------------------------------------------------------------------ parameters


def test_a_path_parameter_is_percent_encoded_slashes_included() -> None:
    op = operation(param("id", "path", str))
    assert op.build_path({"id": "a/b c?d"}) == "/things/a%2Fb%20c%3Fd"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (True, "true"),
        (False, "false"),
        (Color.RED, "red"),
        (Level.HIGH, "3"),
        (date(2026, 11, 26), "2026-11-26"),
        (datetime(2026, 11, 26, 4, 5, 6, tzinfo=UTC), "2026-11-26T04:05:06+00:00"),
        (12, "12"),
        (0.5, "0.5"),
        ("plain", "plain"),
    ],
    ids=["true", "false", "enum", "int-enum", "date", "datetime", "int", "float", "str"],
)
def test_each_kind_of_value_is_written_as_openapi_text(value: Any, text: str) -> None:
    op = operation(
        param("id", "path"), param("q", "query"), param("X-Q", "header"), param("c", "cookie")
    )
    values = {"id": value, "q": value, "X-Q": value, "c": value}
    assert op.build_path(values) == f"/things/{text.replace(':', '%3A').replace('+', '%2B')}"
    assert op.build_query(values) == [("q", text)]
    assert op.build_headers(values) == {"X-Q": text, "Cookie": f"c={text}"}


def test_query_lists_repeat_the_name_when_exploded_and_join_with_commas_when_not() -> None:
    op = operation(
        param("tag", "query", list[str]),
        param("ids", "query", list[int], explode=False),
        param("flags", "query", tuple[bool, ...], explode=False),
        param("missing", "query", str),
    )
    query = op.build_query({"tag": ["a", "b"], "ids": [1, 2, 3], "flags": (True, False)})
    assert query == [("tag", "a"), ("tag", "b"), ("ids", "1,2,3"), ("flags", "true,false")]


def test_header_and_cookie_parameters_join_lists_with_commas_and_cookies_with_semicolons() -> None:
    op = operation(
        param("X-Tags", "header", list[str]),
        param("a", "cookie", str),
        param("b", "cookie", list[int]),
        param("X-None", "header", str),
    )
    headers = op.build_headers({"X-Tags": ["x", "y"], "a": "1", "b": [2, 3], "X-None": None})
    assert headers == {"X-Tags": "x,y", "Cookie": "a=1; b=2,3"}
    assert operation(param("X-Only", "header", str)).build_headers({"X-Only": "v"}) == {
        "X-Only": "v"
    }


def test_a_missing_path_parameter_is_named_in_the_error() -> None:
    with pytest.raises(ApiValueError) as caught:
        operation(param("id", "path", str)).build_path({})
    assert str(caught.value) == "listThings() requires the parameter 'id'"


def test_a_parameter_of_the_wrong_type_is_named_in_the_error() -> None:
    with pytest.raises(ApiValueError) as caught:
        operation(param("limit", "query", int)).build_query({"limit": "ten"})
    assert str(caught.value).startswith("invalid parameter 'limit' for listThings(): ")
    assert "int_parsing" in str(caught.value) or "valid integer" in str(caught.value)
    assert isinstance(caught.value.__cause__, ValidationError)


# ------------------------------------------------------------------ the body


class Note(BaseModel):
    text: str
    stream: bool | None = None


def with_body(**facts: Any) -> Operation[Any]:
    body = BodySpec("application/json", TypeAdapter(Note), model=Note)
    return Operation("addNote", "POST", "/notes", body=body, **facts)


def test_a_body_is_sent_as_json_without_unset_fields() -> None:
    assert json_of(with_body().encode_body(Note(text="hi"))) == {"text": "hi"}
    assert json_of(with_body().encode_body({"text": "hi"})) == {"text": "hi"}


def test_a_body_of_the_wrong_kind_is_refused_with_the_model_named() -> None:
    with pytest.raises(ApiTypeError) as caught:
        with_body().encode_body(["text"])
    assert str(caught.value) == "addNote() takes a Note or a dict for its body, not list"
    with pytest.raises(ApiValueError, match=r"^invalid request body for addNote\(\): "):
        with_body().encode_body({"text": 1})
    with pytest.raises(ApiValueError, match=r"^addNote\(\) requires a request body$"):
        with_body().encode_body(None)
    with pytest.raises(ApiTypeError, match=r"^listThings\(\) takes no request body$"):
        operation().encode_body({"text": "x"})
    assert operation().encode_body(None) is None
    optional = BodySpec("application/json", TypeAdapter(Note), model=Note, required=False)
    assert Operation("addNote", "POST", "/notes", body=optional).encode_body(None) is None


def test_the_stream_flag_is_set_for_a_stream_call_and_refused_for_a_plain_one() -> None:
    op = with_body(stream_flag="stream")
    sent = json_of(op.encode_body(Note(text="hi"), stream=True))
    assert sent == {"text": "hi", "stream": True}
    assert json_of(op.encode_body({"text": "hi", "stream": False})) == {
        "text": "hi",
        "stream": False,
    }
    with pytest.raises(ApiValueError) as caught:
        op.encode_body({"text": "hi", "stream": True})
    assert str(caught.value) == (
        "addNote() cannot read a streamed answer: the body sets 'stream' to true; "
        "call addNote_stream() instead"
    )


def test_a_body_that_is_not_an_object_is_sent_as_json_even_with_a_stream_flag() -> None:
    body = BodySpec("application/json", TypeAdapter(list[int]))
    op: Operation[Any] = Operation(
        "addNumbers", "POST", "/numbers", body=body, stream_flag="stream"
    )
    assert op.encode_body([1, 2]) == b"[1,2]"


class Loud(BaseModel):
    text: str

    @field_serializer("text")
    def shout(self, value: str) -> str:
        raise ValueError(f"cannot write this\nquoting the user's text: {value}")


def test_a_body_that_cannot_be_written_as_json_is_refused_on_one_line() -> None:
    body = BodySpec("application/json", TypeAdapter(Loud), model=Loud)
    for flag in (None, "stream"):
        op: Operation[Any] = Operation("addLoud", "POST", "/loud", body=body, stream_flag=flag)
        with pytest.raises(ApiValueError) as caught:
            op.encode_body(Loud(text="private words"))
        message = str(caught.value)
        assert message.startswith("the request body of addLoud() cannot be written as JSON: ")
        assert "cannot write this" in message
        assert "\n" not in message and "private words" not in message
        assert caught.value.__cause__ is None and caught.value.__suppress_context__


class Upload(BaseModel):
    purpose: str
    file: FileInput


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",
        "multipart/form-data; charset=utf-8",
        " Multipart/Form-Data ; x=y",
        "multipart/form-data; charset=utf-8; x=y",
    ],
)
def test_a_multipart_body_becomes_a_streamed_form(content_type: str) -> None:
    body = BodySpec(content_type, TypeAdapter(Upload), model=Upload, file_fields=("file",))
    op: Operation[Any] = Operation("upload", "POST", "/files", body=body)
    encoded = op.encode_body(Upload(purpose="p", file=b"data"))
    assert isinstance(encoded, MultipartBody)
    assert encoded.content_length is not None


def test_a_file_path_that_does_not_exist_is_refused_naming_the_operation(tmp_path: Any) -> None:
    body = BodySpec("multipart/form-data", TypeAdapter(Upload), model=Upload, file_fields=("file",))
    op: Operation[Any] = Operation("upload", "POST", "/files", body=body)
    missing = str(tmp_path / "missing.jsonl")
    with pytest.raises(ApiValueError) as caught:
        op.encode_body(Upload(purpose="p", file=missing))
    assert str(caught.value) == f"upload(): 'file': no such file: {missing!r}"


def test_a_header_parameter_of_the_wrong_type_is_named_with_the_operation() -> None:
    with pytest.raises(ApiValueError) as caught:
        operation(param("X-Limit", "header", int)).build_headers({"X-Limit": "ten"})
    assert str(caught.value).startswith("invalid parameter 'X-Limit' for listThings(): ")


# ------------------------------------------------------------------ the body's wire names


class Message(BaseModel):
    """Properties whose spec names are not Python names, as generated models have them."""

    model_config = ConfigDict(populate_by_name=True)

    sender: str = Field(alias="from")
    max_tokens: int | None = Field(default=None, alias="maxTokens")
    stream: bool | None = None
    sent_at: datetime | None = None

    @field_serializer("sender", when_used="json")
    def _as_written(self, value: str) -> str:
        return value.upper()  # a serializer that applies to JSON only


def message_operation(stream_flag: str | None) -> Operation[Any]:
    body = BodySpec("application/json", TypeAdapter(Message), model=Message)
    return Operation("send", "POST", "/messages", body=body, stream_flag=stream_flag)


@pytest.mark.parametrize("stream_flag", [None, "stream"])
def test_a_body_is_sent_by_its_spec_names_with_only_the_fields_set(
    stream_flag: str | None,
) -> None:
    op = message_operation(stream_flag)
    when = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    sent = json_of(op.encode_body(Message(sender="ann", maxTokens=5, sent_at=when)))
    assert sent == {"from": "ANN", "maxTokens": 5, "sent_at": "2026-11-26T07:00:00Z"}
    assert json_of(op.encode_body({"from": "bob"})) == {"from": "BOB"}


def test_a_stream_call_sends_the_body_as_a_plain_call_does_and_the_flag() -> None:
    plain = message_operation(None).encode_body(Message(sender="ann", maxTokens=5))
    streamed = message_operation("stream").encode_body(
        Message(sender="ann", maxTokens=5), stream=True
    )
    assert json_of(streamed) == {**json_of(plain), "stream": True}
    assert json_of(streamed) == {"from": "ANN", "maxTokens": 5, "stream": True}


def test_a_list_body_with_a_stream_flag_is_sent_by_spec_names_with_only_the_fields_set() -> None:
    body = BodySpec("application/json", TypeAdapter(list[Message]))
    op: Operation[Any] = Operation("sendMany", "POST", "/messages", body=body, stream_flag="stream")
    sent = op.encode_body([Message(sender="ann"), {"from": "bob", "maxTokens": 2}])
    assert json_of(sent) == [{"from": "ANN"}, {"from": "BOB", "maxTokens": 2}]
