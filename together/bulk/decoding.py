"""Answers of ``POST /embeddings`` decoded straight into float32 rows.

This is the one place where bulk embedding departs from the generated client: it sends the
generated operation (auth, retries, error mapping all unchanged) but asks the runtime's
per-call decoding seam (``ApiClient.call_api(..., decode=...)``) for a numpy array instead of
pydantic models. For a batch of 128 x 768 that is twice as fast and keeps no Python floats;
:func:`~together.generated._runtime.vectors.rows_from_json` makes the checks the models would make
(JSON numbers only, finite, one vector per input placed by its ``index``), and
:func:`rows_decoder` adds one: a vector has at least one dimension.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from together.generated._runtime.exceptions import InvalidVectorsError
from together.generated._runtime.vectors import rows_from_json

if TYPE_CHECKING:
    import numpy
    import numpy.typing

    Rows = numpy.typing.NDArray[numpy.float32]
else:
    Rows = Any

__all__ = ["Rows", "rows_decoder"]


# One decoder per batch size, so that the runtime's cache of decoders (keyed by the decoder)
# hits: batch sizes are few (the last batch, split batches), at most MAX_BATCH_SIZE.
@functools.lru_cache(maxsize=1024)
def rows_decoder(expected_rows: int) -> Callable[[bytes], Rows]:
    """The decoder for the answer to a batch of ``expected_rows`` texts: anything but that many
    finite vectors of one length (at least 1), in ``index`` order, is a
    ``MalformedResponseException``."""

    def embedding_rows(body: bytes) -> Rows:
        rows = rows_from_json(body, expected_rows=expected_rows)
        if rows.shape[0] and rows.shape[1] == 0:
            raise InvalidVectorsError("the embeddings are empty vectors (0 dimensions)")
        return rows

    return embedding_rows
