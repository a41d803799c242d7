"""Every way a 2xx answer can break the spec gives a ``MalformedResponseException`` that keeps
the whole answer: its status, headers (so its request id), raw bytes and content type, and a
message naming the operation, the status and the problem (docs/reliability.md "Strict
answers"; docs/runtime.md "Per-call decoding"). One case per branch of ``decode_success``."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from together.generated._runtime.exceptions import MalformedResponseException
from together.generated._runtime.operation import Operation, ResponseSpec
from together.generated._runtime.response_decoding import decode_success, result_spec


class Point(BaseModel):
    x: int
    y: int


def declared(kind: str) -> Operation[Any]:
    spec = ResponseSpec.json(Point) if kind == "json" else ResponseSpec(kind)  # type: ignore[arg-type]
    # Two success answers: a third status is then one the spec does not declare.
    responses = {"200": spec, "201": spec}
    return Operation(operation_id="getPoint", method="GET", path="/p", responses=responses)


def to_int(body: bytes) -> int:
    return int(body)


# (case, the operation's declared answer, status, body, content type, the call's result
# spec, the problem as the message words it: its start, where pydantic words the rest)
CASES: list[tuple[str, str, int, bytes, str | None, Any, str]] = [
    ("undeclared status", "json", 202, b'{"x": 1, "y": 2}', "application/json", None,
     "is not one the spec declares"),
    ("text that is not UTF-8", "text", 201, b"ab\xe9", "text/plain", None,
     "is not valid UTF-8 text (byte 2)"),
    ("empty JSON body", "json", 201, b"", "application/json", None, "has an empty body"),
    ("not a JSON content type", "json", 201, b'{"x": 1, "y": 2}', "text/html", None,
     "has content type 'text/html', expected JSON"),
    ("no content type", "json", 201, b'{"x": 1, "y": 2}', None, None,
     "has content type None, expected JSON"),
    ("unparsable JSON", "json", 201, b'{"x": 1,', "application/json", None,
     "is not valid JSON (body: Invalid JSON: EOF while parsing "),
    ("JSON of the wrong shape", "json", 201, b'{"x": 1}', "application/json", None,
     "is not a valid Point: y: Field required"),
    ("a caller's parser failing on JSON", "json", 201, b'{"x"}', "application/json", to_int,
     "could not be read as to_int: invalid literal for int() with base 10: b'{\"x\"}'"),
    ("a caller's parser failing on bytes", "bytes", 201, b"\x00", "application/octet-stream", to_int,
     "could not be read as to_int: invalid literal for int() with base 10: b'\\x00'"),
    ("a caller's parser failing on text", "text", 201, b"one", "text/plain", to_int,
     "could not be read as to_int: invalid literal for int() with base 10: b'one'"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "status", "body", "content_type", "decode", "problem"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_a_malformed_answer_keeps_status_headers_body_and_content_type(
    kind: str, status: int, body: bytes, content_type: str | None, decode: Any, problem: str
) -> None:
    headers = {"x-request-id": "req-7", "Content-Type": content_type or ""}
    result = None if decode is None else result_spec(decode)
    with pytest.raises(MalformedResponseException) as caught:
        decode_success(declared(kind), status, headers, body, content_type, result)
    error = caught.value
    assert error.problem.startswith(f"getPoint: HTTP {status} answer {problem}")
    if not problem.endswith(" "):  # worded entirely by the runtime
        assert error.problem == f"getPoint: HTTP {status} answer {problem}"
    assert str(error) == f"{error.problem} [request id req-7]"
    assert error.status == status
    assert error.headers == headers
    assert error.body == body
    assert error.content_type == content_type
