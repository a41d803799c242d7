"""What a client keeps per operation (headers, credential, URL: ``ApiClient._build``) is made
again whenever anything it was made from changes, by every way that thing can change
(issue 11: work done once instead of per call)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from recording_transport import OK, Recorder

from support import HOST
from together.generated import ApiClient, ApiValueError, Configuration
from together.generated._runtime.exceptions import ApiAttributeError, InsecureTransportError
from together.generated._runtime.operation import (
    BodySpec,
    Operation,
    Param,
    ResponseSpec,
    SecurityScheme,
)
from together.generated._runtime.rest import PreparedRequest, RequestTimeout, RESTResponse

BEARER = SecurityScheme("bearerAuth", "bearer")
BASIC = SecurityScheme("basicAuth", "basic")
HEADER_KEY = SecurityScheme("headerKey", "apiKey", "header", "X-Api-Key")
QUERY_KEY = SecurityScheme("queryKey", "apiKey", "query", "api_key")
COOKIE_KEY = SecurityScheme("cookieKey", "apiKey", "cookie", "session")


def thing(*schemes: SecurityScheme, **options: Any) -> Operation[Any]:
    return Operation(
        "get_thing", "GET", "/thing", responses={"200": ResponseSpec.json(dict)},
        security=schemes, **options,
    )  # fmt: skip


async def sent(client: ApiClient, op: Operation[Any], **options: Any) -> PreparedRequest:
    """What one call of ``op`` sent."""
    transport = client.rest_client
    assert isinstance(transport, Recorder)
    await client.call_api_data(op, options.pop("params", {}), options.pop("body", None))
    return transport.sent[-1]


def client_for(configuration: Configuration, **options: Any) -> ApiClient:
    return ApiClient(configuration, transport=Recorder(), **options)


# ------------------------------------------------------------------ the configuration


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: setattr(c, "access_token", "tk-2"), {"Authorization": "Bearer tk-2"}),
        (lambda c: setattr(c, "access_token", None), {}),
        # The bearer scheme comes first; without a token the basic pair is sent.
        (lambda c: setattr(c, "username", "bob"), {"Authorization": "Bearer tk-1"}),
    ],
)
async def test_a_setting_assigned_between_calls_is_the_one_sent(
    change: Callable[[Configuration], None], expected: dict[str, str]
) -> None:
    configuration = Configuration(host=HOST, access_token="tk-1")
    client = client_for(configuration)
    op = thing(BEARER)
    assert (await sent(client, op)).headers["Authorization"] == "Bearer tk-1"
    change(configuration)
    headers = (await sent(client, op)).headers
    assert {k: v for k, v in headers.items() if k == "Authorization"} == expected


async def test_the_host_changed_between_calls_is_the_one_sent_to() -> None:
    configuration = Configuration(host=HOST, access_token="tk")
    client = client_for(configuration)
    assert (await sent(client, thing(BEARER))).url == f"{HOST}/thing"
    configuration.host = "https://other.test/v2"
    assert (await sent(client, thing(BEARER))).url == "https://other.test/v2/thing"


async def test_basic_credentials_changed_between_calls_are_the_ones_sent() -> None:
    configuration = Configuration(host=HOST, username="ann", password="pw")
    client = client_for(configuration)
    op = thing(BASIC)
    assert (await sent(client, op)).headers["Authorization"] == "Basic YW5uOnB3"  # ann:pw
    configuration.password = "qx"
    assert (await sent(client, op)).headers["Authorization"] == "Basic YW5uOnF4"  # ann:qx
    configuration.username = "bob"
    assert (await sent(client, op)).headers["Authorization"] == "Basic Ym9iOnF4"  # bob:qx


async def test_insecure_http_allowed_then_refused_again_follows_the_setting() -> None:
    configuration = Configuration(host="http://api.example.com/v1", access_token="tk")
    client = client_for(configuration)
    op = thing(BEARER)
    with pytest.raises(InsecureTransportError):
        await sent(client, op)
    configuration.allow_insecure_http = True
    assert (await sent(client, op)).headers["Authorization"] == "Bearer tk"
    configuration.allow_insecure_http = False
    with pytest.raises(InsecureTransportError):
        await sent(client, op)
    with pytest.raises(InsecureTransportError):  # refused on every call, nothing kept
        await sent(client, op)


async def test_a_credential_refused_is_refused_on_every_call_until_fixed() -> None:
    configuration = Configuration(host=HOST, access_token="tk\n")
    client = client_for(configuration)
    op = thing(BEARER)
    for _ in range(2):
        with pytest.raises(ApiValueError, match="line break"):
            await sent(client, op)
    configuration.access_token = "tk"
    assert (await sent(client, op)).headers["Authorization"] == "Bearer tk"


async def test_a_configuration_replaced_on_the_client_is_read_afresh() -> None:
    client = client_for(Configuration(host=HOST, access_token="tk-1"))
    op = thing(BEARER)
    await sent(client, op)
    # Same settings, same count of assignments: only the object differs.
    client.configuration = Configuration(host="https://other.test", access_token="tk-2")
    request = await sent(client, op)
    assert (request.url, request.headers["Authorization"]) == (
        "https://other.test/thing",
        "Bearer tk-2",
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda keys: keys.__setitem__("headerKey", "k-2"),
        lambda keys: keys.update({"headerKey": "k-2"}),
        lambda keys: keys.update(headerKey="k-2"),
        lambda keys: keys.__ior__({"headerKey": "k-2"}),
        lambda keys: (keys.pop("headerKey"), keys.setdefault("headerKey", "k-2")),
        lambda keys: (keys.popitem(), keys.setdefault("headerKey", "k-2")),
        lambda keys: (keys.clear(), keys.__setitem__("headerKey", "k-2")),
    ],
)
async def test_api_keys_changed_in_place_in_any_way_are_the_ones_sent(
    change: Callable[[dict[str, str]], object],
) -> None:
    configuration = Configuration(host=HOST, api_key={"headerKey": "k-1"})
    client = client_for(configuration)
    op = thing(HEADER_KEY)
    assert (await sent(client, op)).headers["X-Api-Key"] == "k-1"
    change(configuration.api_key)
    assert (await sent(client, op)).headers["X-Api-Key"] == "k-2"


async def test_api_keys_removed_or_replaced_are_followed() -> None:
    configuration = Configuration(host=HOST, api_key={"headerKey": "k-1"})
    client = client_for(configuration)
    op = thing(HEADER_KEY, QUERY_KEY)
    del configuration.api_key["headerKey"]
    assert "X-Api-Key" not in (await sent(client, op)).headers
    configuration.api_key = {"queryKey": "q-1"}  # a plain dict assigned, then changed in place
    assert (await sent(client, op)).query == [("api_key", "q-1")]
    configuration.api_key["queryKey"] = "q-2"
    request = await sent(client, op)
    assert (request.query, request.secret_names) == ([("api_key", "q-2")], frozenset({"api_key"}))


def test_every_assignment_moves_the_count_of_changes_and_nothing_else_does() -> None:
    configuration = Configuration(host=HOST)
    counts = [configuration.changes]
    for name, value in [
        ("host", "https://x.test"),
        ("access_token", "t"),
        ("username", "u"),
        ("password", "p"),
        ("allow_insecure_http", True),
        ("api_key", {}),
        ("debug", False),
        ("retries", 1),
    ]:
        setattr(configuration, name, value)
        counts.append(configuration.changes)
    assert counts == sorted(set(counts))  # each one moved it
    configuration.retry_policy()  # reading settings changes none
    assert configuration.changes == counts[-1]
    with pytest.raises(ApiAttributeError):
        configuration.changes = 0
    with pytest.raises(ApiAttributeError):
        configuration.cached_retry_policy = None
    assert "changes" not in repr(configuration)
    assert "cached_retry_policy" not in repr(configuration)


def test_the_cached_retry_policy_is_the_current_settings_policy_once_asked() -> None:
    configuration = Configuration(host=HOST, retries=3)
    policy = configuration.retry_policy()
    assert configuration.cached_retry_policy is policy
    assert policy.max_retries == 3
    configuration.retries = 1
    assert configuration.cached_retry_policy is None  # a retry setting changed
    assert configuration.retry_policy().max_retries == 1
    configuration.host = "https://x.test"  # not a retry setting: the policy stays
    assert configuration.cached_retry_policy is not None


# ------------------------------------------------------------------ the client's own settings


@pytest.mark.parametrize(
    ("change", "name", "value"),
    [
        (lambda c: c.set_default_header("X-Team", "b"), "X-Team", "b"),
        (lambda c: c.default_headers.__setitem__("X-Team", "c"), "X-Team", "c"),
        (lambda c: c.default_headers.pop("X-Team"), "X-Team", None),
        (lambda c: setattr(c, "user_agent", "agent/2"), "User-Agent", "agent/2"),
        (lambda c: setattr(c, "default_headers", {"X-Other": "o"}), "X-Team", None),
        (lambda c: setattr(c, "cookie", "s=2"), "Cookie", "s=2"),
        (lambda c: setattr(c, "cookie", None), "Cookie", None),
    ],
)
async def test_the_clients_headers_changed_between_calls_are_the_ones_sent(
    change: Callable[[ApiClient], object], name: str, value: str | None
) -> None:
    client = client_for(Configuration(host=HOST), header_name="X-Team", header_value="a")
    client.cookie = "s=1"
    op = thing()
    before = (await sent(client, op)).headers
    assert (before["X-Team"], before["Cookie"]) == ("a", "s=1")
    change(client)
    assert (await sent(client, op)).headers.get(name) == value


async def test_the_headers_sent_are_a_fresh_dict_on_every_call() -> None:
    # A transport changing what it was given cannot change the next call's request.
    client = client_for(Configuration(host=HOST, access_token="tk"))
    op = thing(BEARER)
    first = await sent(client, op)
    first.headers["X-Added"] = "by a transport"  # type: ignore[index]
    first.query.append(("added", "too"))
    second = await sent(client, op)
    assert "X-Added" not in second.headers
    assert second.query == []
    assert second.headers == {
        "User-Agent": client.user_agent,
        "Accept": "application/json",
        "Authorization": "Bearer tk",
    }


async def test_a_cookie_key_joins_the_clients_cookie_on_every_call() -> None:
    client = client_for(Configuration(host=HOST, api_key={"cookieKey": "c-1"}), cookie="s=1")
    for _ in range(2):
        assert (await sent(client, thing(COOKIE_KEY))).headers["Cookie"] == "s=1; session=c-1"


# ------------------------------------------------------------------ the operation


async def test_another_operation_of_the_same_id_gets_its_own_request() -> None:
    client = client_for(Configuration(host=HOST, access_token="tk"))
    first = thing(BEARER)
    other: Operation[Any] = Operation(
        "get_thing", "GET", "/other", responses={"200": ResponseSpec.json(dict)}, accept="text/x"
    )
    for _ in range(2):
        assert (await sent(client, first)).url == f"{HOST}/thing"
        request = await sent(client, other)
        assert (request.url, request.headers.get("Accept")) == (f"{HOST}/other", "text/x")
        assert "Authorization" not in request.headers


async def test_an_optional_body_given_or_not_gets_its_content_type_or_none() -> None:
    from pydantic import TypeAdapter

    body = BodySpec("application/json", TypeAdapter(dict[str, int]), required=False)
    op: Operation[Any] = Operation(
        "put_thing", "PUT", "/thing", body=body, responses={"200": ResponseSpec.json(dict)}
    )
    client = client_for(Configuration(host=HOST))
    for _ in range(2):
        assert (await sent(client, op, body={"a": 1})).headers["Content-Type"] == "application/json"
        assert "Content-Type" not in (await sent(client, op)).headers


async def test_many_operations_in_turn_each_send_their_own() -> None:
    # More operations than a client keeps: it starts again from none, still right.
    client = client_for(Configuration(host=HOST, access_token="tk"))
    ops: list[Operation[Any]] = [
        Operation(f"op{i}", "GET", f"/p{i}", responses={"200": ResponseSpec.json(dict)},
                  security=(BEARER,))
        for i in range(600)
    ]  # fmt: skip
    for op in ops + ops[:3]:
        request = await sent(client, op)
        assert (request.url, request.headers["Authorization"]) == (
            f"{HOST}{op.path}",
            "Bearer tk",
        )
    assert len(client._kept_requests) <= 512  # bounded


# ------------------------------------------------------------------ parameters


def _param(name: str, location: Any) -> Param:
    from pydantic import TypeAdapter

    return Param(name, location, TypeAdapter(str))


async def test_path_and_query_parameters_come_with_the_kept_credential() -> None:
    op: Operation[Any] = Operation(
        "get_item", "GET", "/items/{id}", params=(_param("id", "path"), _param("q", "query")),
        responses={"200": ResponseSpec.json(dict)}, security=(QUERY_KEY,),
    )  # fmt: skip
    client = client_for(Configuration(host=HOST, api_key={"queryKey": "k"}))
    for item in ("a b", "c"):
        request = await sent(client, op, params={"id": item, "q": item})
        assert request.url == f"{HOST}/items/{item.replace(' ', '%20')}"
        # the operation's parameters first, then the key
        assert request.query == [("q", item), ("api_key", "k")]
        assert request.secret_names == frozenset({"api_key"})


async def test_a_bad_parameter_is_refused_before_a_bad_credential() -> None:
    op: Operation[Any] = Operation(
        "get_item", "GET", "/items/{id}", params=(_param("id", "path"),),
        responses={"200": ResponseSpec.json(dict)}, security=(BEARER,),
    )  # fmt: skip
    client = client_for(Configuration(host=HOST, access_token="tk\n"))
    with pytest.raises(ApiValueError, match="requires the parameter 'id'"):
        await sent(client, op, params={})


async def test_header_and_cookie_parameters_join_the_clients_on_every_call() -> None:
    op: Operation[Any] = Operation(
        "get_item", "GET", "/items", params=(_param("X-Trace", "header"), _param("c", "cookie")),
        responses={"200": ResponseSpec.json(dict)}, security=(BEARER,),
    )  # fmt: skip
    assert op.has_header_params
    assert not thing().has_header_params
    client = client_for(Configuration(host=HOST, access_token="tk"), cookie="s=1")
    for value in ("1", "2"):
        headers = (await sent(client, op, params={"X-Trace": value, "c": value})).headers
        assert (headers["X-Trace"], headers["Cookie"], headers["Authorization"]) == (
            value,
            f"s=1; c={value}",
            "Bearer tk",
        )


# ------------------------------------------------------------------ answers' content types


def test_a_content_type_that_is_not_json_is_remembered_too(monkeypatch: Any) -> None:
    # A server answering text keeps answering text: its type is parsed once, as JSON's is.
    from together.generated._runtime import response_decoding

    parsed: list[str] = []
    parse = response_decoding._is_json_media

    def counting(content_type: str) -> bool:
        parsed.append(content_type)
        return parse(content_type)

    monkeypatch.setattr(response_decoding, "_is_json_media", counting)
    text, json = "text/plain; remembered-in-this-test", "application/json; remembered-too"
    for _ in range(3):
        assert response_decoding.is_json_content_type(text) is False
        assert response_decoding.is_json_content_type(json) is True
    assert parsed == [text, json]


async def test_an_answer_of_a_type_not_json_is_refused_on_every_call(monkeypatch: Any) -> None:
    from together.generated import MalformedResponseError
    from together.generated._runtime import response_decoding

    parsed: list[str] = []
    parse = response_decoding._is_json_media

    def counting(content_type: str) -> bool:
        parsed.append(content_type)
        return parse(content_type)

    monkeypatch.setattr(response_decoding, "_is_json_media", counting)

    content_type = "text/html; refused-in-this-test"
    html = RESTResponse(200, "OK", {"Content-Type": content_type}, b"<p>", content_type)

    class Html(Recorder):
        async def request(
            self, request: PreparedRequest, *, timeout: RequestTimeout = None
        ) -> RESTResponse:
            return html

    client = ApiClient(Configuration(host=HOST), transport=Html())
    for _ in range(3):
        with pytest.raises(MalformedResponseError, match="expected JSON"):
            await client.call_api_data(thing(), {}, None)
    assert parsed == [content_type]  # parsed once, remembered as not JSON


# ------------------------------------------------------------------ an observed attempt


class Listening:
    """A hook: with one, every attempt runs through the exchange's own call."""

    def __init__(self) -> None:
        self.statuses: list[int | None] = []

    def on_request(self, request: Any) -> None:
        pass

    def on_response(self, request: Any, result: Any) -> None:
        self.statuses.append(result.status)


class Answering(Recorder):
    def __init__(self, status: int) -> None:
        super().__init__()
        self.status = status
        self.timeouts: list[RequestTimeout] = []

    async def request(
        self, request: PreparedRequest, *, timeout: RequestTimeout = None
    ) -> RESTResponse:
        self.timeouts.append(timeout)
        return RESTResponse(self.status, "-", OK.headers, b"{}", "application/json")


@pytest.mark.parametrize("hooked", [True, False])
async def test_an_answer_of_299_is_a_success_and_300_is_not_observed_or_not(hooked: bool) -> None:
    from together.generated import ApiException

    hooks = [Listening()] if hooked else []
    for status, succeeds in ((299, True), (300, False), (200, True)):
        transport = Answering(status)
        client = ApiClient(Configuration(host=HOST), transport=transport, hooks=hooks)
        if succeeds:
            assert await client.call_api_data(thing(), {}, None) == {}
        else:
            with pytest.raises(ApiException) as caught:
                await client.call_api_data(thing(), {}, None)
            assert caught.value.status == status
    if hooked:
        assert hooks[0].statuses == [299, 300, 200]


@pytest.mark.parametrize("hooked", [True, False])
async def test_a_per_call_timeout_reaches_the_transport_observed_or_not(hooked: bool) -> None:
    transport = Answering(200)
    hooks = [Listening()] if hooked else []
    client = ApiClient(Configuration(host=HOST), transport=transport, hooks=hooks)
    await client.call_api_data(thing(), {}, None, 5.0)
    await client.call_api(thing(), request_timeout=(1.0, 2.0))
    await client.call_api(thing())
    assert transport.timeouts == [5.0, (1.0, 2.0), None]
