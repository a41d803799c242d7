"""Keys of what the server keeps on a request while answering it.

aiohttp 3.14 asks for typed keys (``web.RequestKey``) and warns on plain strings, and this
project runs its tests with warnings as errors; aiohttp 3.13 has no ``RequestKey``. One place
makes the keys for whichever is installed.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

__all__ = ["FAULT_OUTCOME", "REQUEST_ID"]


def _key(name: str) -> Any:
    request_key = getattr(web, "RequestKey", None)
    return request_key(name, str) if request_key is not None else name


#: The ``x-request-id`` the answer carries (the caller's, or one made for it).
REQUEST_ID: Any = _key("request_id")
#: What a fault did to this request, counted in ``/_mock/stats`` (e.g. "error-event").
FAULT_OUTCOME: Any = _key("fault_outcome")
