"""The view of one model module and page: the kind of its schema picks the view that builds it.

One small view per kind (:mod:`.object_model`, :mod:`.enum_model`, :mod:`.union_model`,
:mod:`.alias_model`), each with the fields its templates print (``model_<kind>.py.j2`` and
its section of ``model.md.j2``). :func:`model_view` asks each kind in turn whether it takes
the schema, and adds what every kind shares: names, imports, import cycles.
"""

from __future__ import annotations

from codegen import ir
from codegen.views.alias_model import AliasModelView
from codegen.views.doc_text import one_paragraph
from codegen.views.enum_model import EnumModelView
from codegen.views.model_base import ModelView
from codegen.views.object_model import ObjectModelView
from codegen.views.python_types import Imports, TypeRenderer
from codegen.views.union_model import UnionModelView

#: The kinds, asked in order; the alias takes whatever the others do not.
MODEL_KINDS: tuple[type[ModelView], ...] = (
    ObjectModelView,
    EnumModelView,
    UnionModelView,
    AliasModelView,
)


def model_view(
    schema: ir.Schema,
    types: TypeRenderer,
    mixin: str | None,
    cycle: frozenset[str] | None = None,
) -> ModelView:
    """The view of one model module; ``cycle`` names the schemas of its import cycle."""
    imports = Imports()
    name = types.class_of(schema.name)
    kind = next(kind for kind in MODEL_KINDS if kind.accepts(schema))
    view = kind.build(
        schema,
        types,
        imports,
        mixin,
        name=name,
        module=types.module_of(schema.name),
        schema_name=schema.name,
        description=one_paragraph(schema.description) or name,
    )
    # A model never imports itself.
    imports.names.get(types.model_module(schema.name), set()).discard(name)
    if cycle:
        # Recursive: annotations are postponed and the partners of the cycle imported at
        # the end, once this module's class exists (see codegen.views.cycles).
        view.recursive = True
        partners = Imports()
        for module in sorted({types.model_module(n) for n in cycle}):
            for imported in sorted(imports.names.pop(module, set())):
                partners.add(module, imported)
        view.cycle_imports = partners.lines()
    view.imports = imports.lines()
    return view
