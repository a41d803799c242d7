"""Files: what a client uploads it can list, retrieve, download and delete.

Two ways in. The spec's: ``POST /files/upload`` (multipart: ``file``, ``file_name``,
``purpose``). The official SDK's, which the spec does not describe: a form ``POST /files``
(``purpose``, ``file_name``, ``file_type``) answered ``302`` with ``Location`` (a presigned URL,
here on this server: ``PUT /_mock/uploads/{id}``) and ``X-Together-File-Id``; a ``PUT`` of the
bytes there; then ``POST /files/{id}/preprocess``. Large files go through
``POST /files/multipart/initiate`` (answers ``upload_id``, ``file_id`` and ``parts`` with a
``URL`` per part), a ``PUT`` per part (answered with an ``ETag``), then
``/files/multipart/complete`` or ``/files/multipart/abort``.

Bytes live in memory, or in ``--data-dir`` (one file per id) when given.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from jsonschema import Draft202012Validator

from together.mock.answers import json_answer
from together.mock.context import STATE, Call, ServerState, Upload
from together.mock.errors import error_response
from together.mock.options import MockOptions
from together.mock.spec import ApiDescription
from together.mock.validation import first_error

__all__ = ["FileStore", "extra_file_routes", "file_handlers"]

_TYPES = ("jsonl", "parquet", "csv")


@dataclass
class StoredFile:
    id: str
    filename: str
    purpose: str
    file_type: str
    created_at: int
    size: int = 0
    processed: bool = False
    uploaded: bool = False
    parts: dict[int, bytes] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "file",
            "created_at": self.created_at,
            "filename": self.filename,
            "bytes": self.size,
            "purpose": self.purpose,
            "FileType": self.file_type,
            "type": self.file_type,
            "Processed": self.processed,
        }


class FileStore:
    """Uploaded files of one server run."""

    def __init__(self, data_dir: Path | None) -> None:
        self.data_dir = data_dir
        self.files: dict[str, StoredFile] = {}
        self._memory: dict[str, bytes] = {}
        if data_dir is not None:
            data_dir.mkdir(parents=True, exist_ok=True)

    def new(self, filename: str, purpose: str, file_type: str) -> StoredFile:
        stored = StoredFile(
            id="file-" + str(uuid.uuid4()),
            filename=filename,
            purpose=purpose,
            file_type=file_type,
            created_at=int(time.time()),
        )
        self.files[stored.id] = stored
        return stored

    def put(self, stored: StoredFile, data: bytes) -> None:
        if self.data_dir is not None:
            (self.data_dir / stored.id).write_bytes(data)
        else:
            self._memory[stored.id] = data
        stored.size, stored.uploaded = len(data), True

    def content(self, stored: StoredFile) -> bytes:
        if self.data_dir is not None:
            path = self.data_dir / stored.id
            return path.read_bytes() if path.exists() else b""
        return self._memory[stored.id]  # only asked of an uploaded file

    def delete(self, file_id: str) -> bool:
        stored = self.files.pop(file_id, None)
        self._memory.pop(file_id, None)
        if self.data_dir is not None:
            (self.data_dir / file_id).unlink(missing_ok=True)
        return stored is not None

    def listed(self) -> Iterator[StoredFile]:
        return (f for f in self.files.values() if f.uploaded)


_STORE = "files"


def store_of(state: ServerState) -> FileStore:
    found = state.stores.get(_STORE)
    if found is None:
        found = state.stores[_STORE] = FileStore(state.options.data_dir)
    assert isinstance(found, FileStore)
    return found


def _type_of(filename: str, given: str | None) -> str:
    if given in _TYPES:
        return given
    suffix = filename.rsplit(".", 1)[-1].lower()
    return suffix if suffix in _TYPES else "jsonl"


def _not_found(file_id: str, param: str = "id") -> web.Response:
    return error_response(404, f"File {file_id} not found", param=param, code="not_found")


# ------------------------------------------------------------------ the spec's operations


async def upload(call: Call) -> web.StreamResponse:
    """POST /files/upload (multipart)."""
    data = call.form.get("file")
    if not isinstance(data, Upload):
        return error_response(400, "file: expected an uploaded file part", param="file")
    if not data.data:
        return error_response(400, "file: the uploaded file is empty", param="file")
    name = str(call.form.get("file_name") or data.filename or "upload.jsonl")
    given = call.form.get("file_type")
    stored = store_of(call.state).new(
        name, str(call.form["purpose"]), _type_of(name, given if isinstance(given, str) else None)
    )
    store_of(call.state).put(stored, data.data)
    stored.processed = True
    return json_answer(stored.describe())


async def list_files(call: Call) -> web.StreamResponse:
    """GET /files."""
    return json_answer(
        {"object": "list", "data": [f.describe() for f in store_of(call.state).listed()]}
    )


async def retrieve(call: Call) -> web.StreamResponse:
    """GET /files/{id}."""
    stored = store_of(call.state).files.get(call.path_params["id"])
    return json_answer(stored.describe()) if stored else _not_found(call.path_params["id"])


async def delete(call: Call) -> web.StreamResponse:
    """DELETE /files/{id}."""
    file_id = call.path_params["id"]
    if not store_of(call.state).delete(file_id):
        return _not_found(file_id)
    return json_answer({"id": file_id, "object": "file", "deleted": True})


async def content(call: Call) -> web.StreamResponse:
    """GET /files/{id}/content: the bytes that were uploaded."""
    store = store_of(call.state)
    stored = store.files.get(call.path_params["id"])
    if stored is None or not stored.uploaded:
        return _not_found(call.path_params["id"])
    return web.Response(body=store.content(stored), content_type="text/plain")


file_handlers = {
    "POST /files/upload": upload,
    "GET /files": list_files,
    "GET /files/{id}": retrieve,
    "DELETE /files/{id}": delete,
    "GET /files/{id}/content": content,
}


# ------------------------------------------------------------------ the SDK's upload flow


def _state(request: web.Request) -> ServerState:
    return request.app[STATE]


def _denied(request: web.Request, options: MockOptions) -> web.Response | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return error_response(401, "Missing or malformed bearer token", code="invalid_api_key")
    if options.api_key is not None and token.strip() != options.api_key:
        return error_response(401, "Invalid API key provided.", code="invalid_api_key")
    return None


async def _fields(request: web.Request) -> dict[str, Any] | web.Response:
    """A form or JSON body as a dict (the SDK sends a form to POST /files, JSON elsewhere)."""
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        return {k: v for k, v in form.items() if isinstance(v, str)}
    raw = await request.read()
    try:
        body = json.loads(raw) if raw else {}
    except (ValueError, UnicodeDecodeError) as exc:
        return error_response(400, f"Request body is not valid JSON: {exc}")
    if not isinstance(body, dict):
        return error_response(400, "Request body must be a JSON object")
    return body


def _required(fields: dict[str, Any], *names: str) -> web.Response | None:
    for name in names:
        if not isinstance(fields.get(name), str) or not fields[name]:
            return error_response(400, f"{name}: field required", param=name)
    return None


async def _start_upload(request: web.Request) -> web.StreamResponse:
    """POST /files: answered 302 to this server's presigned URL."""
    state = _state(request)
    denied = _denied(request, state.options)
    fields = denied or await _fields(request)
    if isinstance(fields, web.Response):
        return fields
    problem = _required(fields, "purpose", "file_name")
    if problem is not None:
        return problem
    stored = store_of(state).new(
        fields["file_name"],
        fields["purpose"],
        _type_of(fields["file_name"], fields.get("file_type")),
    )
    location = f"{request.url.origin()}/_mock/uploads/{stored.id}"
    return web.Response(status=302, headers={"Location": location, "X-Together-File-Id": stored.id})


async def _put_upload(request: web.Request) -> web.StreamResponse:
    """PUT /_mock/uploads/{id}: the bytes of a file (the presigned URL needs no token)."""
    store = store_of(_state(request))
    stored = store.files.get(request.match_info["id"])
    if stored is None:
        return _not_found(request.match_info["id"])
    store.put(stored, await request.read())
    return web.Response(status=200, headers={"ETag": f'"{stored.id}"'})


async def _put_part(request: web.Request) -> web.StreamResponse:
    """PUT /_mock/uploads/{id}/parts/{n}: one part of a multipart upload; answers its ETag."""
    stored = store_of(_state(request)).files.get(request.match_info["id"])
    if stored is None:
        return _not_found(request.match_info["id"])
    data = await request.read()
    stored.parts[int(request.match_info["n"])] = data
    return web.Response(headers={"ETag": '"' + hashlib.md5(data).hexdigest() + '"'})


async def _preprocess(request: web.Request) -> web.StreamResponse:
    """POST /files/{id}/preprocess: the upload is done; answers the file."""
    state = _state(request)
    denied = _denied(request, state.options)
    if denied is not None:
        return denied
    stored = store_of(state).files.get(request.match_info["id"])
    if stored is None or not stored.uploaded:
        return _not_found(request.match_info["id"])
    stored.processed = True
    return json_answer(stored.describe())


async def _initiate(request: web.Request) -> web.StreamResponse:
    state = _state(request)
    fields = _denied(request, state.options) or await _fields(request)
    if isinstance(fields, web.Response):
        return fields
    problem = _required(fields, "purpose", "file_name")
    if problem is not None:
        return problem
    parts = fields.get("num_parts")
    if not isinstance(parts, int) or not 1 <= parts <= 10_000:
        return error_response(400, "num_parts: an integer from 1 to 10000", param="num_parts")
    stored = store_of(state).new(
        fields["file_name"],
        fields["purpose"],
        _type_of(fields["file_name"], fields.get("file_type")),
    )
    base = f"{request.url.origin()}/_mock/uploads/{stored.id}/parts"
    return json_answer(
        {
            "upload_id": "upload-" + stored.id,
            "file_id": stored.id,
            "parts": [
                {"PartNumber": n, "URL": f"{base}/{n}", "Headers": {}} for n in range(1, parts + 1)
            ],
        }
    )


#: What the SDK's ``_complete_upload`` and ``_abort_upload`` send (``together`` 3.x,
#: ``lib/resources/files.py``); Together's spec does not describe these routes.
_UPLOAD_IDS: dict[str, Any] = {
    "upload_id": {"type": "string", "minLength": 1},
    "file_id": {"type": "string", "minLength": 1},
}
_ABORT = Draft202012Validator(
    {"type": "object", "required": ["upload_id", "file_id"], "properties": _UPLOAD_IDS}
)
_COMPLETE = Draft202012Validator(
    {
        "type": "object",
        "required": ["upload_id", "file_id", "parts"],
        "properties": {
            **_UPLOAD_IDS,
            "parts": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["part_number", "etag"],
                    "properties": {
                        "part_number": {"type": "integer", "minimum": 1},
                        "etag": {"type": "string"},
                    },
                },
            },
        },
    }
)


async def _open_upload(
    request: web.Request, validator: Draft202012Validator
) -> tuple[dict[str, Any], StoredFile] | web.Response:
    """The checked body of a complete or abort, and the upload it names (still open: its
    bytes not yet joined)."""
    state = _state(request)
    fields = _denied(request, state.options) or await _fields(request)
    if isinstance(fields, web.Response):
        return fields
    problem = first_error(validator.iter_errors(fields))
    if problem is not None:
        return problem
    stored = store_of(state).files.get(fields["file_id"])
    if stored is None:
        return _not_found(fields["file_id"], "file_id")
    if fields["upload_id"] != "upload-" + stored.id or stored.uploaded:
        return error_response(
            404, f"Upload {fields['upload_id']} not found", param="upload_id", code="not_found"
        )
    return fields, stored


async def _complete(request: web.Request) -> web.StreamResponse:
    found = await _open_upload(request, _COMPLETE)
    if isinstance(found, web.Response):
        return found
    fields, stored = found
    numbers = [part["part_number"] for part in fields["parts"]]
    if sorted(numbers) != sorted(stored.parts):
        return error_response(
            400, f"parts: expected parts {sorted(stored.parts)}, got {numbers}", param="parts"
        )
    for part in fields["parts"]:
        number = part["part_number"]
        if part["etag"].strip('"') != hashlib.md5(stored.parts[number]).hexdigest():
            return error_response(
                400,
                f"parts: the etag of part {number} is not the one its PUT answered",
                param="parts",
            )
    store = store_of(_state(request))
    store.put(stored, b"".join(stored.parts[n] for n in sorted(stored.parts)))
    stored.parts.clear()
    stored.processed = True
    return json_answer({"file": stored.describe()})


async def _abort(request: web.Request) -> web.StreamResponse:
    found = await _open_upload(request, _ABORT)
    if isinstance(found, web.Response):
        return found
    _, stored = found
    store_of(_state(request)).delete(stored.id)
    return json_answer({"file_id": stored.id, "aborted": True})


def extra_file_routes(api: ApiDescription) -> list[tuple[str, str, Any]]:
    """The SDK's upload routes, when the spec has files at all."""
    if not any(op.path == "/files" for op in api.operations):
        return []
    base = api.base_path
    return [
        ("POST", f"{base}/files", _start_upload),
        ("POST", f"{base}/files/{{id}}/preprocess", _preprocess),
        ("POST", f"{base}/files/multipart/initiate", _initiate),
        ("POST", f"{base}/files/multipart/complete", _complete),
        ("POST", f"{base}/files/multipart/abort", _abort),
        ("PUT", "/_mock/uploads/{id}", _put_upload),
        ("PUT", "/_mock/uploads/{id}/parts/{n:\\d+}", _put_part),
    ]
