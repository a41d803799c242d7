"""``_decode=``: every generated method answering JSON takes the caller's result type, typed
by overloads; the operation declarations it replaces are private to the generated code."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from aioresponses import aioresponses
from feature_specs import MEDIA_SPEC, SEVERAL_SUCCESSES
from pydantic import BaseModel

import together.generated
from codegen.emit.output import write
from codegen.errors import SpecError
from codegen.pipeline import Target, generate, load_settings
from codegen.views import Settings
from support import EMBEDDINGS_URL, REPOSITORY
from together.generated import (
    ApiClient,
    ApiResponse,
    Configuration,
    EmbeddingsApi,
    EmbeddingsRequest,
    EmbeddingsResponse,
    MalformedResponseException,
    ServiceUnavailableException,
)

REQUEST = EmbeddingsRequest(model="m", input=["a", "b"])
#: An embeddings answer as the spec describes it (EmbeddingsResponse), rows out of order.
ANSWER = {
    "object": "list",
    "model": "m",
    "data": [
        {"object": "embedding", "embedding": [3.0, 4.0], "index": 1},
        {"object": "embedding", "embedding": [1.0, 2.0], "index": 0},
    ],
}


class JustVectors(BaseModel):
    """A caller's own model of the answer: only what it needs."""

    data: list[dict[str, Any]]


def rows(raw: bytes) -> list[list[float]]:
    """A caller's parser: the vectors in input order, nothing else."""
    items = json.loads(raw)["data"]
    return [item["embedding"] for item in sorted(items, key=lambda item: item["index"])]


# ---------------------------------------------------------------- calls, against mocked HTTP


async def test_each_kind_of_decode_through_the_generated_method(
    configuration: Configuration, mocked: aioresponses
) -> None:
    for _ in range(4):
        mocked.post(EMBEDDINGS_URL, payload=ANSWER)
    async with ApiClient(configuration) as client:
        api = EmbeddingsApi(client)
        default = await api.embeddings(embeddings_request=REQUEST)
        raw = await api.embeddings(embeddings_request=REQUEST, _decode=bytes)
        model = await api.embeddings(embeddings_request=REQUEST, _decode=JustVectors)
        parsed = await api.embeddings(embeddings_request=REQUEST, _decode=rows)
    assert isinstance(default, EmbeddingsResponse)
    assert isinstance(raw, bytes) and json.loads(raw) == ANSWER
    assert isinstance(model, JustVectors) and len(model.data) == 2
    assert parsed == [[1.0, 2.0], [3.0, 4.0]]


async def test_decode_through_with_http_info_keeps_status_and_raw_bytes(
    configuration: Configuration, mocked: aioresponses
) -> None:
    mocked.post(EMBEDDINGS_URL, payload=ANSWER, headers={"x-request-id": "req-1"})
    mocked.post(EMBEDDINGS_URL, payload=ANSWER)
    async with ApiClient(configuration) as client:
        api = EmbeddingsApi(client)
        info = await api.embeddings_with_http_info(REQUEST, _decode=rows)
        model_info = await api.embeddings_with_http_info(REQUEST, _decode=JustVectors)
    assert isinstance(info, ApiResponse)
    assert info.status_code == 200 and info.request_id == "req-1"
    assert info.data == [[1.0, 2.0], [3.0, 4.0]]
    assert json.loads(info.raw_data) == ANSWER
    assert isinstance(model_info.data, JustVectors)


async def test_decode_keeps_the_error_mapping_and_judges_the_answer(
    configuration: Configuration, mocked: aioresponses
) -> None:
    def broken(raw: bytes) -> int:
        raise ValueError("not what I expected")

    mocked.post(EMBEDDINGS_URL, status=503, payload={"error": {"message": "busy"}})
    mocked.post(EMBEDDINGS_URL, payload={"data": "not a list"})
    mocked.post(EMBEDDINGS_URL, payload=ANSWER)
    async with ApiClient(configuration) as client:
        api = EmbeddingsApi(client)
        with pytest.raises(ServiceUnavailableException):
            await api.embeddings(REQUEST, _decode=bytes)
        with pytest.raises(MalformedResponseException, match="not a valid JustVectors"):
            await api.embeddings(REQUEST, _decode=JustVectors)
        with pytest.raises(MalformedResponseException, match="broken") as caught:
            await api.embeddings(REQUEST, _decode=broken)
    assert json.loads(caught.value.body or "") == ANSWER


async def test_a_success_without_a_body_is_none_for_a_parser_and_empty_bytes_raw(
    generated: Any, mocked: aioresponses
) -> None:
    pkg = generated(SEVERAL_SUCCESSES)
    host = "http://jobs.test/v2"
    mocked.post(f"{host}/jobs", status=202, payload={"eta": 5})
    mocked.post(f"{host}/jobs", status=204)
    mocked.post(f"{host}/jobs", status=204)
    async with ApiClient(Configuration(host=host, retries=0)) as client:
        api = pkg.JobsApi(client)
        assert await api.start_job(_decode=json.loads) == {"eta": 5}
        assert await api.start_job(_decode=json.loads) is None
        assert await api.start_job(_decode=bytes) == b""


# ---------------------------------------------------------------- which methods take it


def _takes_decode(method: Any) -> bool:
    return "_decode" in inspect.signature(method).parameters


def test_only_the_json_forms_take_decode(generated: Any) -> None:
    pkg = generated(MEDIA_SPEC)
    chat, files = pkg.ChatApi, pkg.FilesApi
    # chat answers JSON (or a stream): its plain forms decode, the stream and raw forms not.
    assert _takes_decode(chat.chat) and _takes_decode(chat.chat_with_http_info)
    assert not _takes_decode(chat.chat_stream)
    assert not _takes_decode(chat.chat_without_preload_content)
    # fileContent answers bytes only: nothing to decode.
    assert not _takes_decode(files.file_content)
    assert not _takes_decode(files.file_content_to_file)


def test_the_committed_package_offers_decode_on_every_json_method() -> None:
    taking = {
        name
        for api in _api_classes(together.generated)
        for name, method in inspect.getmembers(api, inspect.iscoroutinefunction)
        if _takes_decode(method)
    }
    assert {"embeddings", "embeddings_with_http_info", "chat_completions"} <= taking
    assert "rerank_with_http_info" in taking
    assert "audio_speech" not in taking  # answers audio bytes
    assert not any(name.endswith(("_stream", "_to_file", "_preload_content")) for name in taking)


def _api_classes(package: Any) -> list[type]:
    api_package = importlib.import_module(f"{package.__name__}.api")
    classes = []
    for info in pkgutil.iter_modules(api_package.__path__):
        module = importlib.import_module(f"{api_package.__name__}.{info.name}")
        classes += [getattr(module, name) for name in module.__all__]
    return classes


# ---------------------------------------------------------------- private declarations


def test_operation_declarations_are_private(generated: Any) -> None:
    pkg = generated(SEVERAL_SUCCESSES)
    module = importlib.import_module(f"{pkg.__name__}.api.jobs_api")
    assert module.__all__ == ["JobsApi"]
    assert hasattr(module, "_START_JOB_OPERATION")
    assert not hasattr(module, "START_JOB_OPERATION")
    pages = (Path(pkg.__file__).parent.parent / f"{pkg.__name__}_docs").glob("*.md")
    assert not any("_OPERATION" in page.read_text(encoding="utf-8") for page in pages)


def test_the_committed_package_exports_no_operation_declaration() -> None:
    # Issue 9: "Generated declarations are private to the generated code".
    public = set()
    for api in _api_classes(together.generated):
        module = sys.modules[api.__module__]
        assert module.__all__ == [api.__name__]
        public |= {name for name in vars(module) if name.endswith("_OPERATION")}
        public -= {name for name in public if name.startswith("_")}
    assert public == set()


def _generate(tmp_path: Path, spec: str, settings: Settings) -> dict[str, str]:
    path = tmp_path / "spec.yaml"
    path.write_text(textwrap.dedent(spec), encoding="utf-8")
    files, _ = generate(path, Target(package="aliased", settings=settings))
    return files


def test_a_legacy_alias_binds_the_old_public_name(tmp_path: Path) -> None:
    files = _generate(tmp_path, SEVERAL_SUCCESSES, Settings(legacy_operation_aliases=("startJob",)))
    assert "\nSTART_JOB_OPERATION = _START_JOB_OPERATION\n" in files["aliased/api/jobs_api.py"]
    plain = _generate(tmp_path, SEVERAL_SUCCESSES, Settings())
    assert "START_JOB_OPERATION =" not in plain["aliased/api/jobs_api.py"].replace("_START", "")


def test_a_legacy_alias_for_an_unknown_operation_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="'noSuchOperation'"):
        _generate(
            tmp_path, SEVERAL_SUCCESSES, Settings(legacy_operation_aliases=("noSuchOperation",))
        )


@pytest.mark.parametrize("value", ['"embeddings"', "[1]", '[""]'])
def test_the_legacy_alias_setting_must_be_a_list_of_ids(tmp_path: Path, value: str) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(f"[tool.codegen]\nlegacy_operation_aliases = {value}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="legacy_operation_aliases"):
        load_settings(pyproject)


# ---------------------------------------------------------------- what mypy infers

USAGE = """
import json
from typing import Any, assert_type

from pydantic import BaseModel

from {pkg}.api.jobs_api import JobsApi
from {pkg}.api.chat_api import ChatApi
from {pkg}.models.chat_answer import ChatAnswer
from {pkg}.models.done import Done
from {pkg}.models.pending import Pending
from together.generated.api_response import ApiResponse


class Mine(BaseModel):
    text: str


def count(raw: bytes) -> int:
    return len(raw)


async def chat(api: ChatApi, request: dict[str, Any]) -> None:
    assert_type(await api.chat(request), ChatAnswer)
    assert_type(await api.chat(request, _decode=bytes), bytes)
    assert_type(await api.chat(request, _decode=Mine), Mine)
    assert_type(await api.chat(request, _decode=count), int)
    assert_type(await api.chat(request, _decode=json.loads), Any)
    assert_type(await api.chat_with_http_info(request), ApiResponse[ChatAnswer])
    assert_type(await api.chat_with_http_info(request, _decode=Mine), ApiResponse[Mine])
    assert_type(await api.chat_with_http_info(request, _decode=count), ApiResponse[int])
    await api.chat(request, _decode="json")  # type: ignore[call-overload]
    await api.chat_stream(request, _decode=bytes)  # type: ignore[call-arg]


def root_names() -> None:
    # The package root gives the models' own types (delegated to its models package).
    import d_media
    from d_media import ChatAnswer as FromRoot

    model: type[ChatAnswer] = d_media.ChatAnswer
    assert_type(FromRoot, type[ChatAnswer])
    assert model is FromRoot


async def jobs(api: JobsApi) -> None:
    # A 204 answers None whatever the decoder.
    assert_type(await api.start_job(), Done | Pending | None)
    assert_type(await api.start_job(_decode=Mine), Mine | None)
    assert_type(await api.start_job(_decode=count), int | None)
"""


def test_mypy_infers_the_result_of_each_decode(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    packages = {"d_media": MEDIA_SPEC, "d_jobs": SEVERAL_SUCCESSES}
    for package, text in packages.items():
        path = tmp_path / f"{package}.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        files, _ = generate(path, Target(package=package, docs_dir=f"{package}_docs"))
        write(files, tmp_path, Target(package=package).owned_dirs)
    usage = USAGE.replace("{pkg}.api.jobs_api", "d_jobs.api.jobs_api")
    usage = usage.replace("{pkg}.models.done", "d_jobs.models.done")
    usage = usage.replace("{pkg}.models.pending", "d_jobs.models.pending")
    usage = usage.replace("{pkg}", "d_media")
    (tmp_path / "usage.py").write_text(usage, encoding="utf-8")
    checked = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(REPOSITORY / "pyproject.toml"),
            "--cache-dir",
            str(tmp_path_factory.getbasetemp() / "decode-mypy-cache"),
            "--strict",
            "--warn-unused-ignores",
            "usage.py",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "", "PYTHONPATH": f"{tmp_path}:{REPOSITORY}"},
        check=False,
    )
    assert checked.returncode == 0, checked.stdout[-4000:]
