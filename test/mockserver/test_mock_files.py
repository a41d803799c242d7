"""Files (docs/mock-server.md, "Real semantics" and "The official SDK's upload flow"): what a
client uploads it can list, retrieve, download and delete, in memory or in ``--data-dir``;
the SDK's redirect flow (form ``POST /files`` answered 302, ``PUT`` of the bytes, ``POST
/files/{id}/preprocess``) and its multipart flow (initiate, a ``PUT`` per part, complete or
abort), with their bearer checks and their 400s and 404s."""

from __future__ import annotations

import gc
import hashlib
import io
import time
import tracemalloc
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from together.mock import MockOptions

BEARER = {"Authorization": "Bearer any-token"}
CONTENT = b'{"text": "hello"}\n'


def error(message: str, param: str | None = None, code: str | None = None) -> dict[str, Any]:
    return {
        "error": {
            "message": message,
            "type": "invalid_request_error",
            "param": param,
            "code": code,
        }
    }


def not_found(file_id: str) -> tuple[int, Any]:
    return 404, error(f"File {file_id} not found", "id", "not_found")


async def answer(response: aiohttp.ClientResponse) -> tuple[int, Any]:
    if response.content_type == "application/json":
        return response.status, await response.json()
    return response.status, await response.read()


def upload_form(
    data: bytes, filename: str = "train.jsonl", file_name: str | None = "train.jsonl", **fields: str
) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("purpose", fields.pop("purpose", "fine-tune"))
    if file_name is not None:
        form.add_field("file_name", file_name)
    for name, value in fields.items():
        form.add_field(name, value)
    form.add_field("file", data, filename=filename)
    return form


async def upload(client: Any, data: bytes = CONTENT, **kwargs: Any) -> dict[str, Any]:
    status, created = await answer(
        await client.post("/v1/files/upload", data=upload_form(data, **kwargs), headers=BEARER)
    )
    assert status == 200, created
    return created  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------- the spec's


async def test_an_upload_is_described_listed_retrieved_downloaded_and_deleted(serve: Any) -> None:
    client = await serve()
    before = int(time.time())
    created = await upload(client)
    assert created.pop("id").startswith("file-")
    assert before <= created.pop("created_at") <= time.time()
    assert created == {
        "object": "file",
        "filename": "train.jsonl",
        "bytes": len(CONTENT),
        "purpose": "fine-tune",
        "FileType": "jsonl",
        "type": "jsonl",
        "Processed": True,
    }
    listed = await answer(await client.get("/v1/files", headers=BEARER))
    (only,) = listed[1]["data"]
    assert listed == (200, {"object": "list", "data": [only]})
    file_id = only["id"]
    assert await answer(await client.get(f"/v1/files/{file_id}", headers=BEARER)) == (200, only)
    response = await client.get(f"/v1/files/{file_id}/content", headers=BEARER)
    assert response.content_type == "text/plain"
    assert await response.read() == CONTENT
    deleted = await answer(await client.delete(f"/v1/files/{file_id}", headers=BEARER))
    assert deleted == (200, {"id": file_id, "object": "file", "deleted": True})
    for path in (f"/v1/files/{file_id}", f"/v1/files/{file_id}/content"):
        assert await answer(await client.get(path, headers=BEARER)) == not_found(file_id)
    assert await answer(await client.delete(f"/v1/files/{file_id}", headers=BEARER)) == (
        not_found(file_id)
    )
    assert (await answer(await client.get("/v1/files", headers=BEARER)))[1]["data"] == []


@pytest.mark.parametrize(
    ("filename", "file_name", "file_type", "name", "kind"),
    [
        ("a.csv", "b.parquet", None, "b.parquet", "parquet"),  # file_name names it
        ("a.csv", "", None, "a.csv", "csv"),  # else the part's file name
        ("a.CSV", "", None, "a.CSV", "csv"),
        ("a.txt", "", None, "a.txt", "jsonl"),  # an unknown suffix: jsonl
        ("noext", "", None, "noext", "jsonl"),
        ("train.v2.csv", "", None, "train.v2.csv", "csv"),  # the last suffix counts
        ("a.csv", "", "parquet", "a.csv", "parquet"),  # file_type wins
    ],
)
async def test_names_and_types_of_uploads(
    serve: Any, filename: str, file_name: str, file_type: str | None, name: str, kind: str
) -> None:
    client = await serve()
    extra: dict[str, Any] = {} if file_type is None else {"file_type": file_type}
    created = await upload(client, filename=filename, file_name=file_name, **extra)
    assert (created["filename"], created["FileType"], created["type"]) == (name, kind, kind)


async def test_each_upload_is_a_file_of_its_own(serve: Any) -> None:
    client = await serve()
    first, second = await upload(client, b"one\n"), await upload(client, b"two\n")
    assert first["id"] != second["id"]
    listed = (await answer(await client.get("/v1/files", headers=BEARER)))[1]["data"]
    assert [f["id"] for f in listed] == [first["id"], second["id"]]
    await client.delete(f"/v1/files/{first['id']}", headers=BEARER)
    response = await client.get(f"/v1/files/{second['id']}/content", headers=BEARER)
    assert (response.status, await response.read()) == (200, b"two\n")


async def test_an_empty_upload_is_a_400(serve: Any) -> None:
    client = await serve()
    got = await answer(await client.post("/v1/files/upload", data=upload_form(b""), headers=BEARER))
    assert got == (400, error("file: the uploaded file is empty", "file"))


async def test_the_file_must_be_a_file_part(serve: Any) -> None:
    client = await serve()
    fields = {"purpose": "fine-tune", "file_name": "a.jsonl", "file": "text, not a file"}
    got = await answer(await client.post("/v1/files/upload", data=fields, headers=BEARER))
    assert got == (400, error('file: expected a file part, got "text, not a file"', "file"))


async def test_data_dir_keeps_the_bytes_on_disk_until_deleted(serve: Any, tmp_path: Path) -> None:
    data_dir = tmp_path / "deep" / "files"  # made if missing
    client = await serve(MockOptions(data_dir=data_dir))
    file_id = (await upload(client))["id"]
    assert (data_dir / file_id).read_bytes() == CONTENT
    response = await client.get(f"/v1/files/{file_id}/content", headers=BEARER)
    assert await response.read() == CONTENT
    (data_dir / file_id).write_bytes(b"changed on disk")
    response = await client.get(f"/v1/files/{file_id}/content", headers=BEARER)
    assert await response.read() == b"changed on disk"  # read from disk, not memory
    (data_dir / file_id).unlink()
    response = await client.get(f"/v1/files/{file_id}/content", headers=BEARER)
    assert (response.status, await response.read()) == (200, b"")
    assert (await client.delete(f"/v1/files/{file_id}", headers=BEARER)).status == 200
    other = (await upload(client))["id"]
    assert (await client.delete(f"/v1/files/{other}", headers=BEARER)).status == 200
    assert list(data_dir.iterdir()) == []
    assert await answer(await client.delete(f"/v1/files/{other}", headers=BEARER)) == (
        not_found(other)
    )


# ---------------------------------------------------------------------------- the SDK's


async def start(client: Any, **fields: str) -> aiohttp.ClientResponse:
    body = {"purpose": "fine-tune", "file_name": "data.csv", **fields}
    response: aiohttp.ClientResponse = await client.post(
        "/v1/files", data=body, headers=BEARER, allow_redirects=False
    )
    return response


async def test_the_redirect_flow_lists_the_file_only_once_its_bytes_arrive(serve: Any) -> None:
    client = await serve()
    response = await start(client)
    assert response.status == 302
    file_id = response.headers["X-Together-File-Id"]
    assert file_id.startswith("file-")
    location = response.headers["Location"]
    assert location == f"http://{client.host}:{client.port}/_mock/uploads/{file_id}"
    assert (await answer(await client.get("/v1/files", headers=BEARER)))[1]["data"] == []
    preprocess = f"/v1/files/{file_id}/preprocess"
    assert await answer(await client.post(preprocess, headers=BEARER)) == not_found(file_id)
    assert await answer(await client.get(f"/v1/files/{file_id}/content", headers=BEARER)) == (
        not_found(file_id)
    )
    put = await client.put(f"/_mock/uploads/{file_id}", data=CONTENT)  # no token, as S3
    assert (put.status, put.headers["ETag"]) == (200, f'"{file_id}"')
    status, done = await answer(await client.post(preprocess, headers=BEARER))
    assert status == 200
    assert (done["id"], done["filename"], done["bytes"], done["type"], done["Processed"]) == (
        file_id,
        "data.csv",
        len(CONTENT),
        "csv",
        True,
    )
    assert [
        f["id"] for f in (await answer(await client.get("/v1/files", headers=BEARER)))[1]["data"]
    ] == [file_id]


async def test_the_redirect_flow_takes_a_multipart_form(serve: Any) -> None:
    client = await serve()
    form = aiohttp.FormData()
    form.add_field("purpose", "fine-tune")
    form.add_field("file_name", "parts.jsonl")
    form.add_field("ignored", b"a file part is not a field", filename="x.bin")
    response = await client.post("/v1/files", data=form, headers=BEARER, allow_redirects=False)
    assert response.status == 302
    file_id = response.headers["X-Together-File-Id"]
    await client.put(f"/_mock/uploads/{file_id}", data=CONTENT)
    _, done = await answer(await client.post(f"/v1/files/{file_id}/preprocess", headers=BEARER))
    assert (done["filename"], done["type"]) == ("parts.jsonl", "jsonl")


async def test_the_redirect_flow_takes_json_too_and_file_type_wins(serve: Any) -> None:
    client = await serve()
    body = {"purpose": "fine-tune", "file_name": "data.csv", "file_type": "parquet"}
    response = await client.post("/v1/files", json=body, headers=BEARER, allow_redirects=False)
    assert response.status == 302
    file_id = response.headers["X-Together-File-Id"]
    await client.put(f"/_mock/uploads/{file_id}", data=CONTENT)
    _, done = await answer(await client.post(f"/v1/files/{file_id}/preprocess", headers=BEARER))
    assert done["type"] == "parquet"


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"purpose": ""}, error("purpose: field required", "purpose")),
        ({"file_name": ""}, error("file_name: field required", "file_name")),
    ],
)
async def test_the_redirect_flow_needs_purpose_and_file_name(
    serve: Any, fields: dict[str, str], problem: Any
) -> None:
    client = await serve()
    assert await answer(await start(client, **fields)) == (400, problem)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"", error("purpose: field required", "purpose")),
        (b"[1]", error("Request body must be a JSON object")),
        (b"{nope", None),
    ],
)
async def test_sdk_json_bodies_that_are_not_objects_are_400(
    serve: Any, body: bytes, problem: Any
) -> None:
    client = await serve()
    headers = {**BEARER, "Content-Type": "application/json"}
    for path in ("/v1/files", "/v1/files/multipart/initiate"):
        status, got = await answer(await client.post(path, data=body, headers=headers))
        assert status == 400
        if problem is None:
            assert got["error"]["message"].startswith("Request body is not valid JSON: ")
        else:
            assert got == problem


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        (None, "Missing or malformed bearer token"),
        ("Basic abc", "Missing or malformed bearer token"),
        ("Bearer ", "Missing or malformed bearer token"),
        ("Bearer   ", "Missing or malformed bearer token"),
        ("Bearer wrong", "Invalid API key provided."),
    ],
)
async def test_the_sdk_routes_check_the_bearer_token(
    serve: Any, authorization: str | None, message: str
) -> None:
    client = await serve(MockOptions(api_key="right"))
    headers = {} if authorization is None else {"Authorization": authorization}
    refused = (401, error(message, code="invalid_api_key"))
    body = {"purpose": "fine-tune", "file_name": "a.jsonl", "num_parts": 1}
    for path in (
        "/v1/files",
        "/v1/files/file-x/preprocess",
        "/v1/files/multipart/initiate",
        "/v1/files/multipart/complete",
        "/v1/files/multipart/abort",
    ):
        response = await client.post(path, json=body, headers=headers, allow_redirects=False)
        assert await answer(response) == refused, path
    for good in ("Bearer right", "bearer right", "BEARER  right "):
        response = await client.post(
            "/v1/files", json=body, headers={"Authorization": good}, allow_redirects=False
        )
        assert response.status == 302, good


async def test_a_put_to_an_unknown_upload_is_404(serve: Any) -> None:
    client = await serve()
    got = await answer(await client.put("/_mock/uploads/file-nope", data=b"x"))
    assert got == not_found("file-nope")
    got = await answer(await client.put("/_mock/uploads/file-nope/parts/1", data=b"x"))
    assert got == not_found("file-nope")


async def initiate(client: Any, parts: Any = 3, **fields: Any) -> tuple[int, Any]:
    body = {"purpose": "fine-tune", "file_name": "big.parquet", "num_parts": parts, **fields}
    return await answer(
        await client.post("/v1/files/multipart/initiate", json=body, headers=BEARER)
    )


async def test_multipart_parts_are_joined_in_part_order(serve: Any) -> None:
    client = await serve()
    status, started = await initiate(client)
    assert status == 200
    file_id = started["file_id"]
    base = f"http://{client.host}:{client.port}/_mock/uploads/{file_id}/parts"
    assert started == {
        "upload_id": f"upload-{file_id}",
        "file_id": file_id,
        "parts": [{"PartNumber": n, "URL": f"{base}/{n}", "Headers": {}} for n in (1, 2, 3)],
    }
    pieces = {3: b"third", 1: b"first-", 2: b"second-"}
    done = []
    for number, data in pieces.items():  # out of order
        response = await client.put(f"/_mock/uploads/{file_id}/parts/{number}", data=data)
        assert response.headers["ETag"] == '"' + hashlib.md5(data).hexdigest() + '"'
        done.append({"part_number": number, "etag": response.headers["ETag"]})
    complete = {"upload_id": started["upload_id"], "file_id": file_id, "parts": done}
    status, finished = await answer(
        await client.post("/v1/files/multipart/complete", json=complete, headers=BEARER)
    )
    assert status == 200
    assert (finished["file"]["id"], finished["file"]["bytes"]) == (file_id, 18)
    assert (finished["file"]["type"], finished["file"]["Processed"]) == ("parquet", True)
    response = await client.get(f"/v1/files/{file_id}/content", headers=BEARER)
    assert await response.read() == b"first-second-third"


@pytest.mark.parametrize("parts", [0, 10_001, "2", None, 1.5])
async def test_multipart_needs_1_to_10000_parts(serve: Any, parts: Any) -> None:
    client = await serve()
    got = await initiate(client, parts)
    assert got == (400, error("num_parts: an integer from 1 to 10000", "num_parts"))


async def test_multipart_accepts_1_and_10000_parts(serve: Any) -> None:
    client = await serve()
    assert len((await initiate(client, 1))[1]["parts"]) == 1
    assert len((await initiate(client, 10_000))[1]["parts"]) == 10_000


async def test_multipart_needs_purpose_and_file_name(serve: Any) -> None:
    client = await serve()
    got = await initiate(client, purpose="")
    assert got == (400, error("purpose: field required", "purpose"))
    got = await initiate(client, file_name=None)
    assert got == (400, error("file_name: field required", "file_name"))


async def put_parts(client: Any, file_id: str, pieces: dict[int, bytes]) -> list[dict[str, Any]]:
    """The parts PUT, as the SDK lists them for complete: the ETag without its quotes."""
    done = []
    for number, data in pieces.items():
        response = await client.put(f"/_mock/uploads/{file_id}/parts/{number}", data=data)
        done.append({"part_number": number, "etag": response.headers["ETag"].strip('"')})
    return done


async def post_sdk(client: Any, route: str, body: Any) -> tuple[int, Any]:
    return await answer(
        await client.post(f"/v1/files/multipart/{route}", json=body, headers=BEARER)
    )


async def test_completing_needs_the_upload_and_every_part(serve: Any) -> None:
    client = await serve()
    _, started = await initiate(client, 2)
    file_id, upload_id = started["file_id"], started["upload_id"]
    parts = await put_parts(client, file_id, {1: b"a", 2: b"b"})

    async def complete(body: dict[str, Any]) -> tuple[int, Any]:
        return await post_sdk(client, "complete", body)

    assert await complete({"upload_id": upload_id, "file_id": "file-nope", "parts": parts}) == (
        404,
        error("File file-nope not found", "file_id", "not_found"),
    )
    assert await complete({"upload_id": "upload-other", "file_id": file_id, "parts": parts}) == (
        404,
        error("Upload upload-other not found", "upload_id", "not_found"),
    )
    for listed, shown in (
        (parts[:1], "[1]"),
        ([], "[]"),
        ([*parts, parts[0]], "[1, 2, 1]"),
    ):
        body = {"upload_id": upload_id, "file_id": file_id, "parts": listed}
        assert await complete(body) == (
            400,
            error(f"parts: expected parts [1, 2], got {shown}", "parts"),
        )
    for etag in (hashlib.md5(b"a").hexdigest(), "X" + parts[1]["etag"] + "X"):
        wrong_etag = [parts[0], {"part_number": 2, "etag": etag}]
        body = {"upload_id": upload_id, "file_id": file_id, "parts": wrong_etag}
        assert await complete(body) == (
            400,
            error("parts: the etag of part 2 is not the one its PUT answered", "parts"),
        )
    status, finished = await complete(
        {"upload_id": upload_id, "file_id": file_id, "parts": parts[::-1]}
    )
    assert (status, finished["file"]["bytes"]) == (200, 2)
    # The upload is done: completing or aborting it again finds no upload open.
    for route in ("complete", "abort"):
        got = await post_sdk(
            client, route, {"upload_id": upload_id, "file_id": file_id, "parts": parts}
        )
        assert got == (404, error(f"Upload {upload_id} not found", "upload_id", "not_found"))
    response = await client.get(f"/v1/files/{file_id}/content", headers=BEARER)
    assert await response.read() == b"ab"


async def test_an_etag_is_taken_with_or_without_its_quotes(serve: Any) -> None:
    client = await serve()
    _, started = await initiate(client, 1)
    file_id = started["file_id"]
    response = await client.put(f"/_mock/uploads/{file_id}/parts/1", data=b"quoted")
    assert response.headers["ETag"] == '"' + hashlib.md5(b"quoted").hexdigest() + '"'
    parts = [{"part_number": 1, "etag": response.headers["ETag"]}]
    got = await post_sdk(
        client, "complete", {"upload_id": started["upload_id"], "file_id": file_id, "parts": parts}
    )
    assert (got[0], got[1]["file"]["bytes"]) == (200, 6)


GOOD_PARTS = [{"part_number": 1, "etag": "e"}]


@pytest.mark.parametrize(
    ("route", "body", "message", "param"),
    [
        # Nothing is "None": a missing field is named, as any request check names it.
        ("complete", {"upload_id": "u", "parts": GOOD_PARTS}, "file_id: field required", "file_id"),
        (
            "complete",
            {"file_id": "f", "parts": GOOD_PARTS},
            "upload_id: field required",
            "upload_id",
        ),
        ("complete", {"upload_id": "u", "file_id": "f"}, "parts: field required", "parts"),
        ("complete", {}, "upload_id: field required", "upload_id"),
        ("abort", {"upload_id": "u"}, "file_id: field required", "file_id"),
        ("abort", {"file_id": "f"}, "upload_id: field required", "upload_id"),
        ("abort", {}, "upload_id: field required", "upload_id"),
        # A wrong type names the field and shows the value as JSON.
        (
            "abort",
            {"upload_id": "u", "file_id": None},
            "file_id: expected string, got null",
            "file_id",
        ),
        (
            "abort",
            {"upload_id": 7, "file_id": "f"},
            "upload_id: expected string, got 7",
            "upload_id",
        ),
        (
            "complete",
            {"upload_id": "u", "file_id": ["f"], "parts": GOOD_PARTS},
            'file_id: expected string, got ["f"]',
            "file_id",
        ),
        (
            "abort",
            {"upload_id": "u", "file_id": ""},
            'file_id: "" does not satisfy minLength 1',
            "file_id",
        ),
        (
            "complete",
            {"upload_id": "u", "file_id": "f", "parts": None},
            "parts: expected array, got null",
            "parts",
        ),
        (
            "complete",
            {"upload_id": "u", "file_id": "f", "parts": ["2"]},
            'parts.0: expected object, got "2"',
            "parts",
        ),
        (
            "complete",
            {"upload_id": "u", "file_id": "f", "parts": [{"part_number": 1}]},
            "parts: field required",
            "parts",
        ),
        (
            "complete",
            {"upload_id": "u", "file_id": "f", "parts": [{"etag": "e"}]},
            "parts: field required",
            "parts",
        ),
        (
            "complete",
            {"upload_id": "u", "file_id": "f", "parts": [{"part_number": "1", "etag": "e"}]},
            'parts.0.part_number: expected integer, got "1"',
            "parts",
        ),
        (
            "complete",
            {"upload_id": "u", "file_id": "f", "parts": [{"part_number": 0, "etag": "e"}]},
            "parts.0.part_number: 0 does not satisfy minimum 1",
            "parts",
        ),
        (
            "complete",
            {"upload_id": "u", "file_id": "f", "parts": [{"part_number": 1, "etag": 5}]},
            "parts.0.etag: expected string, got 5",
            "parts",
        ),
    ],
)
async def test_complete_and_abort_name_a_missing_or_wrong_field(
    serve: Any, route: str, body: dict[str, Any], message: str, param: str
) -> None:
    client = await serve()
    assert await post_sdk(client, route, body) == (400, error(message, param))


async def test_abort_forgets_the_upload(serve: Any) -> None:
    client = await serve()
    _, started = await initiate(client, 1)
    file_id = started["file_id"]
    await put_parts(client, file_id, {1: b"part"})
    abort = {"upload_id": started["upload_id"], "file_id": file_id}
    assert await post_sdk(client, "abort", {**abort, "upload_id": "upload-other"}) == (
        404,
        error("Upload upload-other not found", "upload_id", "not_found"),
    )
    assert await post_sdk(client, "abort", abort) == (200, {"file_id": file_id, "aborted": True})
    assert await answer(await client.get(f"/v1/files/{file_id}", headers=BEARER)) == (
        not_found(file_id)
    )
    assert await post_sdk(client, "abort", abort) == (
        404,
        error(f"File {file_id} not found", "file_id", "not_found"),
    )


SPEC_WITHOUT_FILES = """
openapi: 3.1.0
info: {title: t, version: "1"}
servers: [{url: "http://localhost/v1"}]
paths:
  /ping: {get: {responses: {"200": {content: {application/json: {schema: {const: pong}}}}}}}
"""


async def test_the_sdk_routes_exist_only_when_the_spec_has_files(serve: Any) -> None:
    client = await serve(spec=SPEC_WITHOUT_FILES)
    assert (await start(client)).status == 404
    assert (await client.put("/_mock/uploads/file-x", data=b"x")).status == 404


SPEC_WITH_A_TEXT_FILE = """
openapi: 3.1.0
info: {title: t, version: "1"}
servers: [{url: "http://localhost/v1"}]
paths:
  /files/upload:
    post:
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              required: [purpose]
              properties: {purpose: {type: string}, file: {type: string}}
      responses: {"200": {content: {application/json: {schema: {type: object}}}}}
"""


async def test_an_upload_needs_a_file_part_whatever_the_spec_says(serve: Any) -> None:
    client = await serve(spec=SPEC_WITH_A_TEXT_FILE)
    for fields in ({"purpose": "fine-tune", "file": "some text"}, {"purpose": "fine-tune"}):
        got = await answer(await client.post("/v1/files/upload", data=fields, headers=BEARER))
        assert got == (400, error("file: expected an uploaded file part", "file"))


async def test_the_sdk_flows_keep_the_purpose_name_and_type_given(serve: Any) -> None:
    client = await serve()
    response = await start(client, purpose="eval", file_name="notes.v1.csv")
    file_id = response.headers["X-Together-File-Id"]
    await client.put(f"/_mock/uploads/{file_id}", data=CONTENT)
    _, done = await answer(await client.post(f"/v1/files/{file_id}/preprocess", headers=BEARER))
    assert (done["purpose"], done["filename"], done["type"]) == ("eval", "notes.v1.csv", "csv")

    fields = {"purpose": "eval-sample", "file_name": "big.bin", "file_type": "csv"}
    status, started = await initiate(client, 1, **fields)
    assert status == 200
    file_id = started["file_id"]
    put = await client.put(f"/_mock/uploads/{file_id}/parts/1", data=CONTENT)
    complete = {
        "upload_id": started["upload_id"],
        "file_id": file_id,
        "parts": [{"part_number": 1, "etag": put.headers["ETag"]}],
    }
    _, finished = await answer(
        await client.post("/v1/files/multipart/complete", json=complete, headers=BEARER)
    )
    described = finished["file"]
    assert (described["purpose"], described["filename"], described["type"]) == (
        "eval-sample",
        "big.bin",
        "csv",  # file_type wins over the name's suffix
    )


async def test_deleting_a_file_frees_its_bytes(serve: Any) -> None:
    """A long run where clients upload and delete files does not keep what they deleted."""
    client = await serve()
    size = 4 * 1024 * 1024
    tracemalloc.start()
    try:
        response = await start(client)
        file_id = response.headers["X-Together-File-Id"]
        await client.put(f"/_mock/uploads/{file_id}", data=io.BytesIO(b"x" * size))
        gc.collect()
        holding = tracemalloc.get_traced_memory()[0]
        await client.delete(f"/v1/files/{file_id}", headers=BEARER)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert holding - after >= size * 0.9
