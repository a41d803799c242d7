"""What the small call's hot path remembers between calls stays correct when the input
varies (issue 11: work done once instead of per call; bench/README.md "Calls and imports")."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from pydantic import BaseModel
from recording_transport import OK, Recorder

from support import HOST, json_of
from together.generated import (
    ApiClient,
    ApiException,
    ApiResponse,
    ApiValueError,
    Configuration,
    MalformedResponseError,
    ServiceUnavailableException,
)
from together.generated._runtime.exceptions import InsecureTransportError
from together.generated._runtime.hooks import AttemptRequest, AttemptResult
from together.generated._runtime.operation import Operation, ResponseSpec, SecurityScheme
from together.generated._runtime.response_decoding import is_json_content_type
from together.generated._runtime.rest import PreparedRequest, RequestTimeout, RESTResponse
from together.generated._runtime.retry import AttemptOutcome, RetryPolicy


def test_a_server_varying_its_content_type_is_judged_right_on_every_answer() -> None:
    # The parse is cached by the header's text, at most 64 values: 300 distinct values,
    # JSON and not JSON in turn, then the first ones again (evicted by then).
    values = [
        (f"application/json; boundary=b{i}", True)
        if i % 2 == 0
        else (f"text/plain; boundary=b{i}", False)
        for i in range(300)
    ]
    for content_type, json in values + values[:10]:
        assert is_json_content_type(content_type) is json, content_type
    assert is_json_content_type("APPLICATION/JSON") is True
    assert is_json_content_type("application/json") is True
    assert is_json_content_type("application/x+JSON ;q=1") is True
    assert is_json_content_type("application/json-patch") is False


# ------------------------------------------------- credentials remembered per client

BEARER = SecurityScheme("bearerAuth", "bearer")
BASIC = SecurityScheme("basicAuth", "basic")
HEADER_KEY = SecurityScheme("headerKey", "apiKey", "header", "X-Api-Key")
QUERY_KEY = SecurityScheme("queryKey", "apiKey", "query", "api_key")


def operation(*schemes: SecurityScheme, name: str = "get_thing") -> Operation[Any]:
    return Operation(
        name, "GET", "/thing", responses={"200": ResponseSpec.json(dict)}, security=schemes
    )


async def sent_with(
    client: ApiClient, op: Operation[Any]
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The credential headers and the query of one call of ``op``."""
    transport = client.rest_client
    assert isinstance(transport, Recorder)
    await client.call_api(op)
    request = transport.sent[-1]
    names = ("Authorization", "X-Api-Key")
    return {k: v for k, v in request.headers.items() if k in names}, request.query


def client_for(configuration: Configuration) -> ApiClient:
    return ApiClient(configuration, transport=Recorder())


async def test_a_token_changed_between_calls_is_the_one_sent() -> None:
    configuration = Configuration(host=HOST, access_token="tk-first")
    client = client_for(configuration)
    op = operation(BEARER)
    assert await sent_with(client, op) == ({"Authorization": "Bearer tk-first"}, [])
    configuration.access_token = "tk-second"
    assert await sent_with(client, op) == ({"Authorization": "Bearer tk-second"}, [])
    configuration.access_token = None
    assert await sent_with(client, op) == ({}, [])
    configuration.access_token = "tk-third\n"
    with pytest.raises(ApiValueError, match="line break"):
        await client.call_api(op)
    with pytest.raises(ApiValueError, match="line break"):  # refused on every call
        await client.call_api(op)


async def test_a_new_configuration_object_is_read_afresh() -> None:
    client = client_for(Configuration(host=HOST, access_token="tk-first"))
    op = operation(BEARER)
    await sent_with(client, op)
    client.configuration = Configuration(host=HOST, access_token="tk-other")
    assert await sent_with(client, op) == ({"Authorization": "Bearer tk-other"}, [])
    client.configuration = Configuration(host=HOST, username="ann", password="pw")
    assert await sent_with(client, operation(BEARER, BASIC)) == (
        {"Authorization": "Basic YW5uOnB3"},  # base64 of "ann:pw"
        [],
    )


async def test_basic_auth_follows_a_changed_username_or_password() -> None:
    configuration = Configuration(host=HOST, username="ann", password="pw")
    client = client_for(configuration)
    op = operation(BASIC)
    assert (await sent_with(client, op))[0] == {"Authorization": "Basic YW5uOnB3"}
    configuration.password = "qx"
    assert (await sent_with(client, op))[0] == {"Authorization": "Basic YW5uOnF4"}  # ann:qx
    configuration.username = "bob"
    assert (await sent_with(client, op))[0] == {"Authorization": "Basic Ym9iOnF4"}  # bob:qx


async def test_api_keys_changed_in_place_are_the_ones_sent() -> None:
    configuration = Configuration(host=HOST, api_key={"headerKey": "k-1"})
    client = client_for(configuration)
    header_op, query_op = operation(HEADER_KEY), operation(QUERY_KEY, name="q")
    assert await sent_with(client, header_op) == ({"X-Api-Key": "k-1"}, [])
    configuration.api_key["headerKey"] = "k-2"
    assert await sent_with(client, header_op) == ({"X-Api-Key": "k-2"}, [])
    configuration.api_key.update({"queryKey": "k-3"})
    assert await sent_with(client, query_op) == ({}, [("api_key", "k-3")])
    del configuration.api_key["headerKey"]
    assert await sent_with(client, header_op) == ({}, [])
    # A key added to a scheme listed first takes over at once.
    configuration.api_key["headerKey"] = "k-4"
    assert await sent_with(client, operation(HEADER_KEY, QUERY_KEY)) == ({"X-Api-Key": "k-4"}, [])


async def test_operations_with_other_schemes_in_turn_each_get_their_own() -> None:
    configuration = Configuration(host=HOST, access_token="tk", api_key={"headerKey": "k"})
    client = client_for(configuration)
    bearer, key, none = operation(BEARER), operation(HEADER_KEY, name="k"), operation(name="n")
    for _ in range(2):
        assert await sent_with(client, bearer) == ({"Authorization": "Bearer tk"}, [])
        assert await sent_with(client, key) == ({"X-Api-Key": "k"}, [])
        assert await sent_with(client, none) == ({}, [])


async def test_insecure_http_is_refused_again_when_the_host_or_the_setting_changes() -> None:
    configuration = Configuration(host=HOST, access_token="tk")
    client = client_for(configuration)
    op = operation(BEARER)
    await sent_with(client, op)
    configuration.host = "http://api.example.com/v1"
    with pytest.raises(InsecureTransportError):
        await client.call_api(op)
    configuration.allow_insecure_http = True
    assert await sent_with(client, op) == ({"Authorization": "Bearer tk"}, [])
    configuration.allow_insecure_http = False
    with pytest.raises(InsecureTransportError):
        await client.call_api(op)


def test_operations_with_equal_schemes_share_one_tuple() -> None:
    """What lets a client remember one credential for every operation of a spec."""
    first = operation(SecurityScheme("s", "bearer"), name="a")
    second = operation(SecurityScheme("s", "bearer"), name="b")
    assert first.security is second.security
    assert operation(BASIC).security is not first.security


# ------------------------------------------------- the attempts' settings remembered per client

BUSY = RESTResponse(503, "Service Unavailable", {}, b"{}", "application/json")


class Scripted(Recorder):
    """Answers from a list (then ``{}`` with 200), keeping what was sent."""

    def __init__(self, *answers: RESTResponse) -> None:
        super().__init__()
        self.answers = list(answers)

    async def request(
        self, request: PreparedRequest, *, timeout: RequestTimeout = None
    ) -> RESTResponse:
        self.sent.append(request)
        return self.answers.pop(0) if self.answers else OK


RETRY_SAFE: Operation[dict[Any, Any]] = Operation(
    "get_thing", "GET", "/thing", responses={"200": ResponseSpec.json(dict)}, retry_safe=True
)


async def attempts_of(client: ApiClient, *answers: RESTResponse, **options: Any) -> int:
    """How many attempts one call made (503s first), or -1 when it failed."""
    transport = Scripted(*answers)
    client.rest_client = transport
    try:
        await client.call_api(RETRY_SAFE, **options)
    except ServiceUnavailableException:
        return -len(transport.sent)
    return len(transport.sent)


def quiet_client(configuration: Configuration) -> ApiClient:
    client = ApiClient(configuration, transport=Recorder())
    client._sleep = no_wait
    return client


async def no_wait(delay: float) -> None:
    pass


async def test_retry_settings_changed_between_calls_apply_to_the_next_call() -> None:
    configuration = Configuration(host=HOST, retries=2, retry_initial_backoff=0.0)
    client = quiet_client(configuration)
    assert await attempts_of(client, BUSY, BUSY) == 3
    configuration.retries = 0
    assert await attempts_of(client, BUSY) == -1
    configuration.retries = 1
    assert await attempts_of(client, BUSY) == 2
    client.configuration = Configuration(host=HOST, retries=3, retry_initial_backoff=0.0)
    assert await attempts_of(client, BUSY, BUSY, BUSY) == 4


async def test_a_per_call_setting_does_not_stay_for_the_next_call() -> None:
    client = quiet_client(Configuration(host=HOST, retries=2))
    assert await attempts_of(client, BUSY, BUSY, retries=0) == -1
    assert await attempts_of(client, BUSY, BUSY) == 3
    assert await attempts_of(client, BUSY, retry_policy=RetryPolicy(max_retries=0)) == -1
    assert await attempts_of(client, BUSY, BUSY) == 3
    client.retry_policy = RetryPolicy(max_retries=1, initial_backoff=0.0)
    assert await attempts_of(client, BUSY, BUSY) == -2
    client.retry_policy = None
    assert await attempts_of(client, BUSY, BUSY) == 3


async def test_hooks_and_the_sleep_replaced_between_calls_are_the_ones_used() -> None:
    client = quiet_client(Configuration(host=HOST, retries=1))
    assert await attempts_of(client, BUSY) == 2
    heard: list[str] = []

    class Hook:
        def on_request(self, request: AttemptRequest) -> None:
            heard.append(request.operation_id)

        def on_response(self, request: AttemptRequest, result: AttemptResult) -> None:
            pass

    client.hooks = (Hook(),)
    assert await attempts_of(client, BUSY) == 2
    assert heard == ["get_thing", "get_thing"]
    waits: list[float] = []

    async def record(delay: float) -> None:
        waits.append(delay)

    client._sleep = record
    client.hooks = ()
    assert await attempts_of(client, BUSY) == 2
    assert len(waits) == 1 and heard == ["get_thing", "get_thing"]


async def test_a_sleep_replaced_alone_is_the_one_used() -> None:
    client = quiet_client(Configuration(host=HOST, retries=1))
    assert await attempts_of(client, BUSY) == 2
    waits: list[float] = []

    async def record(delay: float) -> None:
        waits.append(delay)

    client._sleep = record
    assert await attempts_of(client, BUSY) == 2
    assert len(waits) == 1


class AlwaysAgain:
    """A strategy of the caller's: retry at once, every time."""

    def decide(self, outcome: AttemptOutcome) -> float | None:
        return 0.0


async def test_a_per_call_cap_on_a_custom_strategy_does_not_stay() -> None:
    client = quiet_client(Configuration(host=HOST))
    client.retry_policy = AlwaysAgain()
    assert await attempts_of(client, BUSY, BUSY, BUSY, retries=1) == -2
    assert await attempts_of(client, BUSY, BUSY, BUSY) == 4
    assert await attempts_of(client, BUSY, BUSY, BUSY, retries=0) == -1


def test_the_retry_policy_follows_each_retry_setting_and_keeps_no_override() -> None:
    configuration = Configuration(host=HOST)
    assert configuration.retry_policy() == RetryPolicy(2, 0.5, 8.0, 60.0)  # the defaults
    configuration.retries = 5
    assert configuration.retry_policy() == RetryPolicy(5, 0.5, 8.0, 60.0)
    configuration.retry_initial_backoff = 1.5
    assert configuration.retry_policy() == RetryPolicy(5, 1.5, 8.0, 60.0)
    configuration.retry_max_backoff = 3.0
    assert configuration.retry_policy() == RetryPolicy(5, 1.5, 3.0, 60.0)
    configuration.max_retry_after = 7.0
    assert configuration.retry_policy() == RetryPolicy(5, 1.5, 3.0, 7.0)
    assert configuration.retry_policy(retries=1) == RetryPolicy(1, 1.5, 3.0, 7.0)
    assert configuration.retry_policy() == RetryPolicy(5, 1.5, 3.0, 7.0)
    configuration.retries = -1
    with pytest.raises(ApiValueError):  # refused on each ask, never kept
        configuration.retry_policy()
    with pytest.raises(ApiValueError):
        configuration.retry_policy()
    assert "policy" not in repr(configuration)


class TimeoutRecorder(Recorder):
    def __init__(self) -> None:
        super().__init__()
        self.timeouts: list[RequestTimeout] = []

    async def request(
        self, request: PreparedRequest, *, timeout: RequestTimeout = None
    ) -> RESTResponse:
        self.timeouts.append(timeout)
        return await super().request(request, timeout=timeout)


async def test_a_per_call_timeout_or_decoder_does_not_stay_for_the_next_call() -> None:
    transport = TimeoutRecorder()
    client = ApiClient(Configuration(host=HOST), transport=transport)
    op = operation()
    assert (await client.call_api(op)).data == {}
    assert (await client.call_api(op, decode=bytes)).data == b"{}"
    assert (await client.call_api(op)).data == {}
    await client.call_api(op, request_timeout=5.0)
    await client.call_api(op)
    assert transport.timeouts == [None, None, None, 5.0, None]


async def test_a_remembered_credential_is_sent_on_every_call() -> None:
    """The second call with the same settings takes the remembered credential: it must still
    be on the request (header, query or cookie), not only on the call that chose it."""
    configuration = Configuration(
        host=HOST, access_token="tk", api_key={"queryKey": "k-q", "cookieKey": "k-c"}
    )
    client = client_for(configuration)
    bearer, query_op = operation(BEARER), operation(QUERY_KEY, name="q")
    cookie_op = operation(SecurityScheme("cookieKey", "apiKey", "cookie", "session"), name="c")
    for _ in range(3):
        assert await sent_with(client, bearer) == ({"Authorization": "Bearer tk"}, [])
    for _ in range(3):
        assert await sent_with(client, query_op) == ({}, [("api_key", "k-q")])
    transport = client.rest_client
    assert isinstance(transport, Recorder)
    for _ in range(3):
        await client.call_api(cookie_op)
        assert transport.sent[-1].headers["Cookie"] == "session=k-c"


# ------------------------------------- the generated methods' entry (call_api_data)


async def test_the_plain_method_sends_through_a_transport_replaced_between_calls() -> None:
    # call_api_data keeps its exchange per client, with the transport it was made for.
    from together.generated import EmbeddingsApi

    first, second = Recorder(), Recorder()
    client = ApiClient(Configuration(host=HOST, access_token="tk"), transport=first)
    api = EmbeddingsApi(client)
    body = {"model": "m", "input": "a"}
    with pytest.raises(MalformedResponseError):  # "{}" is no EmbeddingsResponse
        await api.embeddings(body)
    client.rest_client = second
    with pytest.raises(MalformedResponseError):
        await api.embeddings(body)
    assert (len(first.sent), len(second.sent)) == (1, 1)


async def test_call_api_data_gives_the_decoded_result_alone_and_honours_each_option() -> None:
    transport = TimeoutRecorder()
    client = ApiClient(Configuration(host=HOST), transport=transport)
    op = operation()
    assert await client.call_api_data(op, {}, None) == {}
    assert await client.call_api_data(op, {}, None, 5.0) == {}
    assert await client.call_api_data(op, {}, None, None, None, None, None, None, bytes) == b"{}"
    assert await client.call_api_data(op, {}, None) == {}
    assert transport.timeouts == [None, 5.0, None, None]
    # A bad argument is refused before anything is sent, as by call_api.
    with pytest.raises(ApiValueError):
        await client.call_api_data(op, {}, None, -1.0)
    with pytest.raises(ApiValueError):
        await client.call_api_data(op, {}, None, None, None, -1)
    assert len(transport.timeouts) == 4


async def test_debug_logging_turned_on_or_off_between_calls_applies_to_the_next_call(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Whether DEBUG is on is read from logging's cache, which setLevel and logging.disable
    # empty: each change must show on the very next call.
    logger = logging.getLogger("together.generated")
    client = ApiClient(Configuration(host=HOST), transport=Recorder())
    op = operation()
    caplog.set_level(logging.DEBUG, logger="together.generated")  # restored afterwards
    logger.setLevel(logging.INFO)
    await client.call_api(op)
    assert not caplog.records
    logger.setLevel(logging.DEBUG)
    await client.call_api(op)
    assert [r.levelno for r in caplog.records] == [logging.DEBUG]
    logging.disable(logging.DEBUG)
    try:
        await client.call_api(op)
    finally:
        logging.disable(logging.NOTSET)
    assert len(caplog.records) == 1
    await client.call_api_data(op, {}, None)
    assert len(caplog.records) == 2
    logger.setLevel(logging.INFO)
    await client.call_api(op)
    assert len(caplog.records) == 2


# ------------------------------------------ union fields of plain JSON written as they are


def test_a_union_field_of_plain_json_writes_the_same_json_without_trying_each_type() -> None:
    from together.generated.models.embeddings_request import EmbeddingsRequest

    # The field's serializer infers from the value instead of trying str, then list[str].
    field = EmbeddingsRequest.__pydantic_core_schema__["schema"]["fields"]["input"]["schema"]
    assert field["serialization"] == {"type": "any"}
    for value, sent in [
        ("a", '"a"'),
        (["a", "é\n"], '["a","é\\n"]'),
        ([], "[]"),
    ]:
        request = EmbeddingsRequest(model="m", input=value)
        assert request.to_json() == f'{{"model":"m","input":{sent}}}'
        assert request.to_dict() == {"model": "m", "input": value}


def test_only_unions_of_plain_json_are_written_by_inference() -> None:
    from pydantic_core import core_schema as cs

    from together.generated._runtime.model_base import _plain_json

    plain = [
        cs.union_schema([cs.str_schema(), cs.list_schema(cs.str_schema())]),
        cs.union_schema([cs.int_schema(), cs.float_schema(), cs.bool_schema()]),
        cs.nullable_schema(cs.literal_schema(["a", 1, True, None])),
        cs.dict_schema(cs.str_schema(), cs.list_schema(cs.float_schema())),
        cs.union_schema([(cs.str_schema(), "s"), (cs.none_schema(), "n")]),
    ]
    not_plain = [
        cs.union_schema([cs.str_schema(), cs.datetime_schema()]),
        cs.list_schema(),  # list[Any]
        cs.dict_schema(cs.int_schema(), cs.str_schema()),
        cs.dict_schema(cs.str_schema()),
        cs.literal_schema([1.5]),
        cs.str_schema(serialization=cs.plain_serializer_function_ser_schema(str.upper)),
        cs.union_schema([cs.str_schema(), cs.model_schema(Settings, cs.model_fields_schema({}))]),
    ]
    assert [_plain_json(s) for s in plain] == [True] * len(plain)
    assert [_plain_json(s) for s in not_plain] == [False] * len(not_plain)


class Settings(BaseModel):
    pass


def test_a_union_with_a_model_keeps_writing_the_declared_fields_only() -> None:
    # Inference would write a subclass's extra fields; the declared union's serializer does
    # not, so a union with a model is not written by inference.
    from typing import Annotated

    from together.generated._runtime.model_base import ONE_OF_VALUE, ApiModel

    class Point(BaseModel):
        x: int

    class Point3(Point):
        z: int

    class Holder(ApiModel):
        value: Annotated[Point | str, ONE_OF_VALUE]

    assert Holder(value=Point3(x=1, z=2)).to_json() == '{"value":{"x":1}}'
    assert Holder(value="p").to_json() == '{"value":"p"}'


# ---------------------------- records built field by field (not through their __init__)


async def test_the_records_of_a_call_have_every_field_set(mocked: Any) -> None:
    # PreparedRequest, RESTResponse and the attempt's Answer are built with object.__new__
    # and one assignment per field: a field added later and not set would be missing here
    # (asdict reads every field; an unset slot raises AttributeError).
    from dataclasses import asdict

    from together.generated._runtime import attempts
    from together.generated._runtime.rest import RESTClientObject
    from together.generated.api.embeddings_api import _EMBEDDINGS_OPERATION

    client = ApiClient(Configuration(host=HOST, access_token="tk"))
    body = {"model": "m", "input": "a"}
    request = client._build(_EMBEDDINGS_OPERATION, {}, body, None)
    assert asdict(request) == asdict(
        PreparedRequest(
            "POST",
            f"{HOST}/embeddings",
            {
                "User-Agent": client.user_agent,
                "Accept": "application/json",
                "Content-Type": "application/json",
                "Authorization": "Bearer tk",
            },
            [],
            b'{"model":"m","input":"a"}',
            frozenset(),
        )
    )
    mocked.post(f"{HOST}/embeddings", status=200, body=b"{}", headers={"X-A": "b"})
    transport = RESTClientObject(Configuration(host=HOST))
    try:
        response = await transport.request(request)
    finally:
        await transport.close()
    assert asdict(response) | {"headers": None} == {
        "status": 200,
        "reason": "OK",
        "headers": None,
        "data": b"{}",
        "content_type": "application/json",
    }
    exchange = attempts.read_and_decode(Recorder(), None, None, whole=False)
    answer = await exchange(operation(), request)
    assert (answer.status, answer.result, answer.release) == (200, {}, None)
    assert answer.headers == {"Content-Type": "application/json"}
    whole = await attempts.read_and_decode(Recorder(), None, None)(operation(), request)
    assert isinstance(whole.result, ApiResponse)
    assert (whole.result.status_code, whole.result.data, whole.result.raw_data) == (200, {}, b"{}")


class Late(BaseModel):
    value: Later  # type: ignore[name-defined]  # defined below: the model is rebuilt once it exists


async def test_an_answer_is_read_with_the_validator_of_a_model_rebuilt_after_the_operation() -> (
    None
):
    # decode_success calls the model's validator itself; it must look it up on each call,
    # since model_rebuild() replaces it (here: the one made before Later existed fails).
    op: Operation[Late] = Operation(
        "get_late", "GET", "/late", responses={"200": ResponseSpec.json(Late)}
    )
    global Later

    class Later(BaseModel):
        x: int

    Late.model_rebuild()
    transport = Recorder()
    client = ApiClient(Configuration(host=HOST), transport=transport)
    ok = RESTResponse(200, "OK", {}, b'{"value": {"x": 1}}', "application/json")
    transport.request = lambda request, timeout=None: _answer(ok)  # type: ignore[method-assign, misc]
    assert (await client.call_api(op)).data.value.x == 1
    assert (await client.call_api_data(op, {}, None)).value.x == 1


async def _answer(response: RESTResponse) -> RESTResponse:
    return response


# ------------------------------- the plain call's own path (call_api_data), more inputs


async def test_the_plain_method_fills_in_its_path_parameters() -> None:
    from together.generated import FilesApi

    transport = Recorder()
    client = ApiClient(Configuration(host=HOST, access_token="tk"), transport=transport)
    with pytest.raises(MalformedResponseError):  # "{}" is no FileResponse
        await FilesApi(client).get_files_id("file-123")
    assert transport.sent[0].url == f"{HOST}/files/file-123"


async def test_the_plain_method_keeps_using_a_transport_replaced_before_several_calls() -> None:
    from together.generated import EmbeddingsApi

    first, second = Recorder(), Recorder()
    client = ApiClient(Configuration(host=HOST, access_token="tk"), transport=first)
    api = EmbeddingsApi(client)
    client.rest_client = second
    for _ in range(3):
        with pytest.raises(MalformedResponseError):
            await api.embeddings({"model": "m", "input": "a"})
    assert (len(first.sent), len(second.sent)) == (0, 3)


async def test_the_plain_method_does_not_ask_for_a_stream() -> None:
    # docs: the plain call reads one answer; a body asking for a stream is refused there,
    # and the flag is not turned on in what is sent.

    from together.generated import ChatApi

    transport = Recorder()
    client = ApiClient(Configuration(host=HOST, access_token="tk"), transport=transport)
    api = ChatApi(client)
    message = {"role": "user", "content": "hi"}
    with pytest.raises(ApiValueError):
        await api.chat_completions({"model": "m", "messages": [message], "stream": True})
    assert transport.sent == []
    with pytest.raises(MalformedResponseError):  # "{}" is no ChatCompletionResponse
        await api.chat_completions({"model": "m", "messages": [message]})
    assert json_of(transport.sent[0].body) == {"model": "m", "messages": [message]}


async def test_a_retried_call_waits_with_the_default_sleep() -> None:
    # No sleep replaced: the client's own (asyncio.sleep) waits between the attempts.
    class OneUnavailable(Recorder):
        async def request(
            self, request: PreparedRequest, *, timeout: RequestTimeout = None
        ) -> RESTResponse:
            self.sent.append(request)
            if len(self.sent) == 1:
                return RESTResponse(503, "Unavailable", {}, b"", None)
            return OK

    transport = OneUnavailable()
    configuration = Configuration(
        host=HOST, retries=1, retry_initial_backoff=0.001, retry_max_backoff=0.001
    )
    client = ApiClient(configuration, transport=transport)
    op: Operation[dict[Any, Any]] = Operation(
        "get_thing", "GET", "/thing", responses={"200": ResponseSpec.json(dict)}, retry_safe=True
    )
    assert await client.call_api_data(op, {}, None) == {}
    assert len(transport.sent) == 2


async def test_an_answer_with_a_json_content_type_not_seen_before_is_read_as_json() -> None:
    class FreshType(Recorder):
        async def request(
            self, request: PreparedRequest, *, timeout: RequestTimeout = None
        ) -> RESTResponse:
            self.sent.append(request)
            content_type = f"application/json; profile=p{len(self.sent)}-fresh-in-this-test"
            return RESTResponse(200, "OK", {"Content-Type": content_type}, b"{}", content_type)

    client = ApiClient(Configuration(host=HOST), transport=FreshType())
    assert await client.call_api_data(operation(), {}, None) == {}
    assert (await client.call_api(operation())).data == {}


def test_a_plain_json_union_declared_here_is_written_by_inference() -> None:
    # The union's own serializer is replaced by pydantic's "any" (written as what it is);
    # the model is defined here, so its schema is built by this test.
    from typing import Annotated

    from together.generated._runtime.model_base import ONE_OF_VALUE, ApiModel

    class Holder(ApiModel):
        value: Annotated[str | list[int], ONE_OF_VALUE]

    field = Holder.__pydantic_core_schema__["schema"]["fields"]["value"]["schema"]
    assert field["serialization"] == {"type": "any"}
    assert Holder(value=[1, 2]).to_json() == '{"value":[1,2]}'
    assert Holder(value="a").to_json() == '{"value":"a"}'


def test_a_dict_whose_keys_have_their_own_serializer_is_not_written_by_inference() -> None:
    from typing import Annotated

    from pydantic import PlainSerializer

    from together.generated._runtime.model_base import ONE_OF_VALUE, ApiModel

    Upper = Annotated[str, PlainSerializer(str.upper)]

    class Holder(ApiModel):
        value: Annotated[dict[Upper, int] | int, ONE_OF_VALUE]

    assert Holder(value={"ab": 1}).to_json() == '{"value":{"AB":1}}'


@pytest.mark.parametrize("observed", [False, True], ids=["unobserved", "with a hook"])
async def test_a_success_decoded_into_an_exception_object_is_the_result_observed_or_not(
    observed: bool,
) -> None:
    # The attempt loop tells a success from an error by the answer's status, on both of its
    # paths: a decode= callable that makes an ApiException of a 2xx body returns it (with a
    # hook it was raised and retried, without one returned).
    results: list[AttemptResult] = []

    class Hook:
        def on_request(self, request: AttemptRequest) -> None:
            pass

        def on_response(self, request: AttemptRequest, result: AttemptResult) -> None:
            results.append(result)

    transport = Recorder()
    client = ApiClient(
        Configuration(host=HOST, retries=2), transport=transport, hooks=[Hook()] if observed else []
    )
    op: Operation[Any] = Operation(
        "get_thing", "GET", "/thing", responses={"200": ResponseSpec.json(dict)}
    )
    made = ApiException(status=418, reason="made by the decoder")
    answer = await client.call_api_data(op, {}, None, None, None, None, None, None, lambda b: made)
    assert answer is made
    assert len(transport.sent) == 1
    assert [r.error for r in results] == ([None] if observed else [])
