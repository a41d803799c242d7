"""Sending one batch: a request per batch, and, when the API refuses one of its texts for good,
the search for which (the other texts still get their rows)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from together.bulk.decoding import Rows, rows_decoder
from together.bulk.errors import InputRejectedError
from together.generated import ApiClient, ApiException, EmbeddingsApi, EmbeddingsRequest

__all__ = ["INPUT_ERROR_STATUSES", "BatchSender", "Rejected", "Segment"]

#: Statuses that say "this request's content is wrong": the same inputs will fail again.
INPUT_ERROR_STATUSES = frozenset({400, 413, 422})


@dataclass(frozen=True)
class Rejected:
    """Text ``index`` of the input, which the API refused with ``error``."""

    index: int
    error: ApiException


#: A run of rows, or one refused text (a NaN row when skipped).
Segment = Rows | Rejected


class BatchSender:
    """Sends batches, at most ``concurrency`` requests at a time."""

    def __init__(
        self, api_client: ApiClient, model: str, concurrency: int, skip_rejected: bool
    ) -> None:
        self.api_client = api_client
        self.model = model
        self.skip_rejected = skip_rejected
        self.slots = asyncio.Semaphore(concurrency)

    async def segments(self, first: int, texts: list[str]) -> list[Segment]:
        """The rows of texts ``first ..``; a text refused for good raises
        :class:`InputRejectedError`, or with ``skip_rejected`` becomes a :class:`Rejected`.
        A refusal of the request itself (see :meth:`_isolate`) is raised as it is."""
        try:
            return [await self.request(texts)]
        except ApiException as exc:
            if not about_the_input(exc):
                raise
            return await self._isolate(first, texts, exc, probe=_named_param(exc) is None)

    async def request(self, texts: list[str]) -> Rows:
        async with self.slots:
            return await EmbeddingsApi(self.api_client).embeddings(
                embeddings_request=EmbeddingsRequest(model=self.model, input=texts),
                _decode=rows_decoder(len(texts)),
            )

    async def _isolate(
        self, first: int, texts: list[str], error: ApiException, *, probe: bool = False
    ) -> list[Segment]:
        """Find the refused texts by halving: the others still get their rows.

        With ``probe`` (an error that names no parameter), when both halves are refused the
        very same way, the batch's shortest text is sent alone: refused that way too, the
        error is about the request (a model that is not an embedding model, say) and is
        raised at once. An error naming ``input`` is about the texts, even all of them."""
        if len(texts) == 1:
            if not self.skip_rejected:
                raise InputRejectedError(first, error) from error
            return [Rejected(first, error)]
        middle = len(texts) // 2
        outcomes: list[tuple[int, list[str], Rows | ApiException]] = []
        for offset, half in ((0, texts[:middle]), (middle, texts[middle:])):
            try:
                outcomes.append((offset, half, await self.request(half)))
            except ApiException as exc:
                if not about_the_input(exc):
                    raise
                outcomes.append((offset, half, exc))
        if probe and all(_same_refusal(outcome, error) for _, _, outcome in outcomes):
            try:
                await self.request([min(texts, key=len)])
            except ApiException as alone:
                if _same_refusal(alone, error):
                    raise error from None
        segments: list[Segment] = []
        for offset, half, outcome in outcomes:
            if isinstance(outcome, ApiException):
                segments += await self._isolate(first + offset, half, outcome)
            else:
                segments.append(outcome)
        return segments


def _same_refusal(outcome: object, error: ApiException) -> bool:
    return (
        isinstance(outcome, ApiException)
        and outcome.status == error.status
        and outcome.body == error.body
    )


def about_the_input(error: ApiException) -> bool:
    """A 400/413/422 that names no parameter, or names ``input``: maybe a text is at fault."""
    if error.status not in INPUT_ERROR_STATUSES:
        return False
    param = _named_param(error)
    return param is None or param.startswith("input")


def _named_param(error: ApiException) -> str | None:
    param = getattr(getattr(error.data, "error", None), "param", None)
    return None if param is None else str(param)
