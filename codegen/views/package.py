"""The view of the whole package: every model and API view, and the spec's facts, in one
:class:`PackageView` the templates print."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from codegen import ir
from codegen.errors import Refusals, SpecError
from codegen.naming import method_name
from codegen.views.api import ApiView, api_class_name, api_module_name, api_view
from codegen.views.cycles import check_inline_recursion, recursive_groups
from codegen.views.doc_text import one_paragraph
from codegen.views.media import skip_reason
from codegen.views.model import model_view
from codegen.views.model_base import ModelView
from codegen.views.python_types import TypeRenderer


@dataclass(frozen=True)
class Settings:
    """Generator settings (``[tool.codegen]``) the generated package carries as data."""

    #: Environment variable holding the API key (``TOGETHER_API_KEY``); None: none is read.
    api_key_env: str | None = None
    #: Environment variable overriding the host (``TOGETHER_BASE_URL``); None: none is read.
    base_url_env: str | None = None
    #: operationIds whose private declaration (``_EMBEDDINGS_OPERATION``) is also bound to
    #: its old public name (``EMBEDDINGS_OPERATION``), for code that still imports it.
    legacy_operation_aliases: tuple[str, ...] = ()


#: Name of the hand-written runtime's sub-package when it lives inside a generated package.
RUNTIME_SUBPACKAGE = "_runtime"

#: Modules of the runtime users import by path: the seed's (openapi-generator's layout, e.g.
#: ``from together.generated.rest import ApiException``) and those the docs showed before the
#: runtime moved to ``_runtime`` (``together.generated.sync`` ...). The runtime's home package
#: keeps each as a generated module re-exporting the runtime module's ``__all__``.
PUBLIC_RUNTIME_MODULES = (
    "api_client",
    "api_response",
    "configuration",
    "exceptions",
    "rest",
    "hooks",
    "multipart",
    "retry",
    "streaming",
    "sync",
    "transport",
    "vectors",
)


#: Names the generated modules import (templates and views) beside models: a model of one
#: of these names would shadow the import (``BaseModel``, ``Field``...), so it is renamed.
GENERATED_IMPORTS = frozenset(
    {
        # typing, collections.abc, enum
        "Annotated", "Any", "Callable", "ClassVar", "IntEnum", "Literal", "Mapping", "Self",
        "StrEnum", "TYPE_CHECKING", "TypeAlias", "TypeVar",
        # pydantic
        "BaseModel", "BeforeValidator", "ConfigDict", "Discriminator", "Field", "Tag",
        "TypeAdapter",
        # the runtime, and the API modules' own names
        "ApiModel", "AsyncStream", "BodySpec", "Destination", "FileInput", "OneOfModel",
        "Operation", "PackageApiClient", "Param", "RequestTimeout", "ResponseSpec",
        "RetryStrategy", "SecurityScheme",
        # the docs index's page
        "README",
    }
)  # fmt: skip


@dataclass
class PackageView:
    package: str
    runtime: str
    #: The runtime lives inside this package (``<package>._runtime``): the package uses the
    #: runtime's own ``Configuration`` and re-exports the seed's runtime modules by path.
    runtime_home: bool
    title: str
    version: str
    description: str
    default_host: str
    apis: list[ApiView]
    models: list[ModelView]
    security_schemes: list[ir.SecurityScheme]
    warnings: list[str]
    #: Operations with no method, and why (listed in the docs index).
    skipped: list[SkippedOperation]
    #: Each tag of the spec, in its order: (tag, API class, description, method names).
    tag_index: list[tuple[str, str, str, list[str]]]
    #: Environment variable names and the path of the default host, for the runtime.
    api_key_env: str | None
    base_url_env: str | None
    base_path: str


@dataclass(frozen=True)
class SkippedOperation:
    operation_id: str
    method: str
    path: str
    tag: str
    reason: str


def build_package_view(
    spec: ir.ApiSpec,
    package: str,
    runtime: str,
    raises_for: Callable[[int], str],
    mixins: dict[str, str] | None = None,
    refusals: Refusals | None = None,
    settings: Settings | None = None,
    root_names: frozenset[str] = frozenset(),
) -> PackageView:
    """The views of every file; ``raises_for`` names the runtime's exception for a status.

    ``root_names`` are the runtime's names the package root exports (``Configuration``,
    ``ApiException``...): a schema asking for one, for an API class or for a name the
    generated modules import gets ``<name>Model`` instead, with a warning.
    """
    refusals = refusals or Refusals()
    settings = settings or Settings()
    # The spec's first server is the default host (a relative URL has no host: localhost).
    default_host = spec.servers[0].url.rstrip("/") if spec.servers else ""
    if not urlsplit(default_host).scheme:
        default_host = "http://localhost" + ("/" + default_host.lstrip("/") if default_host else "")
    reserved = root_names | GENERATED_IMPORTS | {api_class_name(t.name) for t in api_tags(spec)}
    types = TypeRenderer(spec, package, runtime, reserved)
    mixins = mixins or {}
    unknown = sorted(set(mixins) - {s.name for s in spec.schemas})
    if unknown:
        raise SpecError(
            "/components/schemas", "mixins", f"mixins name schemas the spec lacks: {unknown}"
        )
    unknown = sorted(
        set(settings.legacy_operation_aliases) - {op.operation_id for op in spec.operations}
    )
    if unknown:
        raise SpecError(
            "/paths",
            "legacy_operation_aliases",
            f"legacy_operation_aliases name operations the spec lacks: {unknown}",
        )
    recursions = list(check_inline_recursion(spec))
    for error in recursions:
        with refusals.guard():
            raise error
    if recursions:
        # (--keep-going) No type can be written out for such a schema, nor for any model or
        # operation using it: the views would recurse without end. Report what is gathered.
        refusals.raise_if_any()
    # No refusal here: a loop without a class on the way was refused just above.
    cycles = recursive_groups(spec)
    models = []
    for schema in spec.schemas:
        with refusals.guard():
            models.append(
                model_view(schema, types, mixins.get(schema.name), cycles.get(schema.name))
            )
    skipped = [
        SkippedOperation(op.operation_id, op.method.upper(), op.path, op.tag, reason)
        for op in spec.operations
        if (reason := skip_reason(op)) is not None
    ]
    types.warnings.extend(
        f"{spec.source_name}#{op.pointer}: operation {op.operation_id!r} skipped: {reason}"
        for op in spec.operations
        if (reason := skip_reason(op)) is not None
    )
    legacy = frozenset(settings.legacy_operation_aliases)
    apis = [api_view(tag, spec, types, raises_for, refusals, legacy) for tag in api_tags(spec)]
    refusals.raise_if_any()
    return PackageView(
        package=package,
        runtime=runtime,
        runtime_home=runtime == f"{package}.{RUNTIME_SUBPACKAGE}",
        title=spec.title,
        version=spec.version,
        description=spec.description or "",
        default_host=default_host,
        apis=apis,
        models=models,
        security_schemes=list(spec.security_schemes),
        warnings=types.warnings,
        skipped=skipped,
        tag_index=[
            (
                tag.name,
                api_class_name(tag.name),
                one_paragraph(tag.description),
                [method_name(op.operation_id) for op in tag.operations if skip_reason(op) is None],
            )
            for tag in spec.tags
        ],
        api_key_env=settings.api_key_env,
        base_url_env=settings.base_url_env,
        base_path=urlsplit(default_host).path.rstrip("/"),
    )


def api_tags(spec: ir.ApiSpec) -> list[ir.Tag]:
    """The tags, one per API class: tags whose class names collide are merged.

    ``Endpoints`` and ``endpoints`` both ask for ``EndpointsApi`` (``endpoints_api.py``):
    one class holds the operations of both, in the spec's order of tags, so none is lost.
    """
    merged: dict[str, ir.Tag] = {}
    for tag in spec.tags:
        tag = dataclasses.replace(
            tag, operations=tuple(op for op in tag.operations if skip_reason(op) is None)
        )
        key = api_module_name(tag.name)
        if key in merged:
            first = merged[key]
            merged[key] = dataclasses.replace(
                first,
                description=first.description or tag.description,
                operations=first.operations + tag.operations,
            )
        else:
            merged[key] = tag
    return list(merged.values())
