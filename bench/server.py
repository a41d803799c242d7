"""The benchmark's server: pre-serialized embeddings answers, so it costs the client nothing.

Run as its own process (``python bench/server.py --port 0``; it prints its URL). Base URLs:

- ``/small/v1``: every call answers 1 embedding of 768 floats;
- ``/large/v1``: every call answers 256 embeddings of 1024 floats (about 3.5 MB);
- ``/bulk/v1``: answers as many 768-float embeddings as the request has inputs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys

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

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_post("/{kind:small|large}/v1/embeddings", answer_fixed)
    app.router.add_post("/bulk/v1/embeddings", answer_bulk)
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
