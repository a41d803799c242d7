"""Files and long-running resources on the 2026-04 spec: what a client creates it gets back
within one server run. Includes the official SDK's upload flow (a form POST /files answered
302 to a presigned URL, a PUT of the bytes, POST /files/{id}/preprocess; and the multipart
flow), driven here over raw HTTP as the SDK's upload code does it. Skipped when
``../shared/specs/`` is absent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from support import SHARED_SPECS, TOKEN
from together.mock import MockOptions, MockServer

SPEC_2026 = SHARED_SPECS / "together-openapi-2026-04.yaml"
pytestmark = pytest.mark.skipif(not SPEC_2026.exists(), reason="../shared/specs/ is absent")
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CONTENT = b'{"text": "hello"}\n{"text": "world"}\n'


@pytest.fixture
async def server() -> AsyncIterator[MockServer]:
    async with MockServer(MockOptions(api_key=TOKEN), spec=SPEC_2026) as server:
        yield server


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(headers=AUTH) as session:
        yield session


async def call(
    session: aiohttp.ClientSession, method: str, url: str, **kwargs: Any
) -> tuple[int, Any]:
    async with session.request(method, url, **kwargs) as response:
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, await response.read()


async def test_upload_list_retrieve_download_delete(
    server: MockServer, session: aiohttp.ClientSession
) -> None:
    form = aiohttp.FormData()
    form.add_field("purpose", "fine-tune")
    form.add_field("file_name", "train.jsonl")
    form.add_field("file", CONTENT, filename="train.jsonl")
    status, created = await call(session, "POST", server.url + "/files/upload", data=form)
    assert status == 200
    assert (created["filename"], created["bytes"], created["purpose"]) == (
        "train.jsonl",
        len(CONTENT),
        "fine-tune",
    )
    file_id = created["id"]
    _, listed = await call(session, "GET", server.url + "/files")
    assert [f["id"] for f in listed["data"]] == [file_id]
    assert (await call(session, "GET", f"{server.url}/files/{file_id}"))[1] == created
    assert (await call(session, "GET", f"{server.url}/files/{file_id}/content")) == (200, CONTENT)
    status, deleted = await call(session, "DELETE", f"{server.url}/files/{file_id}")
    assert (status, deleted["deleted"]) == (200, True)
    assert (await call(session, "GET", f"{server.url}/files/{file_id}"))[0] == 404
    assert (await call(session, "GET", server.url + "/files"))[1]["data"] == []


async def test_empty_upload_is_a_400(server: MockServer, session: aiohttp.ClientSession) -> None:
    form = aiohttp.FormData()
    form.add_field("purpose", "fine-tune")
    form.add_field("file_name", "empty.jsonl")
    form.add_field("file", b"", filename="empty.jsonl")
    status, answer = await call(session, "POST", server.url + "/files/upload", data=form)
    assert (status, answer["error"]["param"]) == (400, "file")


async def test_the_sdks_redirect_upload_flow(server: MockServer) -> None:
    async with aiohttp.ClientSession() as session:
        fields = {"purpose": "fine-tune", "file_name": "data.jsonl", "file_type": "jsonl"}
        async with session.post(
            server.url + "/files", data=fields, headers=AUTH, allow_redirects=False
        ) as response:
            assert response.status == 302
            location = response.headers["Location"]
            file_id = response.headers["X-Together-File-Id"]
        assert location.startswith(server.root_url)  # the presigned URL is local
        async with session.put(location, data=CONTENT) as response:  # no token, as S3
            assert response.status == 200
        status, done = await call(
            session, "POST", f"{server.url}/files/{file_id}/preprocess", headers=AUTH
        )
        assert (status, done["id"], done["bytes"], done["filename"]) == (
            200,
            file_id,
            len(CONTENT),
            "data.jsonl",
        )
        status, content = await call(
            session, "GET", f"{server.url}/files/{file_id}/content", headers=AUTH
        )
        assert (status, content) == (200, CONTENT)


async def test_the_sdks_multipart_upload_flow(
    server: MockServer, session: aiohttp.ClientSession
) -> None:
    body = {
        "file_name": "big.jsonl",
        "file_size": len(CONTENT),
        "num_parts": 2,
        "purpose": "fine-tune",
        "file_type": "jsonl",
    }
    status, started = await call(
        session, "POST", server.url + "/files/multipart/initiate", json=body
    )
    assert status == 200 and [p["PartNumber"] for p in started["parts"]] == [1, 2]
    halves = [CONTENT[:10], CONTENT[10:]]
    done_parts = []
    async with aiohttp.ClientSession() as plain:
        for part, data in zip(started["parts"], halves, strict=True):
            async with plain.put(part["URL"], data=data, headers=part["Headers"]) as response:
                assert response.status == 200
                done_parts.append(
                    {"part_number": part["PartNumber"], "etag": response.headers["ETag"].strip('"')}
                )
    complete = {
        "upload_id": started["upload_id"],
        "file_id": started["file_id"],
        "parts": done_parts,
    }
    status, finished = await call(
        session, "POST", server.url + "/files/multipart/complete", json=complete
    )
    assert status == 200 and finished["file"]["bytes"] == len(CONTENT)
    content = await call(session, "GET", f"{server.url}/files/{started['file_id']}/content")
    assert content == (200, CONTENT)
    # Aborting a started upload forgets it.
    status, other = await call(session, "POST", server.url + "/files/multipart/initiate", json=body)
    abort = {"upload_id": other["upload_id"], "file_id": other["file_id"]}
    assert (await call(session, "POST", server.url + "/files/multipart/abort", json=abort))[
        0
    ] == 200
    assert (await call(session, "GET", f"{server.url}/files/{other['file_id']}"))[0] == 404


async def test_data_dir_keeps_uploaded_bytes_on_disk(tmp_path: Path) -> None:
    async with (
        MockServer(MockOptions(api_key=TOKEN, data_dir=tmp_path), spec=SPEC_2026) as server,
        aiohttp.ClientSession(headers=AUTH) as session,
    ):
        form = aiohttp.FormData()
        form.add_field("purpose", "fine-tune")
        form.add_field("file_name", "a.jsonl")
        form.add_field("file", CONTENT, filename="a.jsonl")
        _, created = await call(session, "POST", server.url + "/files/upload", data=form)
    assert (tmp_path / created["id"]).read_bytes() == CONTENT


async def test_fine_tune_create_get_list_cancel_delete(
    server: MockServer, session: aiohttp.ClientSession
) -> None:
    body = {"training_file": "file-abc", "model": "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference"}
    status, created = await call(session, "POST", server.url + "/fine-tunes", json=body)
    assert status == 200
    job = created["id"]
    statuses = []
    for _ in range(3):
        status, got = await call(session, "GET", f"{server.url}/fine-tunes/{job}")
        assert (status, got["id"], got["training_file"], got["model"]) == (
            200,
            job,
            "file-abc",
            body["model"],
        )
        statuses.append(got["status"])
    assert statuses == ["running", "completed", "completed"]  # moves on as it is read
    _, listed = await call(session, "GET", server.url + "/fine-tunes")
    assert [item["id"] for item in listed["data"]] == [job]
    status, cancelled = await call(session, "POST", f"{server.url}/fine-tunes/{job}/cancel")
    assert (status, cancelled["status"]) == (200, "cancelled")
    assert (await call(session, "GET", f"{server.url}/fine-tunes/{job}"))[1][
        "status"
    ] == "cancelled"
    assert (await call(session, "DELETE", f"{server.url}/fine-tunes/{job}"))[0] == 200
    assert (await call(session, "GET", f"{server.url}/fine-tunes/{job}"))[0] == 404
    assert (await call(session, "GET", server.url + "/fine-tunes/nope"))[0] == 404


async def test_batches_and_endpoints_are_kept(
    server: MockServer, session: aiohttp.ClientSession
) -> None:
    batch = {"endpoint": "/v1/chat/completions", "input_file_id": "file-in"}
    status, created = await call(session, "POST", server.url + "/batches", json=batch)
    assert status == 201
    batch_id = created["job"]["id"]
    status, got = await call(session, "GET", f"{server.url}/batches/{batch_id}")
    assert (status, got["id"], got["input_file_id"]) == (200, batch_id, "file-in")
    status, listed = await call(session, "GET", server.url + "/batches")
    assert [b["id"] for b in listed] == [batch_id]
    _, cancelled = await call(session, "POST", f"{server.url}/batches/{batch_id}/cancel")
    assert cancelled["status"] == "CANCELLED"
    endpoint = {
        "model": "meta-llama/Llama-3-8b-chat-hf",
        "hardware": "1x_nvidia_a100_80gb_sxm",
        "autoscaling": {"min_replicas": 1, "max_replicas": 1},
    }
    status, created = await call(session, "POST", server.url + "/endpoints", json=endpoint)
    assert status == 200, created
    endpoint_id = created["id"]
    status, got = await call(session, "GET", f"{server.url}/endpoints/{endpoint_id}")
    assert (status, got["id"], got["model"]) == (200, endpoint_id, endpoint["model"])
    assert (await call(session, "DELETE", f"{server.url}/endpoints/{endpoint_id}"))[0] == 204
    assert (await call(session, "GET", f"{server.url}/endpoints/{endpoint_id}"))[0] == 404


def same_fields(answers: dict[str, dict[str, Any]]) -> list[tuple[str, str, str]]:
    """The fields two answers about one resource both show with different values (the
    status aside, which moves on): none, when each field is chosen once."""
    differ = []
    names = list(answers)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            a, b = answers[first], answers[second]
            for key in a.keys() & b.keys() - {"status"}:
                if a[key] != b[key]:
                    differ.append((first, second, key))
    return differ


async def test_a_resource_shows_the_same_fields_in_every_answer(
    server: MockServer, session: aiohttp.ClientSession
) -> None:
    """A fine-tune's `created_at`, `n_epochs`, `training_method`... and a batch's (its create
    answers it nested as `job`) are what the create (or the first answer showing them)
    said, in every later retrieve, list and cancel."""
    body = {"training_file": "file-abc", "model": "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference"}
    created = (await call(session, "POST", server.url + "/fine-tunes", json=body))[1]
    job = created["id"]
    answers = {"create": created}
    for read in ("get", "again"):
        answers[read] = (await call(session, "GET", f"{server.url}/fine-tunes/{job}"))[1]
    answers["list"] = (await call(session, "GET", server.url + "/fine-tunes"))[1]["data"][0]
    answers["cancel"] = (await call(session, "POST", f"{server.url}/fine-tunes/{job}/cancel"))[1]
    answers["last"] = (await call(session, "GET", f"{server.url}/fine-tunes/{job}"))[1]
    assert {"created_at", "training_method"} <= answers["get"].keys()
    assert same_fields(answers) == []

    batch = {"endpoint": "/v1/chat/completions", "input_file_id": "file-in"}
    created = (await call(session, "POST", server.url + "/batches", json=batch))[1]["job"]
    ident = created["id"]
    answers = {"create": created}
    answers["get"] = (await call(session, "GET", f"{server.url}/batches/{ident}"))[1]
    answers["list"] = (await call(session, "GET", server.url + "/batches"))[1][0]
    answers["cancel"] = (await call(session, "POST", f"{server.url}/batches/{ident}/cancel"))[1]
    assert "created_at" in answers["get"]
    assert same_fields(answers) == []
