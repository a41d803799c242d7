"""An operation whose only answer besides errors is a redirect (Together's
`GET /deployments/storage/{filename}`: a 307 "to the file") is a download: the method returns
the bytes the redirect leads to, typed `bytes`, and has a `_to_file` form."""

from __future__ import annotations

import inspect
import typing
from pathlib import Path
from typing import Any

from aioresponses import aioresponses

from together.generated import ApiClient, Configuration

HOST = "http://storage.test/v1"
TARGET = "http://blobs.test/signed/model.bin"

SPEC = """
openapi: 3.1.0
info: {title: Storage, version: "1"}
servers: [{url: "http://storage.test/v1"}]
paths:
  /storage/{filename}:
    get:
      operationId: getFile
      tags: [Storage]
      parameters:
        - {name: filename, in: path, required: true, schema: {type: string}}
      responses:
        "307":
          description: Redirect to the file
          headers:
            Location: {schema: {type: string}}
        "404":
          description: Not found
          content:
            application/json:
              schema: {type: object, properties: {message: {type: string}}}
"""


async def test_the_method_returns_the_bytes_the_redirect_leads_to(
    generated: Any, tmp_path: Path
) -> None:
    pkg = generated(SPEC)
    api_class = pkg.StorageApi
    hints = typing.get_type_hints(api_class.get_file)
    assert hints["return"] is bytes
    assert "destination" in inspect.signature(api_class.get_file_to_file).parameters
    with aioresponses() as mocked:
        for _ in range(2):
            mocked.get(f"{HOST}/storage/model.bin", status=307, headers={"Location": TARGET})
            mocked.get(TARGET, body=b"\x00weights")
        async with ApiClient(Configuration(host=HOST, retries=0)) as client:
            api = api_class(client)
            assert await api.get_file("model.bin") == b"\x00weights"
            target = tmp_path / "model.bin"
            assert await api.get_file_to_file("model.bin", target) == 8
    assert target.read_bytes() == b"\x00weights"
