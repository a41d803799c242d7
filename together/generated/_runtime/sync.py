"""A blocking facade over the async client, for code without an event loop.

Hand-written runtime (not generated). :class:`SyncApiClient` owns one private event loop
(``asyncio.Runner``) and one :class:`~together.generated._runtime.api_client.ApiClient` bound to it,
and runs each call to completion on that loop. The generated API classes are used as they
are, through :meth:`SyncApiClient.api`, so there is no second copy of the generated code::

    with SyncApiClient(Configuration(access_token=key)) as client:
        api = client.api(EmbeddingsApi)
        response = api.embeddings(EmbeddingsRequest(model=..., input=["a", "b"]))

A ``*_stream`` method gives a :class:`SyncStream`, a blocking iterator of the same typed
chunks (``for chunk in stream``); a ``*_to_file`` download blocks until the file is
complete. Only the ``*_without_preload_content`` forms hand back aiohttp's response, which
needs the loop: read it inside :meth:`SyncApiClient.run`.

Rules: use one ``SyncApiClient`` from one thread at a time (give each thread its own), and
not from inside a running event loop (there, ``await`` the async client instead); both
mistakes raise :class:`~together.generated._runtime.exceptions.ClientStateError`. Calls are
sequential; for concurrency use the async client.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import threading
import warnings
import weakref
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping
from types import TracebackType
from typing import Any, ClassVar, Generic, Self, TypeVar

from together.generated._runtime.api_client import ApiClient
from together.generated._runtime.configuration import Configuration
from together.generated._runtime.exceptions import ClientStateError
from together.generated._runtime.streaming import AsyncStream

__all__ = ["BlockingApi", "SyncApiClient", "SyncStream"]

T = TypeVar("T")
A = TypeVar("A")


class SyncApiClient:
    """An :class:`ApiClient` driven from synchronous code. Close it (or use ``with``).

    ``client_options`` are passed to :class:`ApiClient` (``hooks``, ``retry_policy``,
    ``transport``, ...); a ``session`` cannot be shared with other loops, so it is refused.
    """

    #: The client this facade drives. A package generated from another spec subclasses the
    #: facade with its own client, so ``SyncApiClient()`` uses that spec's settings and never
    #: reads this package's API key.
    client_class: ClassVar[type[ApiClient]] = ApiClient

    def __init__(self, configuration: Configuration | None = None, **client_options: Any) -> None:
        if "session" in client_options:
            raise ClientStateError(
                "a SyncApiClient runs its own event loop; an aiohttp session from another "
                "loop cannot be used in it"
            )
        self._runner = asyncio.Runner()
        self._closed = False
        self._thread = threading.get_ident()
        self.api_client = self.client_class(configuration, **client_options)
        # Dropped unclosed: close what can be closed, and warn, as ApiClient does.
        self._finalizer = weakref.finalize(self, _close_dropped, self._runner, self.api_client)

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
        self._finalizer.detach()

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

    def usable_here(self) -> bool:
        """Whether :meth:`run` may be called now (open, this thread, no running loop)."""
        if self._closed or threading.get_ident() != self._thread:
            return False
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return True
        return False

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


def _close_dropped(runner: asyncio.Runner, api_client: ApiClient) -> None:
    """Close the pool and the private loop of a :class:`SyncApiClient` dropped unclosed."""
    closing = api_client.close()
    try:
        runner.run(closing)
        runner.close()
    except RuntimeError:  # collected while another event loop runs in this thread
        closing.close()
    warnings.warn(
        "Unclosed SyncApiClient: use `with SyncApiClient(...)` or `client.close()`",
        ResourceWarning,
        stacklevel=2,
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
            result = self._client.run(lambda: method(*args, **kwargs))
            if isinstance(result, AsyncStream):
                return SyncStream(result, self._client)
            return result

        return blocking


class SyncStream(Iterator[T]):
    """A streamed answer read from synchronous code: ``for chunk in stream``.

    Each step reads the next chunk on the owning :class:`SyncApiClient`'s loop, so the
    errors are those of :class:`~together.generated._runtime.streaming.AsyncStream`. The
    connection is closed at the end, on an error, on :meth:`close` or leaving a ``with``
    block, and when the stream is garbage-collected (``break`` without ``with``), so the
    server stops generating.
    """

    def __init__(self, stream: AsyncStream[T], client: SyncApiClient) -> None:
        self._stream = stream
        self._client = client

    @property
    def status_code(self) -> int:
        return self._stream.status_code

    @property
    def headers(self) -> Mapping[str, str]:
        return self._stream.headers

    @property
    def request_id(self) -> str | None:
        return self._stream.request_id

    @property
    def closed(self) -> bool:
        return self._stream.closed

    def __repr__(self) -> str:
        return f"<Sync{repr(self._stream)[1:]}"

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> T:
        if self._stream.closed:
            raise StopIteration
        found, chunk = self._client.run(lambda: _next_chunk(self._stream))
        if not found:
            raise StopIteration
        return chunk  # type: ignore[return-value]  # found: a chunk

    def close(self) -> None:
        """Close the connection; idempotent. Iterating afterwards ends at once."""
        self._stream.close_now()
        # The socket is closed by the loop (a callback it has scheduled): give it one turn
        # now, or the server keeps generating until the next call on this client.
        if self._client.usable_here():
            self._client.run(_one_turn)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_stream", None) is not None and not self._stream.closed:
            with contextlib.suppress(Exception):
                self.close()


async def _one_turn() -> None:
    await asyncio.sleep(0)


async def _next_chunk(stream: AsyncStream[T]) -> tuple[bool, T | None]:
    """The next chunk, or ``(False, None)`` at the end (a coroutine must not raise
    ``StopAsyncIteration`` through ``asyncio.Runner.run``)."""
    try:
        return True, await anext(stream)
    except StopAsyncIteration:
        return False, None
