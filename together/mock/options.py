"""What the local server can be told (in-process; the CLI maps its flags onto this)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from together.mock.embedding import DEFAULT_DIMENSIONS
from together.mock.faults import FaultOptions

__all__ = ["MockOptions"]


@dataclass
class MockOptions:
    """Everything the server can be told."""

    #: Output dimensions per model; models the spec lists but this omits get 768.
    dimensions: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_DIMENSIONS))
    #: Bearer token to require; ``None`` accepts any well-formed bearer token.
    api_key: str | None = None
    #: Most inputs in one request, and most characters in one input.
    max_inputs: int = 512
    max_input_chars: int = 32_000
    #: Largest request body accepted, in bytes.
    max_body_bytes: int = 32 * 1024 * 1024
    faults: FaultOptions = field(default_factory=FaultOptions)
    spec_path: Path | None = None
