"""The full result of a call: status, headers, decoded data, the raw bytes and request id.

Hand-written runtime (not generated); returned by the ``*_with_http_info`` methods.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from together.generated._runtime.exceptions import request_id_from

T = TypeVar("T")

__all__ = ["ApiResponse"]


# Built on every call: not frozen (treat it as read-only), since a frozen dataclass's
# __init__ costs about four times a plain one's (bench/README.md).
@dataclass(slots=True)
class ApiResponse(Generic[T]):
    status_code: int
    headers: Mapping[str, str]
    data: T
    raw_data: bytes

    @property
    def request_id(self) -> str | None:
        """The server's id for the request (``x-request-id``), when it sent one."""
        return request_id_from(self.headers)
