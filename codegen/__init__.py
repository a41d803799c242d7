"""The code generator: ``openapi.yaml`` -> ``together/generated`` and ``docs``.

Pipeline, one module a stage:

- ``loader``: read the YAML, check the OpenAPI version, resolve ``$ref``;
- ``lower`` (document, operations) and ``lower_schemas`` (schemas): walk the document into
  the typed IR of ``ir``, refusing what it cannot express;
- ``views`` (gathering ``model_views`` and ``api_views``), with ``python_types``, ``naming``
  and ``doc_text``: decide names, annotations, imports and the docs pages' text;
- ``render``: Jinja2 templates in ``templates/`` print the files;
- ``output``: format with ruff, then write, or compare (``--check``).
"""
