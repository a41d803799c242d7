"""Operations with real semantics, by "METHOD /path"; every other operation's answer is
synthesized from its response schema (:mod:`together.mock.answers`)."""

from __future__ import annotations

from typing import Any

from together.mock.semantics import audio, catalog, chat, embeddings, files, finetune_limits, jobs
from together.mock.spec import ApiDescription

__all__ = ["extra_routes", "handlers_for"]

_FIXED: dict[str, Any] = {
    "POST /embeddings": embeddings.embeddings,
    "POST /rerank": embeddings.rerank,
    "POST /chat/completions": chat.chat_completions,
    "POST /completions": chat.completions,
    "GET /models": catalog.models,
    "GET /fine-tunes/models/limits": finetune_limits.model_limits,
    "POST /audio/speech": audio.speech,
    "POST /audio/transcriptions": audio.transcription,
    "POST /audio/translations": audio.transcription,
    **files.file_handlers,
}


def handlers_for(api: ApiDescription) -> dict[str, Any]:
    """The semantic handler of each operation of ``api`` that has one."""
    found = {**jobs.job_handlers(api), **_FIXED}
    keys = {op.key for op in api.operations}
    return {key: handler for key, handler in found.items() if key in keys}


def extra_routes(api: ApiDescription) -> list[tuple[str, str, Any]]:
    """Routes the spec does not describe but the official SDK uses (file uploads)."""
    return files.extra_file_routes(api)
