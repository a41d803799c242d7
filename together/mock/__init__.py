"""A local server that speaks the Together API of ``openapi.yaml``, for offline runs and tests.

It validates requests against the spec, answers errors in the spec's shape, returns
deterministic stand-in embeddings (**not a neural model**: hashed word and character n-gram
features, see :mod:`together.mock.embedding`) and injects faults on demand (see
:mod:`together.mock.faults`)::

    from together.mock import MockServer

    async with MockServer() as server:
        configuration = together.generated.Configuration(host=server.url, access_token="any")

Needs the ``server`` extra: ``pip install 'together-generated[server]'``.
"""

from together.mock.faults import FAULT_HEADER, FaultOptions
from together.mock.server import MockOptions, MockServer, create_app

__all__ = ["FAULT_HEADER", "FaultOptions", "MockOptions", "MockServer", "create_app"]
