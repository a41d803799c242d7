"""Path templates through a generated client: each ``{name}`` of the path is filled with its
argument, quoted, wherever it stands in the path (OpenAPI: a template expression marks "a
section of a URL path", so ``/files/{id}.json`` is a valid path)."""

from __future__ import annotations

from typing import Any

from support import recorded

SPEC = """
openapi: 3.1.0
info: {title: T, version: "1"}
servers: [{url: "http://files.test/v1"}]
paths:
  /files/{id}.{format}:
    get:
      operationId: getFile
      tags: [Files]
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: format, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {name: {type: string}}}
"""


async def test_a_template_inside_a_segment_is_filled_with_its_argument(
    generated: Any, mocked: Any
) -> None:
    from together.generated import ApiClient, Configuration

    pkg = generated(SPEC)
    host = "http://files.test/v1"
    mocked.get(f"{host}/files/a%2Fb.json", status=200, payload={"name": "n"})
    async with ApiClient(Configuration(host=host, retries=0)) as client:
        answer = await pkg.FilesApi(client).get_file(id="a/b", format="json")
    assert answer.name == "n"
    [(method, url)] = list(recorded(mocked))
    assert (method, str(url)) == ("GET", f"{host}/files/a%2Fb.json")
