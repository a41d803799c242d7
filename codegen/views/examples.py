"""The example on an operation's docs page: imports, set-up lines and the call."""

from __future__ import annotations

from typing import Any

from codegen import ir
from codegen.naming import python_identifier
from codegen.views.bodies import BodyView
from codegen.views.media import first_of
from codegen.views.object_model import example_object, model_field_names
from codegen.views.params import ParamView
from codegen.views.python_types import TypeRenderer


def operation_example(
    op: ir.Operation, params: list[ParamView], body: BodyView | None, types: TypeRenderer
) -> dict[str, Any]:
    """The imports, set-up lines and call of the docs page's example."""
    imports = []
    setup = []
    args = []
    for param in params:
        if param.required:
            setup.append(
                f"{param.name} = {_placeholder_for(param.adapter_type)!r}  # {param.type_text}"
            )
            args.append(f"{param.name}={param.name}")
    if body is not None and body.model is not None and body.model_schema is not None:
        media = first_of(op.request_body.contents, "json") if op.request_body else None
        example = media.example if media is not None else None
        if not isinstance(example, dict):
            schema = types.schema(body.model_schema)
            example = example_object(schema) if isinstance(schema, ir.ObjectSchema) else {}
        module = types.module_of(body.model_schema)
        imports.append(f"from {types.package}.models.{module} import {body.model}")
        schema = types.schema(body.model_schema)
        # The model's own field names (``json_``, ``a_b_2``...); a key it lacks as it is spelt.
        names = model_field_names(schema, types) if isinstance(schema, ir.ObjectSchema) else {}
        fields = ", ".join(
            f"{names.get(k) or python_identifier(k)}={v!r}" for k, v in example.items()
        )
        setup.append(f"{body.name} = {body.model}({fields})")
        args.append(f"{body.name}={body.name}")
    for response in op.responses:
        media = first_of(response.contents, "json") if response.is_success else None
        if media is not None and isinstance(media.type, ir.Ref):
            name, module = types.class_of(media.type.name), types.module_of(media.type.name)
            imports.append(f"from {types.package}.models.{module} import {name}")
    return {
        "example_imports": sorted(set(imports)),
        "example_setup": setup,
        "example_call": ", ".join(args),
    }


def _placeholder_for(annotation: str) -> Any:
    return {"int": 0, "float": 0.0, "bool": False}.get(annotation, "string")
