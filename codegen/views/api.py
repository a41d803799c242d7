"""The view of one API module and page: the operations of a tag, as one class."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from codegen import ir
from codegen.errors import Refusals, SpecError
from codegen.naming import pascal_case, snake_case
from codegen.views.doc_text import one_paragraph
from codegen.views.operation import OperationView, operation_view
from codegen.views.python_types import Imports, TypeRenderer


@dataclass
class ApiView:
    name: str
    module: str
    tag: str
    description: str
    operations: list[OperationView]
    imports: list[str]

    @property
    def decodes(self) -> bool:
        """Whether a method takes ``_decode=`` (the module declares its type variables)."""
        return any(op.decodable for op in self.operations)


def api_class_name(tag: str) -> str:
    return pascal_case(tag) + "Api"


def api_module_name(tag: str) -> str:
    return snake_case(api_class_name(tag))


def api_view(
    tag: ir.Tag,
    spec: ir.ApiSpec,
    types: TypeRenderer,
    raises_for: Callable[[int], str],
    refusals: Refusals,
    legacy_aliases: frozenset[str] = frozenset(),
) -> ApiView:
    imports = Imports()
    name = api_class_name(tag.name)
    imports.add(f"{types.runtime}.operation", "Operation")
    imports.add(f"{types.runtime}.operation", "ResponseSpec")
    imports.add(f"{types.runtime}.operation", "SecurityScheme")
    operations: list[OperationView] = []
    methods: dict[str, str] = {}
    for op in tag.operations:
        with refusals.guard():
            view = operation_view(op, spec, types, imports, raises_for)
            if op.operation_id in legacy_aliases:
                view.legacy_alias = view.constant.removeprefix("_")
            for method in view.method_names:
                if method in methods:
                    raise SpecError(
                        op.pointer,
                        "operationId",
                        f"operationId {op.operation_id!r} gives the method {method!r} of "
                        f"{name}, as does the operation at {methods[method]}",
                        source=spec.source_name,
                    )
                methods[method] = op.pointer
            operations.append(view)
    return ApiView(
        name=name,
        module=api_module_name(tag.name),
        tag=tag.name,
        description=one_paragraph(tag.description) or f"Operations tagged {tag.name}.",
        operations=operations,
        imports=imports.lines(),
    )
