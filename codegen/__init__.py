"""The code generator: ``openapi.yaml`` -> ``together/generated`` and ``docs``.

One sub-package a stage, run in order by :mod:`codegen.pipeline`:

- ``read``: load the YAML, check the OpenAPI version, resolve ``$ref``; apply the overlay;
- ``lower``: walk the document into the typed IR of ``ir``, refusing what it cannot express
  (``errors``: the refusals, with their JSON pointers);
- ``views``: decide what each file says -- names, annotations, imports, the docs pages'
  text -- in one small view per kind of schema, body and answer;
- ``emit``: print the views with the Jinja2 templates, format with ruff, then write or
  compare (``--check``).
"""
