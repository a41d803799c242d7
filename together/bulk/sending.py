"""Sending one batch: a request per batch, and, when the API refuses one of its texts for good,
the search for which (the other texts still get their rows)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from together.bulk.decoding import Rows, rows_decoder
from together.bulk.errors import InputRejectedError
from together.generated import ApiClient, ApiException, EmbeddingsRequest
from together.generated.api.embeddings_api import EMBEDDINGS_OPERATION

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
        :class:`InputRejectedError`, or with ``skip_rejected`` becomes a :class:`Rejected`."""
        try:
            return [await self.request(texts)]
        except ApiException as exc:
            if not about_the_input(exc):
                raise
            segments = await self._isolate(first, texts, exc)
            if len(texts) > 1 and all(isinstance(s, Rejected) for s in segments):
                raise exc from None  # every text refused: the request is wrong, not a text
            return segments

    async def request(self, texts: list[str]) -> Rows:
        async with self.slots:
            answer = await self.api_client.call_api(
                EMBEDDINGS_OPERATION,
                None,
                EmbeddingsRequest(model=self.model, input=texts),
                decode=rows_decoder(len(texts)),
            )
        return answer.data

    async def _isolate(self, first: int, texts: list[str], error: ApiException) -> list[Segment]:
        """Find the refused texts by halving: the others still get their rows."""
        if len(texts) == 1:
            if not self.skip_rejected:
                raise InputRejectedError(first, error) from error
            return [Rejected(first, error)]
        segments: list[Segment] = []
        middle = len(texts) // 2
        for offset, half in ((0, texts[:middle]), (middle, texts[middle:])):
            try:
                segments.append(await self.request(half))
            except ApiException as exc:
                if not about_the_input(exc):
                    raise
                segments += await self._isolate(first + offset, half, exc)
        return segments


def about_the_input(error: ApiException) -> bool:
    """A 400/413/422 that names no parameter, or names ``input``: some text is at fault."""
    if error.status not in INPUT_ERROR_STATUSES:
        return False
    param = getattr(getattr(error.data, "error", None), "param", None)
    return param is None or str(param).startswith("input")
