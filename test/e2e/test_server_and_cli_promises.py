"""Promises of docs/mock-server.md and docs/bulk.md that need a real socket and that no other
test pinned (docs/testing.md maps every promise to its test). Expected values are the docs'
own literals."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import aiohttp
from bulk_support import server_env, write_lines

from support import REPOSITORY, TOKEN, run_embed
from together.mock import FaultOptions, MockOptions, MockServer

CHAT_MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"  # mock-server.md: a default chat model
AUTH = {"Authorization": f"Bearer {TOKEN}"}


# ------------------------------------------------------------ mock-server.md#running-it


def test_model_name_dim_and_api_key_from_the_command_line() -> None:
    """mock-server.md#running-it: "`--model NAME=DIM` ... serve an embedding model with that
    many dimensions"; "`--api-key KEY` ... accept only this bearer token"."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "together.mock",
            "--port",
            "0",
            "--model",
            "acme/tiny-embedder=12",
            "--api-key",
            "only-this-key",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPOSITORY,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().rsplit(" ", 1)[-1].strip()
        assert url.startswith("http://127.0.0.1:"), url

        def embed(key: str) -> tuple[int, dict[str, Any]]:
            request = urllib.request.Request(
                url + "/embeddings",
                data=json.dumps({"model": "acme/tiny-embedder", "input": ["a", "b"]}).encode(),
                headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    return answer.status, json.loads(answer.read())
            except urllib.error.HTTPError as error:
                return error.code, json.loads(error.read())

        status, answer = embed("only-this-key")
        assert status == 200
        assert [len(item["embedding"]) for item in answer["data"]] == [12, 12]
        status, answer = embed("another-key")
        assert (status, answer["error"]["code"]) == (401, "invalid_api_key")
    finally:
        process.terminate()
        process.communicate(timeout=10)


# ------------------------------------------------------------ mock-server.md#nothing-here-is-a-model


async def chat(server: MockServer, **extra: Any) -> dict[str, Any]:
    body = {
        "model": CHAT_MODEL,
        "messages": [{"role": "user", "content": "the cat sat on the mat"}],
        **extra,
    }
    async with (
        aiohttp.ClientSession() as session,
        session.post(server.url + "/chat/completions", json=body, headers=AUTH) as answer,
    ):
        assert answer.status == 200, await answer.text()
        parsed: dict[str, Any] = await answer.json()
        return parsed


async def test_chat_n_gives_identical_choices_and_stop_ends_the_reply(
    mock_server: MockServer,
) -> None:
    """mock-server.md: "`stop` sequences end it early, `n` gives that many identical
    choices"; the reply is "`[together-mock: not a language model] You said:` followed by
    the last user message"."""
    plain = await chat(mock_server)
    reply = plain["choices"][0]["message"]["content"]
    assert reply == "[together-mock: not a language model] You said: the cat sat on the mat"
    three = await chat(mock_server, n=3)
    assert [c["message"]["content"] for c in three["choices"]] == [reply] * 3
    stopped = await chat(mock_server, stop=["sat"])
    content = stopped["choices"][0]["message"]["content"]
    assert content.rstrip() == "[together-mock: not a language model] You said: the cat"
    assert stopped["choices"][0]["finish_reason"] == "stop"


# ------------------------------------------------------------ bulk.md#failures-and-what-the-command-says


async def test_an_unknown_model_says_check_model(tmp_path: Path, mock_server: MockServer) -> None:
    """bulk.md: "404 (unknown model) | 1 | "check --model"", nothing written."""
    source = write_lines(tmp_path / "texts.txt", ["a", "b"])
    output = tmp_path / "vectors.npy"
    done = await asyncio.to_thread(
        run_embed,
        "--input",
        str(source),
        "--output",
        str(output),
        "--model",
        "acme/no-such-model",
        env=server_env(mock_server),
    )
    assert done.returncode == 1, done.stderr
    assert "check --model" in done.stderr
    assert "NotFoundException" in done.stderr


async def test_another_4xx_says_fix_the_cause(tmp_path: Path) -> None:
    """bulk.md: "another 4xx ... | 1 | "the API refuses this request as it is: fix the cause
    before running again""; the client's retries do not repeat it."""
    options = MockOptions(api_key=TOKEN, faults=FaultOptions(fail_rate=1.0, fail_statuses=[410]))
    async with MockServer(options) as server:
        source = write_lines(tmp_path / "texts.txt", ["a", "b", "c"])
        done = await asyncio.to_thread(
            run_embed,
            "--input",
            str(source),
            "--output",
            str(tmp_path / "vectors.npy"),
            env=server_env(server),
        )
        requests = server.stats()["/v1/embeddings"]
    assert done.returncode == 1, done.stderr
    assert (
        "the API refuses this request as it is: fix the cause before running again" in done.stderr
    )
    assert requests == {"410": 1}


# ------------------------------------------------------------ README#arrays-and-bulk-embedding


async def test_an_async_iterable_gives_the_servers_vectors_in_input_order(
    mock_server: MockServer,
) -> None:
    """README: "`together.bulk.embed_many` batches any iterable (or async iterable) of texts
    ... Row *i* is always text *i*" — rows compared with the local server's vectors computed
    directly, not with another run of embed_many."""
    import numpy as np
    from bulk_support import MODEL, expected_rows, sentences

    from together.bulk import embed_many
    from together.generated import ApiClient, Configuration

    texts = sentences(57)

    async def produce() -> Any:
        for text in texts:
            await asyncio.sleep(0)
            yield text

    configuration = Configuration(host=mock_server.url, access_token=TOKEN, retries=0)
    async with ApiClient(configuration) as client:
        array = await embed_many(client, produce(), model=MODEL, batch_size=8, concurrency=3)
    assert array is not None and array.shape == (57, 768) and array.dtype == np.float32
    assert np.allclose(array, expected_rows(texts), atol=1e-6)


# ------------------------------------------------------------ README#the-local-server: faults


def test_the_readmes_fault_command_serves_those_faults() -> None:
    """README#the-local-server: "Faults on demand: `together-mock --port 0 --fail-rate 0.2
    --fail-statuses 429,503,504 --retry-after 1`" (mock-server.md#fault-injection:
    `Retry-After: S` on 429 and 503 answers)."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "together.mock",
            "--port",
            "0",
            "--fail-rate",
            "0.2",
            "--fail-statuses",
            "429,503,504",
            "--retry-after",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPOSITORY,
    )
    seen: dict[int, int] = {}
    try:
        assert process.stdout is not None
        url = process.stdout.readline().rsplit(" ", 1)[-1].strip()
        body = json.dumps({"model": "BAAI/bge-base-en-v1.5", "input": "x"}).encode()
        for _ in range(150):  # P(no fault in 150 at 0.2) < 1e-14
            request = urllib.request.Request(
                url + "/embeddings",
                data=body,
                headers={**AUTH, "Content-Type": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    status, retry_after = answer.status, answer.headers.get("Retry-After")
            except urllib.error.HTTPError as error:
                status, retry_after = error.code, error.headers.get("Retry-After")
            seen[status] = seen.get(status, 0) + 1
            if status in (429, 503):
                assert retry_after == "1"
    finally:
        process.terminate()
        process.communicate(timeout=10)
    assert set(seen) <= {200, 429, 503, 504} and seen.get(200, 0) < 150
    assert 5 <= 150 - seen[200] <= 75, seen  # about 20 % (30 expected)


# ------------------------------------------------------------ mock-server.md#fault-injection: reset


async def test_reset_clears_the_counts_and_the_peak(mock_server: MockServer) -> None:
    """mock-server.md: "`POST /_mock/reset` clears the counts and the peak"."""
    body = {"model": "BAAI/bge-base-en-v1.5", "input": "x"}
    async with aiohttp.ClientSession(headers=AUTH) as session:
        for _ in range(2):
            async with session.post(mock_server.url + "/embeddings", json=body) as answer:
                assert answer.status == 200
        assert mock_server.stats()["/v1/embeddings"] == {"200": 2}
        async with session.post(mock_server.root_url + "/_mock/reset") as answer:
            assert answer.status < 300
        async with session.get(mock_server.root_url + "/_mock/stats") as answer:
            stats = await answer.json()
        async with session.get(mock_server.root_url + "/_mock/concurrency") as answer:
            concurrency = await answer.json()
    assert stats == {"total": 0, "requests": {}}
    assert concurrency == {"in_flight": 0, "peak": 0}


# ------------------------------------------------------------ mock-server.md#answers: 3xx and 101


async def test_a_redirect_answer_points_at_a_blob_and_an_upgrade_refuses_plain_http(
    mock_server: MockServer,
) -> None:
    """mock-server.md#answers: "a 3xx points `Location` at `/_mock/blobs/...`; a 101
    (WebSocket) operation ... answers a plain HTTP request 400"."""
    async with aiohttp.ClientSession(headers=AUTH) as session:
        async with session.get(
            mock_server.url + "/deployments/storage/model.bin", allow_redirects=False
        ) as answer:
            status, location = answer.status, answer.headers.get("Location", "")
        async with session.get(location) as blob:
            blob_status = blob.status
        async with session.get(
            mock_server.url + "/realtime",
            params={"model": "m", "input_audio_format": "pcm_s16le_16000"},
        ) as plain:
            upgrade_status, refusal = plain.status, await plain.json()
    assert status == 307  # the spec's only declared answer of that operation besides errors
    assert location.startswith(mock_server.root_url + "/_mock/blobs/"), location
    assert blob_status == 200
    assert upgrade_status == 400
    assert refusal["error"]["message"].endswith("needs a WebSocket upgrade")


# ------------------------------------------------------------ README#set-up: the console scripts


def test_the_console_scripts_the_readme_runs_are_installed_and_work() -> None:
    """README#set-up runs `.venv/bin/together-embed "The cat sat on the mat" ...`;
    mock-server.md#running-it runs `together-mock --port 0` (the URL is printed)."""
    import os

    scripts = Path(sys.executable).parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOGETHER_")}
    done = subprocess.run(
        [str(scripts / "together-embed"), "The cat sat on the mat", "A cat sat on a mat"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPOSITORY,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "count: 2" in done.stdout.splitlines()
    server = subprocess.Popen(
        [str(scripts / "together-mock"), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPOSITORY,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
    finally:
        server.terminate()
        server.communicate(timeout=10)
    assert line.rsplit(" ", 1)[-1].strip().startswith("http://127.0.0.1:"), line


# ------------------------------------------------------------ runtime.md: proxies of the environment


async def test_the_clients_own_session_ignores_the_environments_proxy(
    mock_server: MockServer, monkeypatch: Any
) -> None:
    """runtime.md#transport-and-connection-pool: "the client's own session is created with
    `trust_env=False`, so it reads neither `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY` ...; the
    one proxy it uses is `Configuration.proxy`"."""
    from together.generated import ApiClient, ApiConnectionError, Configuration, EmbeddingsApi

    dead_proxy = "http://127.0.0.1:9"  # nothing listens there: going through it fails
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, dead_proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    request = {"model": "BAAI/bge-base-en-v1.5", "input": ["x"]}
    configuration = Configuration(host=mock_server.url, access_token=TOKEN, retries=0)
    async with ApiClient(configuration) as client:
        response = await EmbeddingsApi(client).embeddings(request)
    assert len(response.data[0].embedding) == 768
    through = Configuration(host=mock_server.url, access_token=TOKEN, retries=0, proxy=dead_proxy)
    async with ApiClient(through) as client:
        try:
            await EmbeddingsApi(client).embeddings(request)
        except ApiConnectionError:
            pass  # the configured proxy is used: it is dead
        else:
            raise AssertionError("Configuration.proxy was not used")
