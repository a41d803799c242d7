"""Embedding vectors as a numpy array: mixed into the generated ``EmbeddingsResponse``.

Hand-written runtime (not generated); ``[tool.codegen.mixins]`` in pyproject.toml tells the
generator to add :class:`EmbeddingVectors` to the model's bases. numpy is optional
(``pip install 'together-generated[numpy]'``): nothing imports it until an array is asked for.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from together.generated._runtime.exceptions import InvalidVectorsError

if TYPE_CHECKING:
    import numpy
    import numpy.typing

__all__ = ["EmbeddingVectors", "import_numpy", "rows_from_json"]

NUMPY_HINT = "numpy is needed for arrays: pip install 'together-generated[numpy]'"


class _Embedding(Protocol):
    @property
    def index(self) -> int: ...

    @property
    def embedding(self) -> list[float]: ...


class _HasEmbeddings(Protocol):
    @property
    def data(self) -> Sequence[_Embedding]: ...


def import_numpy() -> Any:
    """numpy, or an ImportError that says how to install it."""
    try:
        import numpy
    except ImportError as exc:
        raise ImportError(NUMPY_HINT) from exc
    return numpy


class EmbeddingVectors:
    """Adds :meth:`to_numpy` to a response holding ``data[i].embedding`` vectors."""

    def to_numpy(
        self: _HasEmbeddings, *, expected_rows: int | None = None
    ) -> numpy.typing.NDArray[numpy.float32]:
        """The vectors as a float32 array of shape (n, dim), row i for input i.

        Rows follow each item's ``index``, so the order of the items in the answer does not
        matter. One finite vector per input is checked: indices that are not exactly
        0..n-1, vectors of unequal or zero length, a value that is not finite, or (with
        ``expected_rows``, the number of inputs sent) a count that differs raise
        :class:`~together.generated._runtime.exceptions.InvalidVectorsError` (a ``ValueError``).
        """
        np = import_numpy()
        items = self.data
        if expected_rows is not None and len(items) != expected_rows:
            raise InvalidVectorsError(
                f"the answer has {len(items)} vectors for {expected_rows} inputs"
            )
        if not items:
            return np.empty((0, 0), dtype=np.float32)  # type: ignore[no-any-return]
        dimensions = len(items[0].embedding)
        if dimensions == 0:
            raise InvalidVectorsError("the embeddings are empty vectors (zero width)")
        array = np.empty((len(items), dimensions), dtype=np.float32)
        seen = np.zeros(len(items), dtype=bool)
        with np.errstate(over="ignore"):  # an overflow becomes inf, refused below
            for item in items:
                if not 0 <= item.index < len(items) or seen[item.index]:
                    raise InvalidVectorsError(
                        f"embedding indices are not 0..{len(items) - 1}: {item.index}"
                    )
                if len(item.embedding) != dimensions:
                    raise InvalidVectorsError("embeddings of unequal length in one answer")
                array[item.index] = item.embedding
                seen[item.index] = True
        if not np.isfinite(array).all():
            # Decoding refuses NaN and Infinity; a value beyond float32's range becomes inf.
            row = int(np.flatnonzero(~np.isfinite(array).all(axis=1))[0])
            raise InvalidVectorsError(f"embedding {row} has a value that is not finite in float32")
        return array  # type: ignore[no-any-return]


def rows_from_json(
    body: bytes, *, expected_rows: int | None = None
) -> numpy.typing.NDArray[numpy.float32]:
    """An embeddings answer's vectors as a float32 array, straight from its JSON bytes.

    For bulk work, with ``ApiClient.call_api(..., decode=...)``: no per-item models, with the
    checks the models would make on the numbers: one vector per input (``expected_rows``),
    indices exactly 0..n-1 (rows follow them), one length (not zero), JSON numbers only (a number
    written as a string is refused, and ``NaN``/``Infinity`` are not JSON), finite in
    float32. Anything else raises :class:`~.exceptions.InvalidVectorsError`
    (a ``ValueError``, so ``call_api`` reports it as ``MalformedResponseException`` with the
    raw body).
    """
    np = import_numpy()
    document = _strict_json(body)
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, list):
        raise InvalidVectorsError("the answer has no 'data' list")
    if expected_rows is not None and len(data) != expected_rows:
        raise InvalidVectorsError(f"the answer has {len(data)} vectors for {expected_rows} inputs")
    vectors: list[Any] = [None] * len(data)
    for item in data:
        index = item.get("index") if isinstance(item, dict) else None
        if type(index) is not int or not 0 <= index < len(data) or vectors[index] is not None:
            raise InvalidVectorsError(f"embedding indices are not 0..{len(data) - 1}: {index!r}")
        vectors[index] = item.get("embedding")
    if not data:
        return np.empty((0, 0), dtype=np.float32)  # type: ignore[no-any-return]
    dimensions = len(vectors[0]) if type(vectors[0]) is list else -1
    rows = np.frombuffer(_float32_rows(vectors, dimensions), dtype=np.float32)
    if dimensions == 0:
        raise InvalidVectorsError("the embeddings are empty vectors (zero width)")
    rows = rows.reshape(len(vectors), dimensions)
    if not np.isfinite(rows).all():
        raise InvalidVectorsError("an embedding has a value that is not finite in float32")
    return rows  # type: ignore[no-any-return]


def _float32_rows(vectors: list[Any], dimensions: int) -> array[float]:
    """The vectors, one after the other, as float32 values: one pass, straight from the
    parsed lists (no float64 copy), checked on the way.

    ``array.fromlist`` converts in C and takes only real numbers: a string (even ``"1.5"``,
    which numpy would parse), ``null``, a list or an object raises ``TypeError``. It takes
    booleans as integers, so a vector whose first value is not a float is looked at item by
    item: a vector of ``true``/``false`` (or of integers and booleans) is refused; a boolean
    after a float is taken as 0 or 1, as numpy took any boolean among floats before.
    A value beyond float32's range becomes infinite (refused by the caller).
    """
    problem = "embeddings are not vectors of JSON numbers of one length"
    out = array("f")
    for vector in vectors:
        if type(vector) is not list:
            raise InvalidVectorsError(problem)
        if len(vector) != dimensions:
            raise InvalidVectorsError("embeddings are not vectors of one length")
        if vector and type(vector[0]) is not float and not all(map(_is_number, vector)):
            raise InvalidVectorsError(problem)
        try:
            out.fromlist(vector)
        except TypeError as exc:
            raise InvalidVectorsError(problem) from exc
        except OverflowError as exc:  # an integer beyond any float (pydantic's parser keeps it)
            raise InvalidVectorsError(
                "an embedding has a value that is not finite in float32"
            ) from exc
    return out


def _is_number(value: object) -> bool:
    """A parsed JSON number: ``int`` or ``float``, not ``bool`` (a subclass of ``int``)."""
    return type(value) is int or type(value) is float


def _strict_json(body: bytes) -> Any:
    """JSON without NaN or Infinity: orjson when installed, else pydantic's parser."""
    try:
        import orjson
    except ImportError:
        import pydantic_core

        try:
            return pydantic_core.from_json(body, allow_inf_nan=False)
        except ValueError as exc:
            raise InvalidVectorsError(f"the answer is not valid JSON: {exc}") from exc
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidVectorsError(f"the answer is not valid JSON: {exc}") from exc
