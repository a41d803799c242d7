"""What the local server can be told (in-process; the CLI maps its flags onto this)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from together.mock.embedding import DEFAULT_DIMENSIONS
from together.mock.faults import FaultOptions

__all__ = ["DEFAULT_CHAT_MODELS", "MockOptions"]

#: Chat models served by default (the replies are not a language model's; see chat.py).
DEFAULT_CHAT_MODELS = (
    "meta-llama/Llama-3.3-70B-Instruct-Turbo",
    "Qwen/Qwen2.5-7B-Instruct-Turbo",
    "mistralai/Mixtral-8x7B-Instruct-v0.1",
)


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
    #: The OpenAPI document to serve (default: ``openapi.yaml``).
    spec_path: Path | None = None
    #: Answer embeddings with their ``data`` items out of order (each keeps its ``index``).
    shuffle: bool = False
    #: Where uploaded files are kept (``None``: in memory).
    data_dir: Path | None = None
    #: Chat and completion models served besides those the spec lists.
    chat_models: list[str] = field(default_factory=lambda: list(DEFAULT_CHAT_MODELS))
