"""Which routes faults apply to (docs/mock-server.md, "Fault injection"): the spec's routes
and the official SDK's upload flow, the presigned ``PUT /_mock/uploads/...`` included;
never the server's own ``/_mock/stats``, ``/_mock/concurrency``, ``/_mock/reset`` and
``/_mock/blobs/...``, which a test reads to see what its client did."""

from __future__ import annotations

from typing import Any

from together.mock import FaultOptions, MockOptions

BEARER = {"Authorization": "Bearer any-token"}
FORM = {"purpose": "fine-tune", "file_name": "a.jsonl", "file_type": "jsonl"}


async def test_the_presigned_upload_gets_faults_like_any_sdk_route(serve: Any) -> None:
    client = await serve()
    created = await client.post("/v1/files", data=FORM, headers=BEARER, allow_redirects=False)
    assert created.status == 302
    upload = created.headers["Location"]
    assert "/_mock/uploads/" in upload
    path = upload[upload.index("/_mock/") :]
    refused = await client.put(path, data=b'{"a": 1}\n', headers={"X-Mock-Status": "503"})
    assert refused.status == 503
    assert (await refused.json())["error"]["type"] == "server_error"
    accepted = await client.put(path, data=b'{"a": 1}\n')
    assert accepted.status == 200


async def test_the_servers_own_routes_never_get_faults(serve: Any) -> None:
    # Every request would fail if faults applied: a rate of 1 over a single status.
    client = await serve(MockOptions(faults=FaultOptions(fail_rate=1.0, fail_statuses=[503])))
    assert (await client.post("/v1/embeddings", json={}, headers=BEARER)).status == 503
    for method, path in [
        ("GET", "/_mock/stats"),
        ("GET", "/_mock/concurrency"),
        ("POST", "/_mock/reset"),
    ]:
        response = await client.request(method, path, headers={"X-Mock-Status": "503"})
        assert response.status == 200, path
    blob = await client.get("/_mock/blobs/weights.bin", headers={"X-Mock-Status": "503"})
    assert blob.status == 200
    assert await blob.read() == b"together-mock blob weights.bin\n"
