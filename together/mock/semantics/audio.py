"""Audio: speech answers a small valid WAV; transcriptions and translations take multipart
audio and answer a deterministic stand-in transcript (not speech recognition)."""

from __future__ import annotations

from aiohttp import web

from together.mock.answers import json_answer, synthesized_answer, wants_stream
from together.mock.audio import wav_bytes
from together.mock.context import Call, Upload
from together.mock.errors import error_response

__all__ = ["speech", "transcription"]


async def speech(call: Call) -> web.StreamResponse:
    """POST /audio/speech: a WAV whatever ``response_format`` asks (the spec allows it);
    with ``"stream": true``, the spec's ``text/event-stream`` of synthesized chunks."""
    if wants_stream(call):
        return await synthesized_answer(call)
    return web.Response(body=wav_bytes(call.rng()), content_type="audio/wav")


async def transcription(call: Call) -> web.StreamResponse:
    """POST /audio/transcriptions and /audio/translations."""
    audio = call.form.get("file")
    if isinstance(audio, Upload):
        if not audio.data:
            return error_response(400, "file: the uploaded audio is empty", param="file")
        size = f"{len(audio.data)} bytes of audio"
    else:
        size = "audio from a URL"
    answer = call.synthesized()
    if isinstance(answer, dict) and isinstance(answer.get("text"), str):
        answer["text"] = f"[together-mock: not speech recognition] {size}"
    return json_answer(answer)
