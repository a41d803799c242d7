"""The full result of a call: status, headers, decoded data and the raw bytes.

Hand-written runtime (not generated); returned by the ``*_with_http_info`` methods.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

__all__ = ["ApiResponse"]


@dataclass(frozen=True, slots=True)
class ApiResponse(Generic[T]):
    status_code: int
    headers: Mapping[str, str]
    data: T
    raw_data: bytes
