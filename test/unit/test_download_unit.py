"""Downloads and unread answers through a fake transport: files, failures, timeouts.

The fake's ``open`` hands back an answer whose body comes in the pieces a test chooses (or
fails as a broken connection fails), so each failure can be placed exactly. Real sockets:
test/e2e/test_download_e2e.py.
"""

from __future__ import annotations

import io
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from pydantic import TypeAdapter

from support import HOST, TOKEN
from together.generated import (
    ApiClient,
    ApiConnectionError,
    ApiTimeoutError,
    ApiValueError,
    Configuration,
    NotFoundException,
)
from together.generated._runtime.operation import Operation, Param, ResponseSpec
from together.generated._runtime.rest import PreparedRequest, RequestTimeout, RESTResponse
from together.generated.models.error_data import ErrorData

OPERATION: Operation[bytes] = Operation(
    operation_id="file_content",
    method="GET",
    path="/files/{id}/content",
    params=(Param("id", "path", TypeAdapter(str)),),
    responses={"200": ResponseSpec("bytes"), "404": ResponseSpec.json(ErrorData)},
    accept="application/octet-stream",
    retry_safe=True,
)


class Body:
    def __init__(self, pieces: list[bytes | BaseException], on_read: Any = None) -> None:
        self.pieces = pieces
        self.on_read = on_read
        self.sizes: list[int] = []

    async def read(self, n: int = -1) -> bytes:
        self.sizes.append(n)
        if self.on_read is not None:
            self.on_read(len(self.sizes))
        if not self.pieces:
            return b""
        piece = self.pieces.pop(0)
        if isinstance(piece, BaseException):
            raise piece
        return piece


class Answer:
    def __init__(
        self,
        *pieces: bytes | BaseException,
        status: int = 200,
        content_type: str = "application/octet-stream",
        on_read: Any = None,
    ) -> None:
        self.status = status
        self.reason = {200: "OK", 404: "Not Found", 299: "Whatever"}.get(status, "Other")
        self.headers = CIMultiDictProxy(
            CIMultiDict({"Content-Type": content_type, "x-request-id": "dl-1"})
        )
        self.content = Body(list(pieces), on_read)
        self.closed = False
        self.released = False

    async def read(self) -> bytes:
        data = b""
        while self.content.pieces:
            data += await self.content.read()
        return data

    def release(self) -> None:
        self.released = True

    def close(self) -> None:
        self.closed = True


@dataclass
class OpeningTransport:
    answers: list[Answer | BaseException]
    sent: list[PreparedRequest] = field(default_factory=list)
    timeouts: list[Any] = field(default_factory=list)
    closed: bool = False

    async def request(
        self, request: PreparedRequest, *, timeout: RequestTimeout = None
    ) -> RESTResponse:
        raise AssertionError("a download never reads the whole answer through request()")

    async def open(self, request: PreparedRequest, *, timeout: RequestTimeout = None) -> Any:
        self.sent.append(request)
        self.timeouts.append(timeout)
        outcome = self.answers.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    async def close(self) -> None:
        self.closed = True


async def no_wait(delay: float) -> None:
    pass


def client(transport: OpeningTransport, **settings: Any) -> ApiClient:
    settings.setdefault("retries", 0)
    api_client = ApiClient(
        Configuration(host=HOST, access_token=TOKEN, **settings), transport=transport
    )
    api_client._sleep = no_wait
    return api_client


async def download(destination: Any, *answers: Answer | BaseException, **settings: Any) -> int:
    transport = OpeningTransport(list(answers))
    async with client(transport, **settings) as api_client:
        return await api_client.call_api_download(OPERATION, {"id": "f"}, None, destination)


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


# ------------------------------------------------------------------ to a path


async def test_a_download_is_written_beside_its_target_then_renamed(tmp_path: Path) -> None:
    target = tmp_path / "hello.wav"
    seen: list[list[str]] = []

    def look(_: int) -> None:
        seen.append(sorted(p.name for p in tmp_path.iterdir()))

    answer = Answer(b"RIFF", b"....", on_read=look)
    assert await download(target, answer) == 8
    assert target.read_bytes() == b"RIFF...."
    # While the body arrived, only the temporary file was there: ".hello.wav.XXXX.part".
    assert all(len(names) == 1 for names in seen)
    assert re.fullmatch(r"\.hello\.wav\..+\.part", seen[0][0])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hello.wav"]
    assert answer.closed


async def test_a_download_replaces_an_older_file(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"an older, longer version")
    assert await download(target, Answer(b"new")) == 3
    assert target.read_bytes() == b"new"


async def test_an_empty_body_makes_an_empty_file(tmp_path: Path) -> None:
    target = tmp_path / "empty.bin"
    assert await download(target, Answer()) == 0
    assert target.read_bytes() == b""


async def test_a_relative_path_is_written_in_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert await download("here.bin", Answer(b"abc")) == 3
    assert (tmp_path / "here.bin").read_bytes() == b"abc"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["here.bin"]


async def test_a_download_never_sets_the_process_umask(
    tmp_path: Path, umask: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Setting it, even for a moment (os.umask can only read it by setting it), gives the
    files another thread creates meanwhile the wrong permissions."""
    os.umask(0o027)
    calls: list[int] = []

    def spy(mask: int) -> int:
        calls.append(mask)
        return 0o027

    monkeypatch.setattr(os, "umask", spy)
    target = tmp_path / "out.bin"
    await download(target, Answer(b"x"))
    monkeypatch.undo()
    assert calls == []
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


async def test_the_mode_follows_the_umask_of_the_moment_even_without_proc(
    tmp_path: Path, umask: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where /proc is missing (macOS, Windows) the umask set after the package was imported
    still applies: the kernel applies it when the file is made, nothing reads it."""
    import builtins

    real_open = builtins.open

    def no_proc(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file).startswith("/proc"):
            raise FileNotFoundError(file)
        return real_open(file, *args, **kwargs)

    os.umask(0o022)
    await download(tmp_path / "first.bin", Answer(b"x"))  # the module is loaded by now
    os.umask(0o027)
    monkeypatch.setattr(builtins, "open", no_proc)
    target = tmp_path / "out.bin"
    await download(target, Answer(b"x"))
    monkeypatch.undo()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


@pytest.mark.parametrize(("mask", "mode"), [(0o077, 0o600), (0o002, 0o664), (0o000, 0o666)])
async def test_the_file_gets_the_mode_open_would_give_it(
    tmp_path: Path, umask: None, mask: int, mode: int
) -> None:
    os.umask(mask)
    target = tmp_path / "out.bin"
    await download(target, Answer(b"x"))
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert os.umask(mask) == mask  # the process's umask is left as it was


@pytest.mark.parametrize(
    ("failure", "raised", "message"),
    [
        (
            aiohttp.ClientPayloadError("cut"),
            ApiConnectionError,
            r"^file_content: HTTP 200: the connection broke after 4 bytes \(ClientPayloadError\)",
        ),
        (
            ConnectionResetError(104, "reset"),
            ApiConnectionError,
            r"^file_content: HTTP 200: the connection broke after 4 bytes \(ConnectionResetError\)",
        ),
        (
            TimeoutError(),
            ApiTimeoutError,
            r"^file_content: HTTP 200: timed out reading the download$",
        ),
    ],
    ids=["payload-error", "reset", "timeout"],
)
async def test_a_failure_mid_body_leaves_no_file_and_keeps_an_old_one(
    tmp_path: Path, failure: BaseException, raised: type[Exception], message: str
) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    answer = Answer(b"1234", failure, b"never")
    with pytest.raises(raised, match=message) as caught:
        await download(target, answer)
    assert caught.value.__cause__ is failure
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]
    assert answer.closed


async def test_a_failure_with_the_disk_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk: the write fails; the temporary file goes and the error is the disk's."""
    real_fdopen = os.fdopen

    class FullDisk(io.RawIOBase):
        def __init__(self, file: Any) -> None:
            self.file = file

        def writable(self) -> bool:
            return True

        def write(self, data: Any) -> int:
            raise OSError(28, "No space left on device")

        def close(self) -> None:
            self.file.close()
            super().close()

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        return FullDisk(real_fdopen(fd, *args, **kwargs))

    monkeypatch.setattr(os, "fdopen", fdopen)
    answer = Answer(b"1234")
    with pytest.raises(OSError, match="No space left"):
        await download(tmp_path / "out.bin", answer)
    assert list(tmp_path.iterdir()) == []
    assert answer.closed


async def test_an_error_status_writes_nothing_and_reads_the_error(tmp_path: Path) -> None:
    error = b'{"error": {"message": "no such file", "type": "invalid_request_error"}}'
    answer = Answer(error, status=404, content_type="application/json")
    with pytest.raises(NotFoundException, match="no such file") as caught:
        await download(tmp_path / "out.bin", answer)
    assert caught.value.request_id == "dl-1"
    assert isinstance(caught.value.data, ErrorData)
    assert list(tmp_path.iterdir()) == []
    assert answer.released


async def test_an_error_status_reads_as_status_reason_message_and_request_id() -> None:
    error = b'{"error": {"message": "no such file", "type": "invalid_request_error"}}'
    answer = Answer(error, status=404, content_type="application/json")
    with pytest.raises(NotFoundException) as caught:
        await download(io.BytesIO(), answer)
    assert str(caught.value) == "(404) Not Found: no such file [request id dl-1]"
    assert (caught.value.status, caught.value.reason) == (404, "Not Found")
    assert caught.value.headers is not None and caught.value.headers["x-request-id"] == "dl-1"
    assert caught.value.body == error.decode()


# ------------------------------------------------------------------ to a file object


async def test_a_file_object_gets_the_bytes_and_keeps_them_after_a_failure() -> None:
    buffer = io.BytesIO()
    answer = Answer(b"ab", b"cd")
    assert await download(buffer, answer) == 4
    assert buffer.getvalue() == b"abcd" and not buffer.closed and answer.closed
    partial = io.BytesIO()
    with pytest.raises(
        ApiConnectionError,
        match=r"^file_content: HTTP 200: the connection broke after 2 bytes \(ClientPayloadError\)$",
    ):
        await download(partial, Answer(b"ab", aiohttp.ClientPayloadError("cut")))
    assert partial.getvalue() == b"ab"


async def test_any_object_with_write_is_a_destination() -> None:
    class Sink:
        def __init__(self) -> None:
            self.data = b""

        def write(self, data: bytes) -> int:
            self.data += data
            return len(data)

    sink = Sink()
    assert await download(sink, Answer(b"xyz")) == 3
    assert sink.data == b"xyz"


# ------------------------------------------------------------------ refused destinations


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing" / "out.bin", r"the folder of '.*out\.bin' does not exist"),
        (lambda tmp: tmp, r"destination '.*' is a directory"),
        (lambda tmp: str(tmp), r"destination '.*' is a directory"),
        (lambda tmp: io.StringIO(), "the destination is open in text mode; open it with 'wb'"),
        (lambda tmp: 42, "the destination must be a path or a binary file object, not int"),
        (
            lambda tmp: object(),
            "the destination must be a path or a binary file object, not object",
        ),
    ],
    ids=["missing-folder", "directory", "directory-str", "text-file", "int", "object"],
)
async def test_a_bad_destination_is_refused_before_sending(
    tmp_path: Path, make: Any, message: str
) -> None:
    transport = OpeningTransport([Answer(b"x")])
    async with client(transport) as api_client:
        with pytest.raises(ApiValueError, match=r"^file_content\(\): " + message):
            await api_client.call_api_download(OPERATION, {"id": "f"}, None, make(tmp_path))
    assert transport.sent == []


@pytest.mark.parametrize("length", [230, 250, 255])
async def test_a_long_file_name_the_file_system_allows_is_downloaded(
    tmp_path: Path, length: int
) -> None:
    """NAME_MAX is 255 bytes on Linux file systems; the temporary name beside the file must
    fit too."""
    target = tmp_path / ("x" * (length - 4) + ".wav")
    assert await download(target, Answer(b"RIFF")) == 4
    assert target.read_bytes() == b"RIFF"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


async def test_a_long_name_cut_inside_a_character_gets_a_temporary_name(tmp_path: Path) -> None:
    """The temporary name keeps the first 100 bytes of the file's; a cut through a two-byte
    character drops the half character instead of failing."""
    target = tmp_path / ("a" + "é" * 80 + ".wav")  # byte 100 is the first half of an "é"
    assert await download(target, Answer(b"RIFF")) == 4
    assert target.read_bytes() == b"RIFF"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


async def test_a_temporary_name_taken_by_another_file_is_skipped_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another download (or anything else) may hold the same temporary name: it is never
    opened over, and the next free name is used."""
    import secrets

    names = iter(["cafe0001", "cafe0001", "cafe0002"])
    monkeypatch.setattr(secrets, "token_hex", lambda _: next(names))
    other = tmp_path / ".out.bin.cafe0001.part"
    other.write_bytes(b"another download's bytes")
    target = tmp_path / "out.bin"
    assert await download(target, Answer(b"new")) == 3
    assert target.read_bytes() == b"new"
    assert other.read_bytes() == b"another download's bytes"
    assert sorted(p.name for p in tmp_path.iterdir()) == [other.name, "out.bin"]


async def test_when_every_temporary_name_is_taken_the_download_fails_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import secrets

    monkeypatch.setattr(secrets, "token_hex", lambda _: "cafe0001")
    other = tmp_path / ".out.bin.cafe0001.part"
    other.write_bytes(b"another download's bytes")
    target = tmp_path / "out.bin"
    with pytest.raises(FileExistsError, match=r"^no free temporary name beside '.*out\.bin'$"):
        await download(target, Answer(b"new"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [other.name]
    assert other.read_bytes() == b"another download's bytes"


def _name_max_of(limit: int | None) -> Any:
    """A stand-in for ``os.pathconf``: like the real one, an unknown name is a ValueError."""

    def pathconf(path: Any, name: str) -> int:
        if name != "PC_NAME_MAX":
            raise ValueError(f"unrecognized configuration name {name!r}")
        if limit is None:
            raise OSError(22, "Invalid argument")
        return limit

    return pathconf


@pytest.mark.parametrize(("limit", "longest"), [(143, 143), (None, 255)])
async def test_the_name_limit_is_the_file_systems_or_255_when_it_cannot_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int | None, longest: int
) -> None:
    """eCryptfs allows 143 bytes; where the file system cannot say, 255 (most do)."""
    monkeypatch.setattr(os, "pathconf", _name_max_of(limit))
    fits = tmp_path / ("x" * (longest - 4) + ".wav")
    assert await download(fits, Answer(b"RIFF")) == 4
    transport = OpeningTransport([Answer(b"x")])
    too_long = tmp_path / ("x" * (longest - 3) + ".wav")
    async with client(transport) as api_client:
        with pytest.raises(ApiValueError, match=r"^file_content\(\): the file name .* is too long"):
            await api_client.call_api_download(OPERATION, {"id": "f"}, None, too_long)
    assert transport.sent == []


@pytest.mark.parametrize("name", ["x" * 252 + ".wav", "é" * 128 + ".wav"], ids=["256", "260b"])
async def test_a_file_name_too_long_for_the_file_system_is_refused_before_sending(
    tmp_path: Path, name: str
) -> None:
    transport = OpeningTransport([Answer(b"x")])
    async with client(transport) as api_client:
        with pytest.raises(ApiValueError, match=r"^file_content\(\): the file name .* is too long"):
            await api_client.call_api_download(OPERATION, {"id": "f"}, None, tmp_path / name)
    assert transport.sent == []


async def test_a_folder_that_cannot_be_written_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root, who may write anywhere: the refusal is simulated.
    real_access = os.access

    def access(path: Any, mode: int, **kwargs: Any) -> bool:
        if os.fspath(path) == str(tmp_path) and mode == os.W_OK:
            return False
        return real_access(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)
    transport = OpeningTransport([Answer(b"x")])
    async with client(transport) as api_client:
        with pytest.raises(ApiValueError, match=r"cannot write in the folder of '.*out\.bin'"):
            await api_client.call_api_download(OPERATION, {"id": "f"}, None, tmp_path / "out.bin")
    assert transport.sent == []


# ------------------------------------------------------------------ opening


async def test_the_default_timeouts_bound_connecting_and_each_read_not_the_whole(
    tmp_path: Path,
) -> None:
    transport = OpeningTransport([Answer(b"x")])
    settings = {"connect_timeout": 3.0, "total_timeout": 7.0}
    async with client(transport, **settings) as api_client:
        await api_client.call_api_download(OPERATION, {"id": "f"}, None, tmp_path / "a")
    assert transport.timeouts == [aiohttp.ClientTimeout(total=None, connect=3.0, sock_read=7.0)]


async def test_a_request_timeout_is_used_as_given(tmp_path: Path) -> None:
    transport = OpeningTransport([Answer(b"x"), Answer(b"y")])
    async with client(transport, connect_timeout=3.0, total_timeout=7.0) as api_client:
        await api_client.call_api_download(
            OPERATION, {"id": "f"}, None, tmp_path / "a", request_timeout=30
        )
        await api_client.call_api_download(
            OPERATION, {"id": "f"}, None, tmp_path / "b", request_timeout=(2, 5)
        )
    assert transport.timeouts == [
        aiohttp.ClientTimeout(total=30.0),
        aiohttp.ClientTimeout(total=None, connect=2, sock_read=5),
    ]


@pytest.mark.parametrize("status", [200, 201, 299])
async def test_every_2xx_status_is_a_body_to_save(status: int) -> None:
    buffer = io.BytesIO()
    assert await download(buffer, Answer(b"ok", status=status)) == 2
    assert buffer.getvalue() == b"ok"


@pytest.mark.parametrize("status", [300, 404, 500])
async def test_a_status_outside_2xx_is_an_error_and_writes_nothing(status: int) -> None:
    buffer = io.BytesIO()
    answer = Answer(b'{"error": {"message": "no", "type": "t"}}', status=status)
    with pytest.raises(Exception) as caught:
        await download(buffer, answer)
    assert getattr(caught.value, "status", None) == status
    assert buffer.getvalue() == b""
    assert answer.released


@pytest.mark.parametrize(
    ("failure", "raised", "message"),
    [
        (
            TimeoutError(),
            ApiTimeoutError,
            rf"^GET {HOST}/files/f/content: timed out reading the response$",
        ),
        (
            aiohttp.ClientPayloadError("cut"),
            ApiConnectionError,
            rf"^GET {HOST}/files/f/content: ClientPayloadError reading the response$",
        ),
        (
            ConnectionResetError(),
            ApiConnectionError,
            rf"^GET {HOST}/files/f/content: ConnectionResetError reading the response$",
        ),
    ],
    ids=["timeout", "payload", "reset"],
)
async def test_an_error_body_that_cannot_be_read_is_a_transport_error(
    failure: BaseException, raised: type[Exception], message: str
) -> None:
    answer = Answer(b'{"error": ', failure, status=404)
    with pytest.raises(raised, match=message):
        await download(io.BytesIO(), answer)
    assert answer.released


async def test_opening_is_retried_and_the_answer_that_fails_is_released(tmp_path: Path) -> None:
    busy = Answer(b'{"error": {"message": "busy", "type": "t"}}', status=503)
    transport = OpeningTransport([busy, ApiConnectionError("reset"), Answer(b"done")])
    async with client(transport, retries=2) as api_client:
        written = await api_client.call_api_download(OPERATION, {"id": "f"}, None, tmp_path / "a")
    assert written == 4 and len(transport.sent) == 3
    assert busy.released


async def test_a_raw_call_returns_any_status_unread() -> None:
    error = Answer(b"not read", status=404)
    transport = OpeningTransport([error])
    async with client(transport) as api_client:
        response = await api_client.call_api_raw(OPERATION, {"id": "f"}, request_timeout=4)
    assert response is error  # type: ignore[comparison-overlap]
    assert error.content.pieces == [b"not read"] and not error.released
    assert transport.timeouts == [4]


class Recorder:
    """A hook that records what it hears; raises from on_response when told to."""

    def __init__(self, fail: bool = False) -> None:
        self.results: list[Any] = []
        self.fail = fail

    def on_request(self, request: Any) -> None:
        pass

    def on_response(self, request: Any, result: Any) -> None:
        self.results.append(result)
        if self.fail:
            raise RuntimeError("the hook's own error")


async def test_a_raw_call_sends_the_request_and_hooks_hear_its_status() -> None:
    error = Answer(b"not read", status=404)
    transport = OpeningTransport([error])
    hook = Recorder()
    async with ApiClient(
        Configuration(host=HOST, access_token=TOKEN, retries=0), transport=transport, hooks=[hook]
    ) as api_client:
        await api_client.call_api_raw(OPERATION, {"id": "f"})
    (sent,) = transport.sent
    assert (sent.method, sent.url) == ("GET", f"{HOST}/files/f/content")
    (result,) = hook.results
    assert (result.status, result.request_id, result.error) == (404, "dl-1", None)


async def test_hooks_hear_a_downloads_status_and_request_id_then_its_error() -> None:
    error = b'{"error": {"message": "busy", "type": "t"}}'
    transport = OpeningTransport([Answer(error, status=503), Answer(b"body", status=200)])
    hook = Recorder()
    async with ApiClient(
        Configuration(host=HOST, access_token=TOKEN, retries=1),
        transport=transport,
        hooks=[hook],
    ) as api_client:
        api_client._sleep = no_wait
        assert await api_client.call_api_download(OPERATION, {"id": "f"}, None, io.BytesIO()) == 4
    failed, succeeded = hook.results
    assert (failed.status, failed.request_id, type(failed.error).__name__) == (
        503,
        "dl-1",
        "ServiceUnavailableException",
    )
    assert (succeeded.status, succeeded.request_id, succeeded.error) == (200, "dl-1", None)


@pytest.mark.parametrize("kind", ["raw", "download"])
async def test_an_answer_left_unread_by_a_failing_hook_is_closed(kind: str) -> None:
    answer = Answer(b"body", status=200)
    transport = OpeningTransport([answer])
    async with ApiClient(
        Configuration(host=HOST, access_token=TOKEN, retries=0),
        transport=transport,
        hooks=[Recorder(fail=True)],
    ) as api_client:
        with pytest.raises(RuntimeError, match="the hook's own error"):
            if kind == "raw":
                await api_client.call_api_raw(OPERATION, {"id": "f"})
            else:
                await api_client.call_api_download(OPERATION, {"id": "f"}, None, io.BytesIO())
    assert answer.closed
