"""What the runtime reads from an answer whose body it has not read yet.

Hand-written runtime (not generated). :meth:`Transport.open
<together.generated._runtime.transport.Transport.open>` returns an :class:`OpenResponse`:
streams (:mod:`.streaming`), downloads (:mod:`.download`) and error answers
(:mod:`.opening`) use nothing else from it. ``aiohttp.ClientResponse`` is one (the default
transport returns it); a fake transport in a test can return any object with these members,
e.g. one that serves canned bytes (``test/unit/test_fake_transport_streams.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

__all__ = ["BodyReader", "OpenResponse"]


class BodyReader(Protocol):
    """The body, read piece by piece (aiohttp's ``StreamReader`` is one)."""

    async def read(self, n: int = -1) -> bytes:
        """Up to ``n`` bytes (all that is left when ``n`` is -1); ``b""`` at the end."""
        ...

    async def readany(self) -> bytes:
        """Whatever has arrived (waiting for something); ``b""`` at the end."""
        ...


class OpenResponse(Protocol):
    """An answer whose status and headers are in and whose body is still to be read.

    Reading it may raise ``TimeoutError`` or ``OSError`` (or aiohttp's ``ClientError``) when
    the connection fails; the runtime turns those into ``ApiTimeoutError`` /
    ``ApiConnectionError``.
    """

    @property
    def status(self) -> int: ...

    @property
    def reason(self) -> str | None: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def content(self) -> BodyReader: ...

    @property
    def closed(self) -> bool: ...

    async def read(self) -> bytes:
        """The whole (rest of the) body."""
        ...

    def release(self) -> Any:
        """Give the connection back to the pool (the body was read)."""
        ...

    def close(self) -> None:
        """Close the connection (the body may be unread): the server stops sending."""
        ...
