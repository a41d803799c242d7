"""The view of a ``oneOf``/``anyOf`` schema: a wrapper model whose fields take the plain value."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self, Unpack

from codegen import ir
from codegen.views.model_base import ModelNames, ModelView
from codegen.views.python_types import Imports, TypeRenderer


@dataclass(kw_only=True)
class UnionModelView(ModelView):
    kind = "union"
    union_annotation: str = ""
    #: Each variant's annotation, for the docs page.
    union_members: list[str] = field(default_factory=list)

    @classmethod
    def accepts(cls, schema: ir.Schema) -> bool:
        return isinstance(schema, ir.UnionSchema)

    @classmethod
    def build(
        cls,
        schema: ir.Schema,
        types: TypeRenderer,
        imports: Imports,
        mixin: str | None,
        **names: Unpack[ModelNames],
    ) -> Self:
        assert isinstance(schema, ir.UnionSchema)
        imports.add(f"{types.runtime}.model_base", "OneOfModel")
        imports.add("typing", "ClassVar")
        scratch = Imports()
        return cls(
            **names,
            union_annotation=types.union_annotation(schema.union, imports),
            union_members=[types.annotation(v, scratch) for v in schema.union.variants],
        )
