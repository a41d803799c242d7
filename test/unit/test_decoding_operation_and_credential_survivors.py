"""Behaviour that the lead's mutation run of issue 12 found unpinned in the runtime functions
changed for speed (docs/testing.md, "Runtime client": "Lead's run of the changed functions,
decoding, operation, credentials and configuration").

- A 2xx answer whose status the spec names only through its range (``2XX``) is read by that
  range (OpenAPI 3, Responses Object), also when the spec declares another exact success.
- An operation keeps the security schemes it is built with, however many operations share
  them (the runtime shares one tuple per distinct requirement).
- An API key sent in a cookie is not among the names ``Credentials.apply`` gives back to
  strip on a redirect to another origin: ``Cookie`` never follows one anyway.
- A basic-auth username with a ``:`` is refused with the reason, naming RFC 7617.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from pydantic import BaseModel

from together.generated import ApiValueError, Configuration
from together.generated._runtime.credentials import Credentials
from together.generated._runtime.operation import Operation, ResponseSpec, SecurityScheme
from together.generated._runtime.response_decoding import decode_success

_fresh = itertools.count()


class Point(BaseModel):
    x: int
    y: int


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOGETHER_API_KEY", raising=False)
    monkeypatch.delenv("TOGETHER_BASE_URL", raising=False)


def ranged(range_spec: ResponseSpec) -> Operation[Any]:
    """An operation declaring ``200`` as a JSON point and every other 2xx by its range."""
    responses = {"200": ResponseSpec.json(Point), "2XX": range_spec}
    return Operation(operation_id="getPoint", method="GET", path="/p", responses=responses)


def test_a_status_named_only_by_the_2xx_range_is_read_by_that_range() -> None:
    assert decode_success(ranged(ResponseSpec("empty")), 204, {}, b"", None) is None
    text = ranged(ResponseSpec("text", type_name="str"))
    assert decode_success(text, 203, {}, b"h\xc3\xa9", "text/plain") == "hé"
    # The exact key still wins over the range.
    assert decode_success(text, 200, {}, b'{"x": 1, "y": 2}', "application/json") == Point(x=1, y=2)


def unique_scheme(location: Any = "header") -> SecurityScheme:
    """A scheme no other operation of the process has declared yet."""
    return SecurityScheme(f"rtbKey{next(_fresh)}", "apiKey", location, "X-Rtb-Key")


def test_an_operation_keeps_the_security_schemes_it_declares() -> None:
    scheme = unique_scheme()
    first: Operation[Any] = Operation("getA", "GET", "/a", security=(scheme,))
    second: Operation[Any] = Operation("getB", "GET", "/b", security=(scheme,))
    assert first.security == (scheme,) and second.security == (scheme,)
    # And its credential is the one sent.
    headers: dict[str, str] = {}
    configuration = Configuration(host="https://a.test", api_key={scheme.name: "k-5"})
    Credentials().apply(configuration, second.security, headers, [])
    assert headers == {"X-Rtb-Key": "k-5"}


def test_an_api_key_cookie_is_not_named_for_stripping_but_a_header_key_is() -> None:
    cookie, header = unique_scheme("cookie"), unique_scheme("header")
    configuration = Configuration(
        host="https://a.test", api_key={cookie.name: "k-c", header.name: "k-h"}
    )
    headers: dict[str, str] = {}
    assert Credentials().apply(configuration, (cookie,), headers, []) == frozenset()
    assert headers == {"Cookie": "X-Rtb-Key=k-c"}
    headers = {}
    assert Credentials().apply(configuration, (header,), headers, []) == {"x-rtb-key"}
    assert headers == {"X-Rtb-Key": "k-h"}


def test_a_username_with_a_colon_is_refused_naming_rfc_7617() -> None:
    basic = SecurityScheme("basicAuth", "basic")
    configuration = Configuration(host="https://a.test", username="zed:pw", password="x")
    with pytest.raises(ApiValueError) as caught:
        Credentials().apply(configuration, (basic,), {}, [])
    assert str(caught.value) == (
        "the username has a ':', which HTTP basic auth cannot carry (RFC 7617)"
    )
