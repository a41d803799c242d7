"""The benchmark's server: pre-serialized embeddings answers, so it costs the client nothing.

Run as its own process (``python bench/server.py --port 0``; it prints its URL). Base URLs:

- ``/small/v1``: every call answers 1 embedding of 768 floats;
- ``/large/v1``: every call answers 256 embeddings of 1024 floats (about 5.7 MB as JSON);
- ``/bulk/v1``: answers as many 768-float embeddings as the request has inputs;
- ``/stream/v1``: ``POST /chat/completions`` answers a Server-Sent Events stream of 1,000
  ``ChatCompletionChunk`` events shaped like Together's (one token each, the last with
  ``finish_reason`` and ``usage``) and ``data: [DONE]``, each event written on its own;
- ``/upload/v1``: ``POST /files/upload`` reads a multipart upload piece by piece, counts its
  bytes and answers a ``FileResponse``, never holding the file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys

import aiohttp
from aiohttp import web


def payload(count: int, dimensions: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    data = [
        {
            "object": "embedding",
            "index": i,
            "embedding": [rng.uniform(-0.1, 0.1) for _ in range(dimensions)],
        }
        for i in range(count)
    ]
    return json.dumps({"object": "list", "model": "bench-model", "data": data}).encode()


STREAM_CHUNKS = 1000


def chat_stream_events(count: int = STREAM_CHUNKS, seed: int = 3) -> list[bytes]:
    """``count`` SSE events of a chat completion, as Together streams them, then ``[DONE]``."""
    rng = random.Random(seed)
    words = ["the", " quick", " brown", " fox", " jumps", " over", " lazy", " dog", ",", "."]
    events = []
    for i in range(count):
        last = i == count - 1
        chunk = {
            "id": "8f3c2a1b9d7e6f50-SJC",
            "object": "chat.completion.chunk",
            "created": 1764100000,
            "model": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
            "choices": [
                {
                    "index": 0,
                    "text": (token := rng.choice(words)),
                    "logprobs": None,
                    "finish_reason": "stop" if last else None,
                    "seed": 4242 if last else None,
                    "delta": {
                        "token_id": rng.randrange(128_000),
                        "role": "assistant",
                        "content": token,
                        "tool_calls": None,
                    },
                }
            ],
            "system_fingerprint": None,
            "usage": (
                {"prompt_tokens": 12, "completion_tokens": count, "total_tokens": count + 12}
                if last
                else None
            ),
        }
        events.append(b"data: " + json.dumps(chunk, separators=(",", ":")).encode() + b"\n\n")
    events.append(b"data: [DONE]\n\n")
    return events


def create_app() -> web.Application:
    fixed = {"small": payload(1, 768), "large": payload(256, 1024)}
    row = json.dumps(
        [round(x, 7) for x in random.Random(2).choices([0.01, -0.02, 0.03], k=768)]
    ).encode()
    bulk_cache: dict[int, bytes] = {}

    async def answer_fixed(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=fixed[request.match_info["kind"]], content_type="application/json")

    async def answer_bulk(request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        count = 1 if isinstance(body["input"], str) else len(body["input"])
        if count not in bulk_cache:
            items = b",".join(
                b'{"object":"embedding","index":%d,"embedding":%s}' % (i, row) for i in range(count)
            )
            bulk_cache[count] = b'{"object":"list","model":"bench-model","data":[%s]}' % items
        return web.Response(body=bulk_cache[count], content_type="application/json")

    stream_events = chat_stream_events()

    async def answer_stream(request: web.Request) -> web.StreamResponse:
        await request.read()
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for event in stream_events:
            await response.write(event)
        await response.write_eof()
        return response

    async def answer_upload(request: web.Request) -> web.Response:
        size = 0
        name = "upload"
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            assert isinstance(part, aiohttp.BodyPartReader)
            if part.filename:
                name = part.filename
                while piece := await part.read_chunk(1 << 20):
                    size += len(piece)
            else:
                await part.read()
        answer = {
            "id": "file-bench",
            "object": "file",
            "created_at": 1764100000,
            "filename": name,
            "bytes": size,
            "purpose": "fine-tune",
            "FileType": "jsonl",
            "Processed": True,
            "LineCount": 0,
        }
        return web.Response(body=json.dumps(answer).encode(), content_type="application/json")

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_post("/{kind:small|large}/v1/embeddings", answer_fixed)
    app.router.add_post("/bulk/v1/embeddings", answer_bulk)
    app.router.add_post("/stream/v1/chat/completions", answer_stream)
    app.router.add_post("/upload/v1/files/upload", answer_upload)
    return app


async def serve(port: int) -> None:
    runner = web.AppRunner(create_app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print(f"http://127.0.0.1:{runner.addresses[0][1]}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    try:
        asyncio.run(serve(parser.parse_args().port))
    except KeyboardInterrupt:
        sys.exit(0)
