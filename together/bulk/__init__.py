"""Embedding many texts: batches, bounded concurrency, input order, bounded memory, resume.

Hand-written, outside ``together/generated`` (the generator never touches it)::

    async with ApiClient(configuration) as api_client:
        vectors = await embed_many(api_client, texts, model="BAAI/bge-base-en-v1.5")

        job = open_job(Path("out.npy"), {"model": "BAAI/bge-base-en-v1.5"})  # resumes
        await embed_many(api_client, texts, model=..., sink=job.sink, resume=job.start,
                         on_checkpoint=job.checkpoint)
        job.finish()

Texts are read lazily from any iterable (or async iterable) and sent in batches of at most
``batch_size`` inputs and ``max_batch_chars`` characters, ``concurrency`` at a time; each
batch relies on the client's retries. Finished batches are turned into float32 rows at once
and written in input order, so memory holds at most about ``2 * concurrency`` batches, never
every vector as Python floats. Row *i* is always text *i*. Needs numpy (the ``numpy`` extra).

Modules: :mod:`~together.bulk.pipeline` (``embed_many``), :mod:`~together.bulk.batching`
(batches and checkpoints), :mod:`~together.bulk.sending` (a request per batch, refused texts
found), :mod:`~together.bulk.ordering` (writing in input order, bounded),
:mod:`~together.bulk.fingerprint` (the input's running hash),
:mod:`~together.bulk.decoding` (answers straight into rows), :mod:`~together.bulk.npy`,
:mod:`~together.bulk.jsonl`, :mod:`~together.bulk.memory` (sinks),
:mod:`~together.bulk.journal` and :mod:`~together.bulk.job` (resuming),
:mod:`~together.bulk.files` (durable names, the output's lock), and
:mod:`~together.bulk.errors`.
"""

from together.bulk.batching import Checkpoint
from together.bulk.errors import InputRejectedError, OutputInUseError, ResumeError, SinkWriteError
from together.bulk.job import BulkJob, open_job
from together.bulk.jsonl import JsonLinesWriter
from together.bulk.memory import ArrayCollector
from together.bulk.npy import NpyWriter
from together.bulk.pipeline import MAX_BATCH_SIZE, Rejected, embed_many
from together.bulk.sinks import ResumableSink, RowSink, open_sink

__all__ = [
    "MAX_BATCH_SIZE",
    "ArrayCollector",
    "BulkJob",
    "Checkpoint",
    "InputRejectedError",
    "JsonLinesWriter",
    "NpyWriter",
    "OutputInUseError",
    "Rejected",
    "ResumableSink",
    "ResumeError",
    "RowSink",
    "SinkWriteError",
    "embed_many",
    "open_job",
    "open_sink",
]
