"""What a handler gets: one call (the parsed request) and the server's state for this run."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from aiohttp import web

from together.mock.options import MockOptions
from together.mock.spec import ApiDescription, Operation
from together.mock.synthesis import Synthesizer

__all__ = ["STATE", "Call", "ServerState", "Upload"]


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class ServerState:
    """Everything one server run holds: the spec, the options, and what clients created."""

    api: ApiDescription
    options: MockOptions
    synthesizer: Synthesizer
    #: Per-resource stores (files, jobs...), by the name of the module that owns them.
    stores: dict[str, Any] = field(default_factory=dict)
    #: How many creates each operation has answered (part of each create's seed).
    creates: dict[str, int] = field(default_factory=dict)


#: Where the application keeps its :class:`ServerState`.
STATE = web.AppKey("state", ServerState)


@dataclass
class Call:
    """One request to one operation, after authentication and validation."""

    request: web.Request
    operation: Operation
    state: ServerState
    #: The JSON body (``None`` without one).
    body: Any = None
    #: Fields of a multipart or form body: text as ``str``, files as :class:`Upload`.
    form: Mapping[str, str | Upload] = field(default_factory=dict)
    path_params: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    #: The injected fault this call answers with (``truncate``, ``error-event``), if any.
    fault: int | str | None = None

    @cached_property
    def raw(self) -> bytes:
        """The body in canonical JSON: what seeds this call's answers (built only when a
        handler needs it; the embeddings hot path does not)."""
        return json.dumps(self.body, sort_keys=True, default=str).encode()

    @property
    def options(self) -> MockOptions:
        return self.state.options

    def rng(self, *extra: object) -> random.Random:
        """A generator seeded by ``--seed``, the operation and the request (and ``extra``):
        the same request gets the same answer."""
        digest = hashlib.blake2b(self.raw, digest_size=16)
        for key, value in sorted(self.query.items()):
            digest.update(f"\0{key}={value}".encode())
        for key, value in sorted(self.path_params.items()):
            digest.update(f"\0{key}:{value}".encode())
        seed = f"{self.options.faults.seed}:{self.operation.key}:{digest.hexdigest()}:{extra}"
        return random.Random(seed)

    def synthesized(self, status: str | None = None, *extra: object) -> Any:
        """A JSON answer for ``status`` (default: the success status) valid against the spec."""
        media = self.operation.responses.get(status or self.operation.success_status, {})
        json_media = media.get("application/json") or next(iter(media.values()), None)
        if json_media is None:
            return {}
        return self.state.synthesizer.example_or_value(
            json_media.examples, json_media.pointer, json_media.schema, self.rng(*extra)
        )
