"""What each generated file says, computed from the IR, so that templates only print.

Every decision about Python code (names, annotations, defaults, imports) and about the docs
pages is taken in the views: ``model_views`` for models, ``api_views`` for APIs, gathered
here into one :class:`PackageView`; ``codegen/templates`` lays the results out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from codegen import ir
from codegen.api_views import ApiView, api_view
from codegen.errors import SpecError
from codegen.model_views import ModelView, model_view
from codegen.naming import (
    module_name,
)
from codegen.python_types import TypeRenderer, class_name


@dataclass
class PackageView:
    package: str
    runtime: str
    title: str
    version: str
    description: str
    default_host: str
    apis: list[ApiView]
    models: list[ModelView]
    security_schemes: list[ir.SecurityScheme]


def build_package_view(
    spec: ir.ApiSpec,
    package: str,
    runtime: str,
    raises_for: Callable[[int], str],
    mixins: dict[str, str] | None = None,
) -> PackageView:
    """The views of every file; ``raises_for`` names the runtime's exception for a status."""
    types = TypeRenderer(spec, package, runtime)
    _check_no_cycles(spec)
    _check_unique_class_names(spec)
    mixins = mixins or {}
    unknown = sorted(set(mixins) - {s.name for s in spec.schemas})
    if unknown:
        raise SpecError(
            "/components/schemas", "mixins", f"mixins name schemas the spec lacks: {unknown}"
        )
    models = [model_view(schema, types, mixins.get(schema.name)) for schema in spec.schemas]
    apis = [api_view(tag, spec, types, raises_for) for tag in spec.tags]
    return PackageView(
        package=package,
        runtime=runtime,
        title=spec.title,
        version=spec.version,
        description=spec.description or "",
        default_host=spec.servers[0].url.rstrip("/") if spec.servers else "http://localhost",
        apis=apis,
        models=models,
        security_schemes=list(spec.security_schemes),
    )


def _check_no_cycles(spec: ir.ApiSpec) -> None:
    """Models import each other; a reference cycle would need forward references."""
    by_name = {s.name: s for s in spec.schemas}
    state: dict[str, int] = {}

    def visit(name: str) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            schema = by_name[name]
            raise SpecError(
                schema.pointer,
                "$ref",
                f"recursive schema {name!r} is not supported by the Python emitter yet",
                source=spec.source_name,
            )
        state[name] = 1
        for type_ in ir.schema_types(by_name[name]):
            for inner in ir.referenced_names(type_):
                visit(inner)
        state[name] = 2

    for schema in spec.schemas:
        visit(schema.name)


def _check_unique_class_names(spec: ir.ApiSpec) -> None:
    seen: dict[str, str] = {}
    for schema in spec.schemas:
        module = module_name(class_name(schema.name))
        if module in seen:
            raise SpecError(
                schema.pointer,
                "schemas",
                f"schemas {seen[module]!r} and {schema.name!r} would share the module {module!r}",
                source=spec.source_name,
            )
        seen[module] = schema.name
