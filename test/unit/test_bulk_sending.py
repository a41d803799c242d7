"""Which text a refusal is about: the whole request, one text, or every text of a batch
(review-1 items 5 and 6)."""

from __future__ import annotations

import asyncio
import math

import pytest
from bulk_support import fake_client, refusal, vectors_of

from together.bulk import InputRejectedError, embed_many
from together.bulk.batching import Checkpoint
from together.generated import ApiException, NotFoundException
from together.generated._runtime.exceptions import BadRequestException, MalformedResponseException

TEXTS = [f"t{i}" for i in range(512)]


@pytest.mark.parametrize("skip_rejected", [False, True])
async def test_a_refusal_of_the_whole_request_is_raised_at_once(skip_rejected: bool) -> None:
    # A model that is not an embedding model: every request gets the same 400, naming no param.
    client, transport = fake_client(lambda texts: (400, refusal("X is not an embedding model")))
    async with client:
        with pytest.raises(BadRequestException, match="not an embedding model"):
            await embed_many(
                client,
                TEXTS,
                model="X",
                batch_size=128,
                concurrency=4,
                skip_rejected=skip_rejected,
            )
    assert len(transport.sent) <= 16  # per batch: itself, its halves, one text alone


async def test_a_batch_whose_texts_are_all_refused_is_skipped_text_by_text() -> None:
    def answer(texts: list[str]) -> tuple[int, object]:
        if any(text.startswith("LONG") for text in texts):
            return 400, refusal("input too long", "input")
        return 200, vectors_of(texts)

    client, _ = fake_client(answer)
    async with client:
        rows = await embed_many(
            client, ["a", "b", "LONG1", "LONG2"], model="m", batch_size=2, skip_rejected=True
        )
    assert rows is not None and rows.shape == (4, 4)
    assert rows[:2].tolist() == [[1.0] * 4, [2.0] * 4]
    assert all(math.isnan(value) for value in rows[2:].ravel())


@pytest.mark.parametrize("param", [None, "input"])
async def test_one_refused_text_is_still_found(param: str | None) -> None:
    def answer(texts: list[str]) -> tuple[int, object]:
        if "LONG" in texts:
            return 400, refusal("too long", param)
        return 200, vectors_of(texts)

    texts = [f"text {i}" for i in range(40)]
    texts[29] = "LONG"
    client, _ = fake_client(answer)
    async with client:
        with pytest.raises(InputRejectedError) as caught:
            await embed_many(client, texts, model="m", batch_size=16)
        assert caught.value.index == 29
        rows = await embed_many(client, texts, model="m", batch_size=16, skip_rejected=True)
    assert rows is not None and [math.isnan(row[0]) for row in rows].count(True) == 1
    assert math.isnan(rows[29, 0])


async def test_a_refusal_that_differs_for_one_text_is_searched() -> None:
    # The short probe is refused too, but for another reason: not the request's fault.
    def answer(texts: list[str]) -> tuple[int, object]:
        if len(texts) == 1 and texts[0] == "a":
            return 400, refusal("a is banned")
        if any(text in ("a", "LONG") for text in texts):
            return 400, refusal("too long" if "LONG" in texts else "a is banned")
        return 200, vectors_of(texts)

    client, _ = fake_client(answer)
    async with client:
        rows = await embed_many(
            client, ["a", "bb", "LONG", "cc"], model="m", batch_size=4, skip_rejected=True
        )
    assert rows is not None
    assert [math.isnan(row[0]) for row in rows] == [True, False, True, False]


async def test_a_batch_cancelled_from_outside_stops_embed_many() -> None:
    # review-1 item 16: a cancellation embed_many did not start must not leave it waiting.
    client, transport = fake_client(lambda texts: (200, vectors_of(texts)))
    answer = transport.request

    async def cancelled_second(request: object, *, timeout: object = None) -> object:
        if len(transport.sent) == 1:  # the second request's task is cancelled by someone else
            task = asyncio.current_task()
            assert task is not None
            task.cancel()
            await asyncio.sleep(0)
        return await answer(request, timeout=timeout)  # type: ignore[arg-type]

    transport.request = cancelled_second  # type: ignore[assignment,method-assign]
    async with client:
        job = asyncio.create_task(embed_many(client, TEXTS, model="m", batch_size=8, concurrency=1))
        done, _ = await asyncio.wait({job}, timeout=10)
        hung = job not in done
        job.cancel()
        await asyncio.gather(job, return_exceptions=True)
    assert not hung
    assert job.cancelled()  # the batch's cancellation, raised
    assert len(transport.sent) < 10


async def test_when_every_text_is_refused_the_first_is_named() -> None:
    # skipped texts get NaN rows of the output's width; with no row at all there is no width
    client, _ = fake_client(lambda texts: (400, refusal("input too long", "input")))
    async with client:
        with pytest.raises(InputRejectedError) as caught:
            await embed_many(client, ["a", "b", "c"], model="m", batch_size=2, skip_rejected=True)
    assert caught.value.index == 0
    assert isinstance(caught.value.cause, BadRequestException)
    assert caught.value.__cause__ is caught.value.cause


@pytest.mark.parametrize("status", [400, 413, 422])
async def test_each_status_about_the_input_starts_a_search(status: int) -> None:
    def answer(texts: list[str]) -> tuple[int, object]:
        if "LONG" in texts:
            return status, refusal("too long", "input.1")
        return 200, vectors_of(texts)

    client, transport = fake_client(answer)
    async with client:
        with pytest.raises(InputRejectedError) as caught:
            await embed_many(client, ["a", "LONG", "c", "d"], model="m", batch_size=4)
    assert caught.value.index == 1 and caught.value.cause.status == status
    assert transport.sent[0] == ["a", "LONG", "c", "d"] and len(transport.sent) > 1


@pytest.mark.parametrize(("status", "param"), [(400, "model"), (404, None), (403, "input")])
async def test_a_refusal_not_about_the_input_is_raised_after_one_request(
    status: int, param: str | None
) -> None:
    client, transport = fake_client(lambda texts: (status, refusal("no", param)))
    async with client:
        with pytest.raises(ApiException) as caught:
            await embed_many(client, ["a", "b", "c"], model="m", batch_size=3, skip_rejected=True)
    assert caught.value.status == status
    assert transport.sent == [["a", "b", "c"]]


async def test_the_probe_is_the_shortest_text_so_a_long_text_is_not_taken_for_the_request() -> None:
    # a message that names no parameter, the same for every request holding a long text
    def answer(texts: list[str]) -> tuple[int, object]:
        if any(text.startswith("LONG") for text in texts):
            return 400, refusal("too long")
        return 200, vectors_of(texts)

    client, transport = fake_client(answer)
    async with client:
        rows = await embed_many(
            client, ["LONG one", "a", "LONG two", "bb"], model="m", skip_rejected=True
        )
    assert rows is not None
    assert [math.isnan(row[0]) for row in rows] == [True, False, True, False]
    assert transport.sent[:4] == [
        ["LONG one", "a", "LONG two", "bb"],
        ["LONG one", "a"],
        ["LONG two", "bb"],
        ["a"],  # the shortest text alone: answered, so the texts are at fault
    ]


async def test_the_answer_of_each_request_must_have_a_row_per_text() -> None:
    client, _ = fake_client(lambda texts: (200, vectors_of(texts[:-1])))
    async with client:
        with pytest.raises(MalformedResponseException, match="2 vectors for 3 inputs"):
            await embed_many(client, ["a", "b", "c"], model="m")


async def test_a_half_whose_texts_are_all_refused_is_searched_not_blamed_on_the_request() -> None:
    # the shortest-text probe is made once, for the batch: deeper halves are always searched
    def answer(texts: list[str]) -> tuple[int, object]:
        if any(text.startswith("LONG") for text in texts):
            return 400, refusal("too long")
        return 200, vectors_of(texts)

    texts = ["LONG0", "LONG1", "LONG2", "LONG3", "a", "b", "c", "d"]
    client, _ = fake_client(answer)
    async with client:
        rows = await embed_many(client, texts, model="m", batch_size=8, skip_rejected=True)
    assert rows is not None
    assert [math.isnan(row[0]) for row in rows] == [True] * 4 + [False] * 4


# ------------------------------------------------ embed_many's defaults and bad arguments


async def test_by_default_a_request_carries_128_texts() -> None:
    client, transport = fake_client(lambda texts: (200, vectors_of(texts)))
    async with client:
        rows = await embed_many(client, [f"t{i}" for i in range(300)], model="m")
    assert rows is not None and rows.shape == (300, 4)
    assert sorted(map(len, transport.sent)) == [44, 128, 128]


async def test_by_default_a_request_carries_at_most_400_000_characters() -> None:
    client, transport = fake_client(lambda texts: (200, vectors_of(texts)))
    exactly = ["a" * 200_000, "b" * 200_000]
    one_more = ["c" * 200_000, "d" * 200_001]
    async with client:
        await embed_many(client, [*exactly, *one_more], model="m", concurrency=1)
    assert [[len(text) for text in sent] for sent in transport.sent] == [
        [200_000, 200_000],
        [200_000],
        [200_001],
    ]


async def test_by_default_four_requests_are_in_flight() -> None:
    client, transport = fake_client(lambda texts: (200, vectors_of(texts)))
    answer = transport.request
    in_flight = peak = 0

    async def slow(request: object, *, timeout: object = None) -> object:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.1)  # every batch is waiting by then: the bound is what holds
        in_flight -= 1
        return await answer(request, timeout=timeout)  # type: ignore[arg-type]

    transport.request = slow  # type: ignore[assignment,method-assign]
    async with client:
        await embed_many(client, [f"t{i}" for i in range(8)], model="m", batch_size=1)
    assert peak == 4


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"batch_size": 0}, "batch_size must be between 1 and 512, not 0"),
        ({"batch_size": 513}, "batch_size must be between 1 and 512, not 513"),
        ({"concurrency": 0}, "concurrency must be at least 1, not 0"),
        ({"skip": 1, "resume": Checkpoint(1, None)}, "give skip or resume, not both"),
    ],
)
async def test_bad_arguments_are_refused_before_a_request(
    arguments: dict[str, object], message: str
) -> None:
    client, transport = fake_client(lambda texts: (200, vectors_of(texts)))
    async with client:
        with pytest.raises(ValueError) as caught:
            await embed_many(client, ["a"], model="m", **arguments)  # type: ignore[arg-type]
    assert str(caught.value) == message
    assert transport.sent == []


async def test_a_failed_job_leaves_no_batch_running() -> None:
    # "cancels the batches in flight and is raised at once": and they are gone when it is raised
    client, transport = fake_client(lambda texts: (404, refusal("no such model")))
    answer = transport.request
    hang = asyncio.Event()

    async def first_fails_others_hang(request: object, *, timeout: object = None) -> object:
        if transport.sent:
            await hang.wait()  # never set: only a cancellation ends it
        await asyncio.sleep(0.05)
        return await answer(request, timeout=timeout)  # type: ignore[arg-type]

    transport.request = first_fails_others_hang  # type: ignore[assignment,method-assign]
    async with client:
        with pytest.raises(NotFoundException):
            await embed_many(client, [f"t{i}" for i in range(8)], model="m", batch_size=1)
        assert asyncio.all_tasks() == {asyncio.current_task()}
