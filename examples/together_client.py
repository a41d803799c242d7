"""A small high-level Together client, built only on ``together.generated``'s public surface.

It shows what a wrapper SDK needs from the generated runtime and nothing more: settings
(``Configuration``), the pooled client (``ApiClient``, optionally on a shared aiohttp
session), the generated ``EmbeddingsApi``, hooks for metrics, and ``SyncApiClient`` for
callers without an event loop. No private name is used (a test checks that)::

    from together_client import Together

    with Together(api_key="...") as client:
        vectors = client.embeddings.create(
            model="BAAI/bge-base-en-v1.5", input=["a", "b"], as_numpy=True
        )  # float32 array of shape (2, 768), row i for input i

    async with AsyncTogether(api_key="...") as client:
        response = await client.embeddings.create(model=..., input="one text")

Errors are the runtime's: every one derives from ``OpenApiException``; HTTP errors from
``ApiException`` with ``status`` and ``request_id``.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Literal, Self, overload

import aiohttp

from together.generated import (
    ApiClient,
    CallHook,
    Configuration,
    EmbeddingsApi,
    EmbeddingsRequest,
    EmbeddingsResponse,
    SyncApiClient,
    base_url_from_environment,
)

if TYPE_CHECKING:
    import numpy
    import numpy.typing

    Vectors = numpy.typing.NDArray[numpy.float32]

__all__ = ["AsyncTogether", "Together"]


def _settings(
    api_key: str | None, base_url: str | None, max_retries: int, timeout: float
) -> Configuration:
    # api_key None: Configuration reads TOGETHER_API_KEY; base_url None: TOGETHER_BASE_URL,
    # else Together's own server. base_url means what it means for the official SDK and for
    # TOGETHER_BASE_URL: the API root (https://api.together.ai), to which the spec's /v1 is
    # added; a URL that already ends in /v1 is used as it is.
    host = base_url_from_environment(base_url) if base_url else None
    return Configuration(
        host=host, access_token=api_key, retries=max_retries, total_timeout=timeout
    )


class AsyncEmbeddings:
    """``client.embeddings``: one method, ``create``."""

    def __init__(self, api_client: ApiClient) -> None:
        self._api = EmbeddingsApi(api_client)

    @overload
    async def create(
        self, *, model: str, input: str | Sequence[str], as_numpy: Literal[False] = False
    ) -> EmbeddingsResponse: ...

    @overload
    async def create(
        self, *, model: str, input: str | Sequence[str], as_numpy: Literal[True]
    ) -> Vectors: ...

    @overload
    async def create(
        self, *, model: str, input: str | Sequence[str], as_numpy: bool
    ) -> EmbeddingsResponse | Vectors: ...

    async def create(
        self, *, model: str, input: str | Sequence[str], as_numpy: bool = False
    ) -> EmbeddingsResponse | Vectors:
        """Embed ``input`` (a text or a list of texts).

        Returns the typed answer, or with ``as_numpy=True`` a float32 array with one finite
        row per input, in input order (checked: a short or disordered answer raises).
        """
        texts = [input] if isinstance(input, str) else list(input)
        response = await self._api.embeddings(EmbeddingsRequest(model=model, input=texts))
        return response.to_numpy(expected_rows=len(texts)) if as_numpy else response


class AsyncTogether:
    """The async client. Use ``async with``, or ``await client.close()``.

    Args:
        api_key: the Together API key (default ``$TOGETHER_API_KEY``).
        base_url: the API's root, e.g. ``https://api.together.ai`` (``/v1`` is added; a URL
            ending in ``/v1`` is kept), as for the official SDK and ``$TOGETHER_BASE_URL``
            (the default), else Together's.
        max_retries: retries of a failed call (rate limits, overload, dropped connections).
        timeout: seconds one attempt may take.
        session: an ``aiohttp.ClientSession`` to share with other clients; you close it.
        hooks: objects told about every attempt (metrics, tracing); see
            ``together.generated.CallHook``.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        max_retries: int = 2,
        timeout: float = 60.0,
        session: aiohttp.ClientSession | None = None,
        hooks: Sequence[CallHook] = (),
    ) -> None:
        configuration = _settings(api_key, base_url, max_retries, timeout)
        self.api_client = ApiClient(configuration, session=session, hooks=hooks)
        self.embeddings = AsyncEmbeddings(self.api_client)

    async def close(self) -> None:
        await self.api_client.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class Embeddings:
    """``client.embeddings`` of the blocking client."""

    def __init__(self, client: SyncApiClient) -> None:
        self._client = client
        self._async = AsyncEmbeddings(client.api_client)

    def create(
        self, *, model: str, input: str | Sequence[str], as_numpy: bool = False
    ) -> EmbeddingsResponse | Vectors:
        """As :meth:`AsyncEmbeddings.create`, blocking until the answer is in."""
        return self._client.run(
            lambda: self._async.create(model=model, input=input, as_numpy=as_numpy)
        )


class Together:
    """The blocking client, for code without an event loop. Use ``with``, or ``close()``.

    Takes the arguments of :class:`AsyncTogether` except ``session`` (a blocking client runs
    its own event loop, which a session from another loop cannot join).
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        max_retries: int = 2,
        timeout: float = 60.0,
        hooks: Sequence[CallHook] = (),
    ) -> None:
        configuration = _settings(api_key, base_url, max_retries, timeout)
        self._client = SyncApiClient(configuration, hooks=hooks)
        self.embeddings = Embeddings(self._client)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
