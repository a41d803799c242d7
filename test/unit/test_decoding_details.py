"""How an answer becomes a result or a typed error, case by case (docs/reliability.md
"Strict answers", docs/runtime.md "Per-call decoding", "Request ids", "Errors")."""

from __future__ import annotations

import functools
import pickle
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel

from together.generated import (
    ApiException,
    ApiKeyError,
    BadGatewayException,
    ErrorData,
    MalformedResponseError,
    RateLimitException,
    ServiceException,
)
from together.generated._runtime.exceptions import (
    MalformedResponseException,
    exception_class_for_status,
    request_id_from,
)
from together.generated._runtime.operation import Operation, ResponseSpec
from together.generated._runtime.response_decoding import (
    decode_success,
    error_for_status,
    is_json_content_type,
    result_spec,
)


class Point(BaseModel):
    x: int
    y: int


class Parser:
    """A parser object without a ``__name__``."""

    def __call__(self, body: bytes) -> Any:
        raise ValueError("no")


class Many(BaseModel):
    a: int
    b: int
    c: int
    d: int
    e: int


POINT = ResponseSpec.json(Point)
JSON = "application/json"


def operation(**responses: ResponseSpec) -> Operation[Any]:
    return Operation(operation_id="getPoint", method="GET", path="/p", responses=responses)


def success(
    op: Operation[Any],
    body: bytes,
    *,
    status: int = 200,
    content_type: str | None = JSON,
    result: ResponseSpec | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    return decode_success(op, status, headers or {}, body, content_type, result)


def malformed(op: Operation[Any], body: bytes, **kwargs: Any) -> MalformedResponseException:
    with pytest.raises(MalformedResponseException) as caught:
        success(op, body, **kwargs)
    return caught.value


# ------------------------------------------------------------------ media types


@pytest.mark.parametrize(
    ("content_type", "json"),
    [
        ("application/json", True),
        ("Application/JSON", True),
        (" application/json ; charset=utf-8", True),
        ("application/problem+json", True),
        ("application/vnd.api+json; charset=utf-8", True),
        ("application/json; charset=utf-8; profile=embeddings", True),
        ("application/json-seq", False),
        ("application/jsonx", False),
        ("text/json", False),
        ("text/x+json", False),
        ("application/json+xml", False),
        ("text/plain; format=application/json", False),
        ("", False),
        (None, False),
    ],
)
def test_which_media_types_are_json(content_type: str | None, json: bool) -> None:
    assert is_json_content_type(content_type) is json


# ------------------------------------------------------------------ successes


def test_a_json_success_is_decoded_strictly() -> None:
    op = operation(**{"200": POINT})
    assert success(op, b'{"x": 1, "y": 2}') == Point(x=1, y=2)
    problem = malformed(op, b'{"x": "1", "y": 2}')
    assert (
        str(problem)
        == "getPoint: HTTP 200 answer is not a valid Point: x: Input should be a valid integer"
    )


def test_a_validation_error_summary_names_three_errors_and_counts_the_rest() -> None:
    op = operation(**{"200": ResponseSpec.json(Many)})
    problem = malformed(op, b"{}")
    assert str(problem) == (
        "getPoint: HTTP 200 answer is not a valid Many: a: Field required; b: Field required; "
        "c: Field required; and 2 more"
    )


def test_one_error_beyond_three_is_counted_too() -> None:
    op = operation(**{"200": ResponseSpec.json(Many)})
    assert str(malformed(op, b'{"e": 1}')).endswith("c: Field required; and 1 more")
    assert str(malformed(op, b'{"d": 1, "e": 1}')).endswith("b: Field required; c: Field required")


def test_a_validation_error_of_the_whole_body_is_located_at_body() -> None:
    op = operation(**{"200": ResponseSpec.json(list[int])})
    assert "answer is not a valid list: body: Input should be a valid array" in str(
        malformed(op, b'{"a": 1}')
    )


def test_unparsable_json_is_named_as_such() -> None:
    problem = malformed(operation(**{"200": POINT}), b'{"x": 1,')
    assert str(problem).startswith("getPoint: HTTP 200 answer is not valid JSON (")


def test_an_empty_json_answer_and_a_wrong_content_type_are_malformed() -> None:
    op = operation(**{"200": POINT})
    assert str(malformed(op, b"")) == "getPoint: HTTP 200 answer has an empty body"
    assert str(malformed(op, b'{"x": 1, "y": 2}', content_type="text/html")) == (
        "getPoint: HTTP 200 answer has content type 'text/html', expected JSON"
    )
    assert "content type None" in str(malformed(op, b'{"x": 1, "y": 2}', content_type=None))


def test_a_malformed_answer_keeps_status_headers_bytes_and_request_id() -> None:
    op = operation(**{"200": POINT, "201": POINT})
    headers = {"x-request-id": "r-5", "Content-Type": "text/html"}
    problem = malformed(op, b"<html>", status=201, content_type="text/html", headers=headers)
    assert (problem.status, problem.headers, problem.body) == (201, headers, b"<html>")
    assert problem.content_type == "text/html" and problem.request_id == "r-5"
    assert str(problem) == (
        "getPoint: HTTP 201 answer has content type 'text/html', expected JSON [request id r-5]"
    )
    assert isinstance(problem, ApiException) and MalformedResponseError is type(problem)
    copy = pickle.loads(pickle.dumps(problem))
    assert (str(copy), copy.body, copy.status, copy.content_type) == (
        str(problem),
        b"<html>",
        201,
        "text/html",
    )


def test_a_success_status_the_spec_does_not_declare_is_malformed() -> None:
    op = operation(**{"200": POINT, "201": POINT})
    assert str(malformed(op, b'{"x": 1, "y": 2}', status=202)) == (
        "getPoint: HTTP 202 answer is not one the spec declares"
    )


def test_an_operation_that_declares_nothing_promises_nothing() -> None:
    assert success(operation(), b"anything at all", content_type="text/plain") is None


def test_empty_bytes_and_text_answers() -> None:
    assert success(operation(**{"204": ResponseSpec("empty")}), b"", status=204) is None
    raw = b"\x00\xff binary"
    assert success(operation(**{"200": ResponseSpec("bytes")}), raw, content_type=None) == raw
    text = operation(**{"200": ResponseSpec("text")})
    assert success(text, "naïve".encode(), content_type="text/plain") == "naïve"
    problem = malformed(text, b"ab\xe9cd", content_type="text/plain")
    assert str(problem) == "getPoint: HTTP 200 answer is not valid UTF-8 text (byte 2)"
    assert problem.__cause__ is None and problem.__suppress_context__


def test_a_caller_may_ask_for_the_raw_bytes_whatever_the_spec_says() -> None:
    op = operation(**{"200": POINT})
    assert success(op, b"not json", content_type="text/html", result=result_spec(bytes)) == (
        b"not json"
    )


def test_a_callers_parser_reads_text_and_binary_answers() -> None:
    upper = result_spec(lambda body: body.decode().upper())
    assert success(operation(**{"200": ResponseSpec("text")}), b"ok", result=upper) == "OK"
    assert success(operation(**{"200": ResponseSpec("bytes")}), b"ok", result=upper) == "OK"
    failing = result_spec(int)
    problem = malformed(operation(**{"200": ResponseSpec("bytes")}), b"x", result=failing)
    assert str(problem).startswith("getPoint: HTTP 200 answer could not be read as int: ")
    text = operation(**{"200": ResponseSpec("text")})
    assert "could not be read as int" in str(malformed(text, b"x", result=failing))


def test_a_callers_parser_that_raises_an_api_exception_is_not_rewrapped() -> None:
    own = RateLimitException(status=429)

    def judge(body: bytes) -> Any:
        raise own

    spec = result_spec(judge)
    for kind in ("json", "bytes"):
        responses = {"200": POINT if kind == "json" else ResponseSpec("bytes")}
        with pytest.raises(RateLimitException) as caught:
            success(operation(**responses), b"{}", result=spec)
        assert caught.value is own


def test_a_parser_is_named_by_its_function_or_its_class() -> None:
    nested = functools.partial(functools.partial(int, base=10))
    op = operation(**{"200": POINT})
    assert "could not be read as int: " in str(malformed(op, b"{}", result=result_spec(nested)))
    assert "could not be read as Parser: no" in str(
        malformed(op, b"{}", result=result_spec(Parser()))
    )


def test_a_model_class_as_decoder_is_validated_strictly() -> None:
    op = operation(**{"200": ResponseSpec.json(dict[str, int])})
    as_point = result_spec(Point)
    assert success(op, b'{"x": 3, "y": 4}', result=as_point) == Point(x=3, y=4)
    assert "not a valid Point" in str(malformed(op, b'{"x": 3.5, "y": 4}', result=as_point))


# ------------------------------------------------------------------ errors


def test_an_error_status_with_the_spec_error_document() -> None:
    op = operation(**{"200": POINT, "429": ResponseSpec.json(ErrorData)})
    body = b'{"error": {"message": "slow down", "type": "rate_limit"}}'
    headers = {"retry-after-ms": "1500", "x-request-id": "r-8"}
    error = error_for_status(op, 429, "Too Many Requests", headers, body, JSON)
    assert type(error) is RateLimitException
    assert isinstance(error.data, ErrorData) and error.data.error.message == "slow down"
    assert error.body == body.decode() and error.retry_after == 1.5
    assert str(error) == "(429) Too Many Requests: slow down [request id r-8]"


def test_an_error_body_the_spec_error_model_cannot_read_keeps_its_text() -> None:
    op = operation(**{"default": ResponseSpec.json(ErrorData)})
    for body in (b'{"detail": "x"}', b"not json", b"\xff\xfe"):
        error = error_for_status(op, 502, None, {}, body, JSON)
        assert type(error) is BadGatewayException and error.data is None
        assert error.body == body.decode("utf-8", errors="replace")


def test_an_error_status_with_a_text_or_empty_spec_answer_has_no_data() -> None:
    op = operation(**{"500": ResponseSpec("text")})
    error = error_for_status(op, 500, "Internal Server Error", {}, b"oops", "text/plain")
    assert type(error) is ServiceException and error.data is None and error.body == "oops"
    assert str(error) == "(500) Internal Server Error: oops"
    empty = error_for_status(
        operation(**{"503": ResponseSpec.json(ErrorData)}), 503, "", {}, b"", JSON
    )
    assert empty.body is None and empty.data is None and str(empty) == "(503)"


@pytest.mark.parametrize(
    ("status", "cls"),
    [(499, ApiException), (500, ServiceException), (599, ServiceException), (600, ApiException)],
)
def test_status_ranges_without_a_class_of_their_own(status: int, cls: type[ApiException]) -> None:
    assert exception_class_for_status(status) is cls


# ------------------------------------------------------------------ ApiException itself


def test_request_id_headers_in_order_and_empty_values_skipped() -> None:
    assert request_id_from({"x-request-id": "a", "request-id": "b"}) == "a"
    assert request_id_from({"request-id": "b"}) == "b"
    assert request_id_from({"x-request-id": "", "request-id": "b"}) == "b"
    assert request_id_from({}) is None and request_id_from(None) is None


def test_an_explicit_request_id_wins_over_the_headers() -> None:
    error = ApiException(status=500, headers={"x-request-id": "from-headers"}, request_id="given")
    assert error.request_id == "given" and str(error) == "(500) [request id given]"


def test_str_prefers_the_error_message_then_a_one_line_excerpt() -> None:
    class Detail:
        message = ""

    class Data:
        error = Detail()

    no_message = ApiException(status=400, reason="Bad Request", body="first\n  second", data=Data())
    assert str(no_message) == "(400) Bad Request: first second"
    assert str(ApiException(status=400, body="   \n ")) == "(400)"
    assert str(ApiException(status=400, body=b"raw \xffbytes")) == "(400): raw \ufffdbytes"


def test_the_excerpt_is_cut_at_200_characters() -> None:
    exact = ApiException(status=502, body="y" * 200)
    assert str(exact) == "(502): " + "y" * 200
    longer = ApiException(status=502, body="y" * 201)
    assert str(longer) == "(502): " + "y" * 197 + "..."
    long_bytes = ApiException(status=502, body=b"z" * 5000)
    assert str(long_bytes) == "(502): " + "z" * 197 + "..."


def test_http_resp_without_getheaders_uses_its_headers_attribute() -> None:
    class Modern:
        status = 429
        reason = "Too Many Requests"
        headers: ClassVar[dict[str, str]] = {"request-id": "m-1"}
        data = b""

    error = RateLimitException(http_resp=Modern())
    assert (error.status, error.reason, error.headers, error.body) == (
        429,
        "Too Many Requests",
        {"request-id": "m-1"},
        None,
    )
    assert str(error) == "(429) Too Many Requests [request id m-1]"


def test_http_resp_fills_only_what_it_has() -> None:
    class Bare:
        data = "text, not bytes"

    error = ApiException(
        status=418, reason="Teapot", http_resp=Bare(), body="given", headers={"a": "b"}
    )
    assert (error.status, error.reason, error.body, error.headers) == (
        418,
        "Teapot",
        "given",
        {"a": "b"},
    )


def test_http_resp_bytes_do_not_replace_a_given_body() -> None:
    class Legacy:
        status = 500
        reason = "Internal Server Error"
        data = b"from the response"

    assert ApiException(http_resp=Legacy(), body="given").body == "given"
    assert ApiException(http_resp=Legacy()).body == "from the response"


def test_api_key_error_reads_as_a_sentence() -> None:
    assert str(ApiKeyError("no API key for the scheme 'k'")) == "no API key for the scheme 'k'"
    assert str(ApiKeyError()) == ""


def test_http_resp_without_data_or_with_bytes_that_are_not_utf8() -> None:
    class StatusOnly:
        status = 500

    assert ApiException(http_resp=StatusOnly()).body is None
    assert str(ApiException(http_resp=StatusOnly())) == "(500)"

    class Latin1:
        status = 400
        data = b"caf\xe9"

    assert ApiException(http_resp=Latin1()).body == "caf\ufffd"


def test_an_error_message_that_is_not_text_is_not_shown() -> None:
    class Detail:
        message = 42

    class Data:
        error = Detail()

    error = ApiException(status=400, reason="Bad Request", body="the body", data=Data())
    assert str(error) == "(400) Bad Request: the body"


def test_the_message_is_the_exceptions_argument_too() -> None:
    """Loggers and tracebacks print `args` and `repr`, not only `str`."""
    error = ServiceException(status=500, reason="Internal Server Error", request_id="r-1")
    assert error.args == ("(500) Internal Server Error [request id r-1]",)
    assert repr(error) == "ServiceException('(500) Internal Server Error [request id r-1]')"
