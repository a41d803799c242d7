"""Audio (docs/mock-server.md): speech answers a 0.25 s 16 kHz mono WAV tone (with
``"stream": true``, the spec's event stream); transcriptions and translations take multipart
audio and answer a stand-in transcript naming the bytes received; an empty file is a 400."""

from __future__ import annotations

import io
import json
import wave
from typing import Any

import aiohttp
import pytest

BEARER = {"Authorization": "Bearer any-token"}
SPEECH = {"model": "cartesia/sonic", "input": "hello", "voice": "friendly sidekick"}


async def test_speech_is_a_quarter_second_wav_the_same_for_the_same_request(serve: Any) -> None:
    client = await serve()
    response = await client.post("/v1/audio/speech", json=SPEECH, headers=BEARER)
    assert response.status == 200
    assert response.headers["Content-Type"] == "audio/wav"
    audio = await response.read()
    with wave.open(io.BytesIO(audio)) as sound:
        assert (sound.getnchannels(), sound.getframerate(), sound.getnframes()) == (
            1,
            16_000,
            4_000,
        )
    again = await client.post("/v1/audio/speech", json=SPEECH, headers=BEARER)
    assert await again.read() == audio


async def test_speech_with_stream_true_is_an_event_stream(serve: Any) -> None:
    client = await serve()
    response = await client.post(
        "/v1/audio/speech", json={**SPEECH, "stream": True}, headers=BEARER
    )
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/event-stream"
    frames = (await response.read()).decode().split("\n\n")
    assert frames[-2:] == ["data: [DONE]", ""]
    assert all(isinstance(json.loads(f.removeprefix("data: ")), dict) for f in frames[:-2])


def audio_form(data: bytes | str) -> aiohttp.FormData:
    form = aiohttp.FormData()
    if isinstance(data, bytes):
        form.add_field("file", data, filename="hello.wav", content_type="audio/wav")
    else:
        form.add_field("file", data)
    form.add_field("model", "openai/whisper-large-v3")
    return form


@pytest.mark.parametrize("path", ["/v1/audio/transcriptions", "/v1/audio/translations"])
async def test_the_transcript_names_the_bytes_received(serve: Any, path: str) -> None:
    client = await serve()
    response = await client.post(path, data=audio_form(b"RIFF" + b"\0" * 96), headers=BEARER)
    assert response.status == 200
    answer = await response.json()
    assert answer["text"] == "[together-mock: not speech recognition] 100 bytes of audio"


async def test_audio_given_by_url_gets_a_transcript_saying_so(serve: Any) -> None:
    client = await serve()
    response = await client.post(
        "/v1/audio/transcriptions",
        data=audio_form("https://example.test/hello.wav"),
        headers=BEARER,
    )
    assert response.status == 200, await response.text()
    answer = await response.json()
    assert answer["text"] == "[together-mock: not speech recognition] audio from a URL"


@pytest.mark.parametrize("path", ["/v1/audio/transcriptions", "/v1/audio/translations"])
async def test_an_empty_audio_file_is_a_400(serve: Any, path: str) -> None:
    client = await serve()
    response = await client.post(path, data=audio_form(b""), headers=BEARER)
    assert response.status == 400
    assert await response.json() == {
        "error": {
            "message": "file: the uploaded audio is empty",
            "type": "invalid_request_error",
            "param": "file",
            "code": None,
        }
    }


NO_TEXT = """
openapi: 3.1.0
info: {title: audio without text, version: "1"}
servers: [{url: "http://localhost/v1"}]
components:
  requestBodies:
    Audio:
      content:
        multipart/form-data:
          schema: {type: object, properties: {file: {type: string, format: binary}}}
paths:
  /audio/transcriptions:
    post:
      requestBody: {$ref: "#/components/requestBodies/Audio"}
      responses:
        "200":
          content:
            application/json:
              schema:
                type: object
                required: [language]
                properties: {language: {const: xx}}
                additionalProperties: false
  /audio/translations:
    post:
      requestBody: {$ref: "#/components/requestBodies/Audio"}
      responses: {"200": {content: {application/json: {schema: {const: no words}}}}}
"""


async def test_the_transcript_goes_only_where_the_answer_has_a_text(serve: Any) -> None:
    """Where the spec's answer has no ``text`` string, the synthesized answer is sent as is."""
    client = await serve(spec=NO_TEXT)
    for path, expected in (
        ("/v1/audio/transcriptions", {"language": "xx"}),
        ("/v1/audio/translations", "no words"),
    ):
        response = await client.post(path, data=audio_form(b"RIFF...."), headers=BEARER)
        assert (response.status, await response.json()) == (200, expected)
