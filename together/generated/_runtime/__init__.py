"""The hand-written runtime of ``together.generated``: everything that decides.

Every other file of ``together.generated`` (``api/``, ``models/``, ``__init__.py``,
``openapi_info.py`` and the seed's module paths ``api_client``, ``api_response``,
``configuration``, ``exceptions``, ``rest``) is output of ``python -m codegen``: it declares
operations and models and imports from here. This folder is written and reviewed by hand:

- ``api_client.py``: the one request path every generated method calls;
- ``attempts.py``: the one attempt loop (hooks, retry strategy, deadline);
- ``operation.py``: what a generated method declares; request building;
- ``rest.py``, ``transport.py``: where requests are sent (aiohttp);
- ``response_decoding.py``, ``exceptions.py``: where answers are decoded and errors mapped;
- ``streaming.py``, ``multipart.py``, ``download.py``, ``opening.py``: streams, uploads,
  downloads;
- ``retry.py``, ``hooks.py``, ``credentials.py``, ``configuration.py``, ``sync.py``,
  ``model_base.py``, ``api_response.py``, ``vectors.py``, ``version.py``.

Public names are exported from ``together.generated`` itself; import them from there.
"""
