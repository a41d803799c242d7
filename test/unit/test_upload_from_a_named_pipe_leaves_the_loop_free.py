"""An upload from a named pipe (FIFO) never stops the event loop while it waits for a writer.

Opening a FIFO for reading blocks until some process opens it for writing; done on the
event loop's thread, that stalls every other coroutine (timeouts included) until then. The
writer here is a thread that connects only once the loop has shown it is still running, or
after a few seconds if it never does (so a regression fails instead of hanging).
"""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

from pydantic import BaseModel, TypeAdapter

from together.generated._runtime.multipart import FileInput, MultipartBody, encode_multipart

#: How long the writer waits for a sign of life from the loop before connecting anyway.
PATIENCE = 5.0


class Upload(BaseModel):
    file: FileInput


def pipe_body(fifo: Path) -> MultipartBody:
    return encode_multipart(
        TypeAdapter(Upload), Upload(file=fifo), ("file",), operation_id="upload", boundary="bnd"
    )


async def read_all(body: MultipartBody) -> bytes:
    return b"".join([piece async for piece in body.stream()])


async def test_another_coroutine_runs_while_the_pipe_waits_for_its_writer(
    tmp_path: Path,
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    loop_ran = threading.Event()
    saw_the_loop_run: list[bool] = []

    def writer() -> None:
        saw_the_loop_run.append(loop_ran.wait(timeout=PATIENCE))
        with open(fifo, "wb") as pipe:
            pipe.write(b"written late")

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        upload = asyncio.create_task(read_all(pipe_body(fifo)))
        # The upload starts (its part headers), then opens the pipe: wait until it is there.
        for _ in range(100):
            await asyncio.sleep(0.01)
        assert not upload.done()  # still waiting for the writer ...
        loop_ran.set()  # ... and this coroutine ran meanwhile
        raw = await asyncio.wait_for(upload, timeout=PATIENCE * 2)
    finally:
        thread.join(timeout=PATIENCE * 2)
    assert saw_the_loop_run == [True]
    assert b"\r\n\r\nwritten late\r\n--bnd--\r\n" in raw


async def test_an_upload_cancelled_while_the_pipe_has_no_writer_ends_at_once(
    tmp_path: Path,
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    threads_before = set(threading.enumerate())
    loop_ran = threading.Event()

    def unstick() -> None:  # if the loop itself waits for a writer, give it one (and fail)
        if not loop_ran.wait(timeout=PATIENCE):
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    guard = threading.Thread(target=unstick, daemon=True)
    guard.start()
    upload = asyncio.create_task(read_all(pipe_body(fifo)))
    for _ in range(20):
        await asyncio.sleep(0.01)
    loop_ran.set()
    guard.join()
    upload.cancel()
    done, _ = await asyncio.wait([upload], timeout=PATIENCE)
    assert done == {upload} and upload.cancelled()
    # Nothing waits on the loop's executor (asyncio.run's exit would wait for it) ...
    await asyncio.wait_for(asyncio.get_running_loop().shutdown_default_executor(), PATIENCE)
    # ... and once a writer connects, the file the runtime opened too late is closed again.
    descriptor = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # succeeds: a reader is waiting
    os.close(descriptor)
    for thread in set(threading.enumerate()) - threads_before - {guard}:
        thread.join(PATIENCE)  # the opener: its open() returned
    for _ in range(10):  # the loop hears of it (a callback) and closes the file
        await asyncio.sleep(0.01)
    assert descriptors_open_on(fifo) == []


def descriptors_open_on(path: Path) -> list[str]:
    """This process's file descriptors open on ``path`` (Linux: /proc/self/fd)."""
    found = []
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}") == str(path):
                found.append(name)
        except OSError:  # closed meanwhile (the listing's own descriptor, say)
            pass
    return found


async def test_a_pipe_that_cannot_be_opened_any_more_is_an_error_of_the_upload(
    tmp_path: Path,
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    body = pipe_body(fifo)
    fifo.unlink()  # gone between building the body and sending it
    try:
        await read_all(body)
    except FileNotFoundError as exc:
        assert str(fifo) in str(exc)
    else:
        raise AssertionError("reading a removed pipe should fail")
