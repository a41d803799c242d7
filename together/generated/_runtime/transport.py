"""The transport seam: what an :class:`ApiClient` sends requests through.

Hand-written runtime (not generated). By default an ``ApiClient`` makes a
:class:`~together.generated._runtime.rest.RESTClientObject` with an aiohttp session of its own. Two
ways to change that, without patching anything:

- ``ApiClient(configuration, session=my_session)``: send through an ``aiohttp.ClientSession``
  the caller opened, e.g. one pool shared by several clients. **The caller owns it**:
  ``ApiClient.close()`` (and ``async with``) leave it open, and the caller closes it after
  the last client is done. The configuration's timeouts, proxy and TLS verification still
  apply per request; its ``connection_pool_maxsize`` does not (the session's connector
  decides). A client may only be used in the session's event loop.
- ``ApiClient(configuration, transport=my_transport)``: any object with the methods of
  :class:`Transport`, e.g. a fake in a test that returns canned answers. ``ApiClient.close()``
  calls its ``close()``. Retries, decoding, error mapping and hooks work exactly as with the
  real transport, since they live above this seam.

A transport raises only :class:`~.exceptions.OpenApiException` subclasses:
:class:`~together.generated._runtime.exceptions.ApiConnectionError` (``retryable``) or
:class:`~together.generated._runtime.exceptions.ApiTimeoutError` when no answer came.
"""

from __future__ import annotations

from typing import Protocol

from together.generated._runtime.open_response import BodyReader, OpenResponse
from together.generated._runtime.rest import PreparedRequest, RequestTimeout, RESTResponse

__all__ = ["BodyReader", "OpenResponse", "PreparedRequest", "RESTResponse", "Transport"]


class Transport(Protocol):
    """What an ``ApiClient`` needs from whatever sends its requests."""

    async def request(
        self, request: PreparedRequest, *, timeout: RequestTimeout = None
    ) -> RESTResponse:
        """Send ``request`` and return the whole answer, whatever its status."""
        ...

    async def open(
        self, request: PreparedRequest, *, timeout: RequestTimeout = None
    ) -> OpenResponse:
        """Send ``request`` and return the answer with its body unread, whatever its status:
        for streams, downloads and the ``*_without_preload_content`` methods. The default
        transport returns ``aiohttp.ClientResponse``; a fake may return any
        :class:`~.open_response.OpenResponse`, or raise
        :class:`~together.generated._runtime.exceptions.ClientStateError` if it serves JSON
        calls only."""
        ...

    async def close(self) -> None:
        """Release what the transport holds; called by ``ApiClient.close()``."""
        ...

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        ...
