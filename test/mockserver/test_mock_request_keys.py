"""The keys the server stores per-request facts under (request id, fault outcome): aiohttp's
typed ``web.RequestKey`` where aiohttp has one (3.14 warns on plain string keys, and the
suite turns warnings into errors), the plain name on aiohttp 3.13, which has none."""

from __future__ import annotations

import uuid
import warnings

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from together.mock.request_keys import _key


def test_a_key_stores_a_value_on_a_request_without_a_warning() -> None:
    name = f"fact_{uuid.uuid4().hex}"  # aiohttp warns once per plain string key: a new one
    key = _key(name)
    assert isinstance(key, web.RequestKey)
    request = make_mocked_request("GET", "/")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        request[key] = "value"
    assert request[key] == "value"


def test_without_request_keys_in_aiohttp_the_key_is_its_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(web, "RequestKey")
    assert _key("request_id") == "request_id"


def test_a_key_declares_that_it_holds_text() -> None:
    # The request id and the fault outcome ("error-event"...) are strings; aiohttp shows a
    # typed key's value type in its repr (what a KeyError about a missing fact prints).
    key = _key(f"fact_{uuid.uuid4().hex}")
    assert repr(key).endswith(", type=str)>"), repr(key)
