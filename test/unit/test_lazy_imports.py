"""What importing the package and using one API class load (issue 11, bench/README.md
"Calls and imports").

``import together.generated`` loads only the exceptions and the version; the client, its
settings and the request path come with first use; a client that only sends JSON never loads
the modules for uploads, streams and downloads. Each check runs in a fresh interpreter, since
this process has long imported everything.
"""

from __future__ import annotations

import subprocess
import sys

from support import REPOSITORY

RUNTIME = "together.generated._runtime"
#: What a JSON call never needs: uploads, streams, downloads (and their seed-path modules).
MEDIA = [
    f"{RUNTIME}.multipart",
    f"{RUNTIME}.streaming",
    f"{RUNTIME}.download",
    f"{RUNTIME}.opening",
    f"{RUNTIME}.sync",
    "together.generated.multipart",
    "together.generated.streaming",
]


def run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPOSITORY, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_importing_the_package_loads_neither_the_client_nor_its_settings() -> None:
    out = run(
        "import sys\n"
        "import together.generated\n"
        "print(sorted(m for m in sys.modules if m.startswith('together.generated')))\n"
    )
    assert out == (
        "['together.generated', 'together.generated._runtime', "
        "'together.generated._runtime.exceptions', 'together.generated._runtime.version']"
    )


def test_the_exceptions_need_no_first_use() -> None:
    # The names an ``except`` clause reaches for are bound at import, from the runtime.
    out = run(
        "import together.generated as g\n"
        "names = ('ApiException', 'RateLimitException', 'MalformedResponseError', "
        "'ApiConnectionError', 'OpenApiException')\n"
        "print(all(n in vars(g) for n in names), 'ApiClient' in vars(g), "
        "'Configuration' in vars(g))\n"
    )
    assert out == "True False False"


JSON_CALL = """
import asyncio, sys
import together.generated
from aioresponses import aioresponses

MEDIA = {media!r}

async def main():
    configuration = together.generated.Configuration(
        host="https://api.example.test/v1", access_token="t"
    )
    async with together.generated.ApiClient(configuration) as client:
        api = together.generated.EmbeddingsApi(client)
        print([m for m in MEDIA if m in sys.modules])
        body = {{"object": "list", "model": "m", "data": [
            {{"object": "embedding", "index": 0, "embedding": [0.5]}}]}}
        with aioresponses() as mocked:
            mocked.post("https://api.example.test/v1/embeddings", payload=body)
            response = await api.embeddings({{"model": "m", "input": "a"}})
        print(response.data[0].embedding)
        print([m for m in MEDIA if m in sys.modules])

asyncio.run(main())
"""


def test_a_json_call_loads_no_module_for_uploads_streams_or_downloads() -> None:
    out = run(JSON_CALL.format(media=MEDIA))
    assert out.splitlines() == ["[]", "[0.5]", "[]"]


def test_the_names_of_the_seed_and_the_root_still_resolve_to_the_runtime() -> None:
    out = run(
        "import together.generated as g\n"
        "from together.generated.rest import ApiException\n"
        "from together.generated.models.embeddings_request import EmbeddingsRequest\n"
        "from together.generated import ApiClient, Configuration\n"
        "from together.generated._runtime import api_client, configuration, api_response\n"
        "from together.generated._runtime import exceptions\n"
        "print(ApiException is g.ApiException is exceptions.ApiException,\n"
        "      ApiClient is g.ApiClient is api_client.ApiClient,\n"
        "      Configuration is g.Configuration is configuration.Configuration,\n"
        "      g.ApiResponse is api_response.ApiResponse,\n"
        "      g.EmbeddingsApi.__module__, EmbeddingsRequest is g.EmbeddingsRequest)\n"
        "print(all(n in dir(g) for n in ('ApiClient', 'Configuration', 'ApiResponse')))\n"
    )
    assert out.splitlines() == [
        "True True True True together.generated.api.embeddings_api True",
        "True",
    ]


def test_uploads_and_streams_load_their_modules_when_used() -> None:
    # Lazy, not missing: telling a JSON body from an upload imports nothing, and the first
    # use of a stream brings its module in (the calls themselves are tested in
    # test_multipart.py and test_streaming.py).
    out = run(
        "import sys, together.generated as g\n"
        "from together.generated._runtime.rest import is_multipart\n"
        "print(is_multipart(b'{}'), is_multipart(None), 'together.generated._runtime.multipart'"
        " in sys.modules)\n"
        "print(is_multipart(bytearray(b'{}')), 'together.generated._runtime.multipart'"
        " in sys.modules)\n"
        "g.AsyncStream\n"
        "print('together.generated._runtime.streaming' in sys.modules)\n"
    )
    assert out.splitlines() == ["False False False", "False True", "True"]
