"""A blocking facade over the async client, for code without an event loop.

Hand-written runtime (not generated). :class:`SyncApiClient` owns one private event loop
(``asyncio.Runner``) and one :class:`~together.generated._runtime.api_client.ApiClient` bound to it,
and runs each call to completion on that loop. The generated API classes are used as they
are, through :meth:`SyncApiClient.api`, so there is no second copy of the generated code::

    with SyncApiClient(Configuration(access_token=key)) as client:
        api = client.api(EmbeddingsApi)
        response = api.embeddings(EmbeddingsRequest(model=..., input=["a", "b"]))

Rules: use one ``SyncApiClient`` from one thread at a time (give each thread its own), and
not from inside a running event loop (there, ``await`` the async client instead); both
mistakes raise :class:`~together.generated._runtime.exceptions.ClientStateError`. Calls are
sequential; for concurrency use the async client.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import threading
from collections.abc import Awaitable, Callable, Coroutine
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from together.generated._runtime.api_client import ApiClient
from together.generated._runtime.configuration import Configuration
from together.generated._runtime.exceptions import ClientStateError

__all__ = ["BlockingApi", "SyncApiClient"]

T = TypeVar("T")
A = TypeVar("A")


class SyncApiClient:
    """An :class:`ApiClient` driven from synchronous code. Close it (or use ``with``).

    ``client_options`` are passed to :class:`ApiClient` (``hooks``, ``retry_policy``,
    ``transport``, ...); a ``session`` cannot be shared with other loops, so it is refused.
    """

    def __init__(self, configuration: Configuration | None = None, **client_options: Any) -> None:
        if "session" in client_options:
            raise ClientStateError(
                "a SyncApiClient runs its own event loop; an aiohttp session from another "
                "loop cannot be used in it"
            )
        self._runner = asyncio.Runner()
        self._closed = False
        self._thread = threading.get_ident()
        self.api_client = ApiClient(configuration, **client_options)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the client's pool and the private loop. Idempotent."""
        if self._closed:
            return
        self.run(self.api_client.close)
        self._runner.close()
        self._closed = True

    def run(self, call: Callable[[], Awaitable[T]]) -> T:
        """Run ``call()`` (an async function of no arguments) on the private loop and return
        its result, e.g. ``client.run(lambda: client.api_client.call_api(op, ...))``."""
        self._check_caller()
        if self._closed:
            raise ClientStateError("this SyncApiClient is closed; create a new one")
        return self._runner.run(_as_coroutine(call()))

    def api(self, api_class: Callable[[ApiClient], A]) -> BlockingApi[A]:
        """The generated ``api_class`` (e.g. ``EmbeddingsApi``) with blocking methods."""
        return BlockingApi(api_class(self.api_client), self)

    def _check_caller(self) -> None:
        if threading.get_ident() != self._thread:
            raise ClientStateError("a SyncApiClient is used from the thread that created it")
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        raise ClientStateError(
            "SyncApiClient called inside a running event loop; await the ApiClient instead"
        )


async def _as_coroutine(awaitable: Awaitable[T]) -> T:
    return await awaitable


class BlockingApi(Generic[A]):
    """A generated API object whose ``async`` methods block until their result is ready.

    Attribute access is forwarded: ``blocking.embeddings(...)`` runs
    ``api.embeddings(...)`` on the owning :class:`SyncApiClient`'s loop. Methods that are
    not coroutine functions are returned as they are.
    """

    def __init__(self, api: A, client: SyncApiClient) -> None:
        self._api = api
        self._client = client

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._api, name)
        if not inspect.iscoroutinefunction(attribute):
            return attribute

        @functools.wraps(attribute)
        def blocking(*args: Any, **kwargs: Any) -> Any:
            # The coroutine is made inside run(), after the caller was checked, so a refused
            # call leaves no "never awaited" coroutine behind.
            method: Callable[..., Coroutine[Any, Any, Any]] = attribute
            return self._client.run(lambda: method(*args, **kwargs))

        return blocking
