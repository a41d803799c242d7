"""Lowering: from a loaded OpenAPI document to the IR (``codegen.ir``).

Every node is checked as it is read. A keyword the generator does not understand stops
generation with a ``SpecError`` naming its JSON pointer; nothing is skipped silently.
Inline objects and unions that need a class are named after where they stand, the way
openapi-generator names them (``<Parent><Property>``, ``<Parent><Property>Inner`` for array
items, ``<OperationId>Request`` for an inline request body).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any, cast

from codegen import ir
from codegen.errors import join_pointer
from codegen.loader import SpecDocument
from codegen.naming import pascal_case, words

HTTP_METHODS: tuple[ir.HttpMethod, ...] = (
    "get",
    "put",
    "post",
    "delete",
    "options",
    "head",
    "patch",
    "trace",
)

#: The extension that marks an operation safe to send again after a failure.
RETRY_SAFE = "x-retry-safe"
#: Methods whose repetition has the effect of one call (RFC 9110, section 9.2.2).
IDEMPOTENT_METHODS = frozenset({"get", "head", "options", "put", "delete", "trace"})

_STRUCTURAL = {
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "oneOf",
    "anyOf",
    "allOf",
    "discriminator",
    "nullable",
    "format",
    "$ref",
}
_CONSTRAINT_KEYWORDS = {
    "minLength": "min_length",
    "maxLength": "max_length",
    "pattern": "pattern",
    "minimum": "minimum",
    "maximum": "maximum",
    "exclusiveMinimum": "exclusive_minimum",
    "exclusiveMaximum": "exclusive_maximum",
    "multipleOf": "multiple_of",
    "minItems": "min_items",
    "maxItems": "max_items",
}
# Keywords that describe a value but do not change its shape. uniqueItems and
# min/maxProperties are checked by the server; the client does not enforce them.
_ANNOTATIONS = {
    "title",
    "description",
    "default",
    "example",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "externalDocs",
    "xml",
    "$comment",
    "$schema",
    "$id",
    "contentMediaType",
    "contentEncoding",
    "uniqueItems",
    "minProperties",
    "maxProperties",
}
# JSON Schema keywords that change what a value may be, and that the generator does not
# model. They stop generation; unknown keywords of other vocabularies are annotations (JSON
# Schema ignores them) and are reported as warnings.
_UNSUPPORTED_KEYWORDS = {
    "not",
    "if",
    "then",
    "else",
    "patternProperties",
    "prefixItems",
    "contains",
    "minContains",
    "maxContains",
    "dependentSchemas",
    "dependentRequired",
    "dependencies",
    "unevaluatedProperties",
    "unevaluatedItems",
    "propertyNames",
    "$defs",
    "definitions",
    "$dynamicRef",
    "$recursiveRef",
}
_PRIMITIVES: dict[str, ir.PrimitiveKind] = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
}


def lower(doc: SpecDocument) -> ir.ApiSpec:
    """Build the IR of ``doc``."""
    return _Lowering(doc).run()


class _Lowering:
    def __init__(self, doc: SpecDocument) -> None:
        self.doc = doc
        self.schemas: dict[str, ir.Schema] = {}
        # Component schema pointer -> its name; filled before anything is lowered so that
        # references (including recursive ones) resolve to names.
        self.component_names: dict[str, str] = {}
        self.warnings: list[str] = []
        # Components that are nullable as a whole: every reference to them may be null.
        self.nullable_components: set[str] = set()

    # ---------------------------------------------------------------- document

    def run(self) -> ir.ApiSpec:
        root = self.doc.root
        components = self._mapping(root.get("components", {}), "/components")
        schemas = self._mapping(components.get("schemas", {}), "/components/schemas")
        for name, node in schemas.items():
            self.component_names[join_pointer("/components/schemas", name)] = name
            if isinstance(node, Mapping) and _is_nullable(node):
                self.nullable_components.add(name)
        for name, node in schemas.items():
            self._lower_component(name, node, join_pointer("/components/schemas", name))

        security_schemes = self._security_schemes(components)
        default_security = self._security(root.get("security", []), "/security", security_schemes)

        operations = list(self._operations(security_schemes, default_security))
        seen: dict[str, str] = {}
        for op in operations:
            if op.operation_id in seen:
                raise self.doc.error(
                    op.pointer,
                    "operationId",
                    f"operationId {op.operation_id!r} is used twice "
                    f"(also at {seen[op.operation_id]})",
                )
            seen[op.operation_id] = op.pointer

        info = self._mapping(root["info"], "/info")
        servers = tuple(
            ir.Server(
                url=self._str(s.get("url"), join_pointer("/servers", i, "url")),
                description=s.get("description"),
            )
            for i, s in enumerate(self._list(root.get("servers", []), "/servers"))
        )
        spec = ir.ApiSpec(
            title=self._str(info.get("title"), "/info/title"),
            version=str(info.get("version", "")),
            description=info.get("description"),
            servers=servers,
            security_schemes=tuple(security_schemes.values()),
            tags=self._tags(operations),
            schemas=tuple(self.schemas[name] for name in sorted(self.schemas)),
            source_name=self.doc.source_name,
            source_sha256=self.doc.sha256,
            warnings=tuple(self.warnings),
        )
        return _with_usage(spec)

    def _tags(self, operations: list[ir.Operation]) -> tuple[ir.Tag, ...]:
        descriptions: dict[str, str | None] = {}
        for i, tag in enumerate(self._list(self.doc.root.get("tags", []), "/tags")):
            tag = self._mapping(tag, join_pointer("/tags", i))
            descriptions[self._str(tag.get("name"), join_pointer("/tags", i, "name"))] = tag.get(
                "description"
            )
        by_tag: dict[str, list[ir.Operation]] = {}
        for op in operations:
            by_tag.setdefault(op.tag, []).append(op)
        return tuple(
            ir.Tag(name=name, description=descriptions.get(name), operations=tuple(ops))
            for name, ops in sorted(by_tag.items())
        )

    # ---------------------------------------------------------------- security

    def _security_schemes(self, components: Mapping[str, Any]) -> dict[str, ir.SecurityScheme]:
        result: dict[str, ir.SecurityScheme] = {}
        base = "/components/securitySchemes"
        for name, node in self._mapping(components.get("securitySchemes", {}), base).items():
            ptr = join_pointer(base, name)
            node = self._mapping(node, ptr)
            kind = node.get("type")
            if kind == "http":
                scheme = self._str(node.get("scheme"), join_pointer(ptr, "scheme")).lower()
                if scheme not in ("bearer", "basic"):
                    raise self.doc.error(ptr, "scheme", f"http scheme {scheme!r} is not supported")
                result[name] = ir.SecurityScheme(
                    name=name, kind="http", scheme=scheme, description=node.get("description")
                )
            elif kind == "apiKey":
                location = node.get("in")
                if location not in ("header", "query", "cookie"):
                    raise self.doc.error(ptr, "in", f"apiKey location {location!r} is not valid")
                result[name] = ir.SecurityScheme(
                    name=name,
                    kind="apiKey",
                    location=location,
                    parameter_name=self._str(node.get("name"), join_pointer(ptr, "name")),
                    description=node.get("description"),
                )
            else:
                raise self.doc.error(ptr, "type", f"security scheme type {kind!r} is not supported")
        return result

    def _security(
        self, node: object, ptr: str, schemes: Mapping[str, ir.SecurityScheme]
    ) -> tuple[str, ...]:
        names: list[str] = []
        for i, requirement in enumerate(self._list(node, ptr)):
            for name in self._mapping(requirement, join_pointer(ptr, i)):
                if name not in schemes:
                    raise self.doc.error(
                        join_pointer(ptr, i, name), "security", f"no security scheme named {name!r}"
                    )
                if name not in names:
                    names.append(name)
        return tuple(names)

    # ---------------------------------------------------------------- operations

    def _operations(
        self, schemes: Mapping[str, ir.SecurityScheme], default_security: tuple[str, ...]
    ) -> Iterator[ir.Operation]:
        for path, item in self.doc.root["paths"].items():
            item_ptr = join_pointer("/paths", path)
            if not path.startswith("/"):
                raise self.doc.error(item_ptr, "paths", f"path {path!r} must start with '/'")
            item = self._mapping(item, item_ptr)
            if "$ref" in item:
                raise self.doc.error(item_ptr, "$ref", "path item references are not supported")
            shared = self._parameters(
                item.get("parameters", []), join_pointer(item_ptr, "parameters")
            )
            for method in HTTP_METHODS:
                if method in item:
                    yield self._operation(
                        path,
                        method,
                        item[method],
                        join_pointer(item_ptr, method),
                        shared,
                        schemes,
                        default_security,
                    )

    def _operation(
        self,
        path: str,
        method: ir.HttpMethod,
        node: object,
        ptr: str,
        shared_parameters: list[ir.Parameter],
        schemes: Mapping[str, ir.SecurityScheme],
        default_security: tuple[str, ...],
    ) -> ir.Operation:
        node = self._mapping(node, ptr)
        operation_id = node.get("operationId")
        if operation_id is None:
            # Named as openapi-generator would: method and path words (GET /a/{b} -> get_a_b).
            operation_id = "_".join([method, *words(path)])
            self.warnings.append(
                f"{self.doc.source_name}#{ptr}: no operationId, named {operation_id!r}"
            )
        if not isinstance(operation_id, str) or not operation_id:
            raise self.doc.error(ptr, "operationId", "operationId must be a non-empty string")
        hint = pascal_case(operation_id)

        own = self._parameters(node.get("parameters", []), join_pointer(ptr, "parameters"))
        merged: dict[tuple[str, str], ir.Parameter] = {
            (p.location, p.name): p for p in shared_parameters
        }
        merged.update({(p.location, p.name): p for p in own})
        parameters = tuple(merged.values())
        self._check_path_template(path, parameters, ptr)

        request_body = None
        if "requestBody" in node:
            request_body = self._request_body(
                node["requestBody"], join_pointer(ptr, "requestBody"), hint
            )

        responses_ptr = join_pointer(ptr, "responses")
        responses_node = self._mapping(node.get("responses"), responses_ptr)
        if not responses_node:
            raise self.doc.error(
                responses_ptr, "responses", "an operation needs at least one response"
            )
        responses = tuple(
            self._response(status, value, join_pointer(responses_ptr, status), hint)
            for status, value in responses_node.items()
        )

        if "security" in node:
            security = self._security(node["security"], join_pointer(ptr, "security"), schemes)
        else:
            security = default_security
        retry_safe = node.get(RETRY_SAFE, method in IDEMPOTENT_METHODS)
        if not isinstance(retry_safe, bool):
            raise self.doc.error(join_pointer(ptr, RETRY_SAFE), RETRY_SAFE, "must be true or false")
        tags = node.get("tags") or ["Default"]
        return ir.Operation(
            operation_id=operation_id,
            method=method,
            path=path,
            tag=self._str(
                self._list(tags, join_pointer(ptr, "tags"))[0], join_pointer(ptr, "tags", 0)
            ),
            pointer=ptr,
            summary=node.get("summary"),
            description=node.get("description"),
            parameters=parameters,
            request_body=request_body,
            responses=responses,
            security=security,
            deprecated=bool(node.get("deprecated", False)),
            retry_safe=retry_safe,
            extensions={k: v for k, v in node.items() if k.startswith("x-")},
        )

    def _check_path_template(
        self, path: str, parameters: tuple[ir.Parameter, ...], ptr: str
    ) -> None:
        in_template = {
            part[1:-1] for part in path.split("/") if part.startswith("{") and part.endswith("}")
        }
        declared = {p.name for p in parameters if p.location == "path"}
        for name in sorted(in_template - declared):
            raise self.doc.error(ptr, "parameters", f"path parameter {{{name}}} is not declared")
        for name in sorted(declared - in_template):
            raise self.doc.error(
                ptr, "parameters", f"path parameter {name!r} is not in the path {path!r}"
            )

    def _parameters(self, node: object, ptr: str) -> list[ir.Parameter]:
        result = []
        for i, raw in enumerate(self._list(node, ptr)):
            param_ptr, param = self._deref(raw, join_pointer(ptr, i))
            name = self._str(param.get("name"), join_pointer(param_ptr, "name"))
            location = param.get("in")
            if location not in ("path", "query", "header", "cookie"):
                raise self.doc.error(
                    param_ptr, "in", f"parameter location {location!r} is not valid"
                )
            if "content" in param:
                raise self.doc.error(
                    param_ptr, "content", "parameters with 'content' are not supported"
                )
            required = bool(param.get("required", False))
            if location == "path" and not required:
                raise self.doc.error(param_ptr, "required", "path parameters must be required")
            schema_node = param.get("schema", {})
            type_ = self._type(schema_node, join_pointer(param_ptr, "schema"), pascal_case(name))
            default = None
            if isinstance(schema_node, Mapping) and "default" in schema_node:
                default = ir.Default(schema_node["default"])
            result.append(
                ir.Parameter(
                    name=name,
                    location=cast(ir.ParameterLocation, location),
                    type=type_,
                    required=required,
                    pointer=param_ptr,
                    description=param.get("description"),
                    default=default,
                    style=param.get("style"),
                    explode=param.get("explode"),
                    deprecated=bool(param.get("deprecated", False)),
                )
            )
        return result

    def _request_body(self, node: object, ptr: str, hint: str) -> ir.RequestBody:
        body_ptr, body = self._deref(node, ptr)
        contents = self._contents(
            body.get("content"), join_pointer(body_ptr, "content"), hint + "Request"
        )
        if not contents:
            raise self.doc.error(
                body_ptr, "content", "a request body needs at least one media type"
            )
        return ir.RequestBody(
            required=bool(body.get("required", False)),
            contents=contents,
            pointer=body_ptr,
            description=body.get("description"),
        )

    def _response(self, status: str, node: object, ptr: str, hint: str) -> ir.Response:
        valid = status == "default" or (
            len(status) == 3
            and status[0] in "12345"
            and (status[1:].isdigit() or status[1:] == "XX")
        )
        if not valid:
            raise self.doc.error(
                ptr, "responses", f"{status!r} is not a status code, range or 'default'"
            )
        resp_ptr, resp = self._deref(node, ptr)
        headers = tuple(
            ir.Header(
                name=name,
                type=self._type(
                    self._deref(h, join_pointer(resp_ptr, "headers", name))[1].get("schema", {}),
                    join_pointer(resp_ptr, "headers", name, "schema"),
                    hint + pascal_case(name),
                ),
                description=self._deref(h, join_pointer(resp_ptr, "headers", name))[1].get(
                    "description"
                ),
            )
            for name, h in self._mapping(
                resp.get("headers", {}), join_pointer(resp_ptr, "headers")
            ).items()
        )
        return ir.Response(
            status=status,
            description=str(resp.get("description", "")),
            contents=self._contents(
                resp.get("content", {}),
                join_pointer(resp_ptr, "content"),
                f"{hint}{pascal_case(status)}Response",
            ),
            headers=headers,
        )

    def _contents(self, node: object, ptr: str, hint: str) -> tuple[ir.MediaType, ...]:
        result = []
        for content_type, media in self._mapping(node, ptr).items():
            media_ptr = join_pointer(ptr, content_type)
            media = self._mapping(media, media_ptr)
            type_ = None
            if "schema" in media:
                type_ = self._type(media["schema"], join_pointer(media_ptr, "schema"), hint)
            example = media.get("example")
            if example is None and isinstance(media.get("examples"), Mapping):
                first = next(iter(media["examples"].values()), None)
                if isinstance(first, Mapping):
                    example = first.get("value")
            result.append(ir.MediaType(content_type=content_type, type=type_, example=example))
        return tuple(result)

    # ---------------------------------------------------------------- schemas

    def _lower_component(self, name: str, node: object, ptr: str) -> None:
        if (
            isinstance(node, Mapping)
            and "enum" in node
            and not ({"oneOf", "anyOf", "allOf", "$ref"} & set(node))
        ):
            self._check_keywords(node, ptr)
            values = tuple(node["enum"])
            self._add(
                ir.EnumSchema(
                    name=name, pointer=ptr, values=values, description=node.get("description")
                )
            )
            return
        type_ = self._type(node, ptr, name)
        if type_ == ir.Ref(name):
            return  # an object or union, registered under this name
        if isinstance(type_, ir.Nullable) and type_.inner == ir.Ref(name):
            return  # a nullable object or union: references to it carry the Nullable
        description = node.get("description") if isinstance(node, Mapping) else None
        self._add(ir.AliasSchema(name=name, pointer=ptr, type=type_, description=description))

    def _add(self, schema: ir.Schema) -> None:
        if schema.name in self.schemas:
            raise self.doc.error(
                schema.pointer, "schemas", f"two schemas are named {schema.name!r}"
            )
        self.schemas[schema.name] = schema

    def _type(self, node: object, ptr: str, hint: str) -> ir.TypeRef:
        """The IR type of the schema ``node``; ``hint`` names a class it may need."""
        if node is True:
            return ir.AnyValue()
        node = self._mapping(node, ptr)
        if "$ref" in node:
            return self._ref_type(node, ptr, hint)
        self._check_keywords(node, ptr)
        type_ = self._type_without_nullable(node, ptr, hint)
        if node.get("nullable") is True and not isinstance(type_, ir.Nullable):
            return ir.Nullable(type_)
        return type_

    def _ref_type(self, node: Mapping[str, Any], ptr: str, hint: str) -> ir.TypeRef:
        # A sibling "type" (or "format") restates what the target says; anything else beside
        # $ref would change the shape and is refused.
        structural = (set(node) & _STRUCTURAL) - {"$ref", "nullable", "type", "format"}
        if structural:
            raise self.doc.error(
                ptr,
                sorted(structural)[0],
                "keywords beside '$ref' that change the shape are not supported",
            )
        target_ptr, target = self.doc.resolve(node["$ref"], join_pointer(ptr, "$ref"))
        name = self.component_names.get(target_ptr)
        type_: ir.TypeRef = (
            ir.Ref(name) if name is not None else self._type(target, target_ptr, hint)
        )
        if node.get("nullable") is True or name in self.nullable_components:
            return ir.Nullable(type_)
        return type_

    def _check_keywords(self, node: Mapping[str, Any], ptr: str) -> None:
        for key in node:
            if key in _UNSUPPORTED_KEYWORDS:
                raise self.doc.error(
                    join_pointer(ptr, key), key, "this schema keyword is not supported"
                )
            known = key in _STRUCTURAL or key in _CONSTRAINT_KEYWORDS or key in _ANNOTATIONS
            if not known and not key.startswith("x-"):
                where = f"{self.doc.source_name}#{join_pointer(ptr, key)}"
                self.warnings.append(f"{where}: unknown keyword {key!r} ignored")

    def _type_without_nullable(self, node: Mapping[str, Any], ptr: str, hint: str) -> ir.TypeRef:
        if "const" in node:
            return ir.LiteralValues((node["const"],))
        if "enum" in node:
            values = tuple(self._list(node["enum"], join_pointer(ptr, "enum")))
            if not values:
                raise self.doc.error(
                    join_pointer(ptr, "enum"), "enum", "an enum needs at least one value"
                )
            if None in values:
                rest = tuple(v for v in values if v is not None)
                return ir.Nullable(ir.LiteralValues(rest)) if rest else ir.Null()
            return ir.LiteralValues(values)
        if "allOf" in node:
            return self._all_of(node, ptr, hint)
        for kind in ("oneOf", "anyOf"):
            if kind in node:
                return self._union(node, ptr, hint, kind)

        declared = node.get("type")
        if isinstance(declared, list):
            names = [t for t in declared if t != "null"]
            inner = [self._single_type(node, ptr, hint, t) for t in names]
            type_: ir.TypeRef
            if not inner:
                type_ = ir.Null()
            elif len(inner) == 1:
                type_ = inner[0]
            else:
                type_ = ir.UnionOf(tuple(inner), "anyOf")
            return ir.Nullable(type_) if "null" in declared and inner else type_
        if declared is None:
            if "properties" in node or "additionalProperties" in node:
                declared = "object"
            elif "items" in node:
                declared = "array"
            else:
                return ir.AnyValue()
        return self._single_type(node, ptr, hint, declared)

    def _single_type(
        self, node: Mapping[str, Any], ptr: str, hint: str, declared: object
    ) -> ir.TypeRef:
        if declared == "null":
            return ir.Null()
        if declared == "object":
            return self._object(node, ptr, hint)
        if declared == "array":
            items = node.get("items", {})
            return ir.ArrayOf(
                self._type(items, join_pointer(ptr, "items"), hint + "Inner"),
                self._constraints(node, ptr),
            )
        if isinstance(declared, str) and declared in _PRIMITIVES:
            fmt = node.get("format")
            return ir.Primitive(
                _PRIMITIVES[declared],
                fmt if isinstance(fmt, str) else None,
                self._constraints(node, ptr),
            )
        raise self.doc.error(join_pointer(ptr, "type"), "type", f"unknown type {declared!r}")

    def _constraints(self, node: Mapping[str, Any], ptr: str) -> ir.Constraints:
        values: dict[str, Any] = {}
        for keyword, attr in _CONSTRAINT_KEYWORDS.items():
            if keyword in node:
                values[attr] = node[keyword]
        # OpenAPI 3.0 writes exclusiveMinimum/Maximum as booleans beside minimum/maximum.
        for bound, exclusive in (
            ("minimum", "exclusive_minimum"),
            ("maximum", "exclusive_maximum"),
        ):
            if isinstance(values.get(exclusive), bool):
                flag = values.pop(exclusive)
                if flag and bound in values:
                    values[exclusive] = values.pop(bound)
        for attr, value in values.items():
            if attr != "pattern" and (
                isinstance(value, bool) or not isinstance(value, (int, float))
            ):
                raise self.doc.error(ptr, attr, f"expected a number, found {value!r}")
        return ir.Constraints(**values)

    def _object(self, node: Mapping[str, Any], ptr: str, hint: str) -> ir.TypeRef:
        properties_node = self._mapping(node.get("properties", {}), join_pointer(ptr, "properties"))
        extra_node = node.get("additionalProperties", True)
        extra_ptr = join_pointer(ptr, "additionalProperties")
        if not properties_node:
            if extra_node is False:
                return ir.MapOf(ir.Null())  # an object that must be empty
            values = (
                ir.AnyValue()
                if extra_node is True
                else self._type(extra_node, extra_ptr, hint + "Value")
            )
            return ir.MapOf(values)
        name = self._class_name(hint, ptr)
        required = set(self._list(node.get("required", []), join_pointer(ptr, "required")))
        # JSON Schema lets "required" name properties it does not describe: any value.
        required_only = [r for r in node.get("required", []) if r not in properties_node]
        properties_node = {**properties_node, **{r: {} for r in required_only}}
        properties = []
        for prop_name, prop_node in properties_node.items():
            prop_ptr = join_pointer(ptr, "properties", prop_name)
            prop_type = self._type(prop_node, prop_ptr, name + pascal_case(prop_name))
            prop_map = prop_node if isinstance(prop_node, Mapping) else {}
            properties.append(
                ir.Property(
                    name=prop_name,
                    type=prop_type,
                    required=prop_name in required,
                    pointer=prop_ptr,
                    description=prop_map.get("description"),
                    default=ir.Default(prop_map["default"]) if "default" in prop_map else None,
                    read_only=bool(prop_map.get("readOnly", False)),
                    write_only=bool(prop_map.get("writeOnly", False)),
                    deprecated=bool(prop_map.get("deprecated", False)),
                    example=prop_map.get("example"),
                )
            )
        additional: ir.TypeRef | None
        if extra_node is False:
            additional = None
        elif extra_node is True:
            additional = ir.AnyValue()
        else:
            additional = self._type(extra_node, extra_ptr, name + "Value")
        self._add(
            ir.ObjectSchema(
                name=name,
                pointer=ptr,
                properties=tuple(properties),
                additional_properties=additional,
                description=node.get("description"),
                example=node.get("example"),
            )
        )
        return ir.Ref(name)

    def _class_name(self, hint: str, ptr: str) -> str:
        """The name for a class defined at ``ptr``: the component's own name, or a free one."""
        own = self.component_names.get(ptr)
        if own is not None:
            return own
        name, n = hint, 1
        while name in self.schemas or name in self.component_names.values():
            n += 1
            name = f"{hint}{n}"
        return name

    def _union(
        self, node: Mapping[str, Any], ptr: str, hint: str, kind: ir.UnionKind
    ) -> ir.TypeRef:
        alternatives = _required_alternatives(node.get(kind))
        if alternatives is not None and "properties" in node:
            # oneOf: [{required: [a]}, {required: [b]}] beside properties: a rule over which
            # properties must be present, not a union of shapes.
            rest = {k: v for k, v in node.items() if k != kind}
            type_ = self._object(rest, ptr, hint)
            assert isinstance(type_, ir.Ref)
            schema = self.schemas[type_.name]
            assert isinstance(schema, ir.ObjectSchema)
            self.schemas[type_.name] = dataclasses.replace(
                schema, required_alternatives=alternatives, alternatives_kind=kind
            )
            return type_
        if "properties" in node or "items" in node:
            raise self.doc.error(
                join_pointer(ptr, kind),
                kind,
                f"'{kind}' beside 'properties' or 'items' is not supported",
            )
        variants_ptr = join_pointer(ptr, kind)
        raw_variants = self._list(node[kind], variants_ptr)
        if not raw_variants:
            raise self.doc.error(variants_ptr, kind, f"'{kind}' needs at least one schema")
        suffix = "OneOf" if kind == "oneOf" else "AnyOf"
        variants: list[ir.TypeRef] = []
        nullable = False
        for i, raw in enumerate(raw_variants):
            variant = self._type(
                raw, join_pointer(variants_ptr, i), f"{hint}{suffix}{i if i else ''}"
            )
            if isinstance(variant, ir.Nullable):
                nullable, variant = True, variant.inner
            if isinstance(variant, ir.Null):
                nullable = True
            elif variant not in variants:
                variants.append(variant)
        simplified = _simplify_union(variants)
        result: ir.TypeRef
        if simplified is not None:
            result = simplified
        else:
            discriminator = self._discriminator(node, ptr)
            union = ir.UnionOf(tuple(variants), kind, discriminator)
            name = self._class_name(hint, ptr)
            self._add(
                ir.UnionSchema(
                    name=name, pointer=ptr, union=union, description=node.get("description")
                )
            )
            result = ir.Ref(name)
        return ir.Nullable(result) if nullable else result

    def _discriminator(self, node: Mapping[str, Any], ptr: str) -> ir.Discriminator | None:
        if "discriminator" not in node:
            return None
        disc_ptr = join_pointer(ptr, "discriminator")
        disc = self._mapping(node["discriminator"], disc_ptr)
        prop = self._str(disc.get("propertyName"), join_pointer(disc_ptr, "propertyName"))
        mapping = []
        for value, ref in self._mapping(
            disc.get("mapping", {}), join_pointer(disc_ptr, "mapping")
        ).items():
            target_ptr, _ = self.doc.resolve(ref, join_pointer(disc_ptr, "mapping", value))
            name = self.component_names.get(target_ptr)
            if name is None:
                raise self.doc.error(
                    join_pointer(disc_ptr, "mapping", value),
                    "mapping",
                    "must name a component schema",
                )
            mapping.append((value, name))
        return ir.Discriminator(prop, tuple(mapping))

    def _all_of(self, node: Mapping[str, Any], ptr: str, hint: str) -> ir.TypeRef:
        parts_ptr = join_pointer(ptr, "allOf")
        parts = self._list(node["allOf"], parts_ptr)
        # Parts without structure only annotate, e.g. allOf: [{$ref: X}, {nullable: true}].
        nullable = any(
            isinstance(p, Mapping)
            and not (set(p) & _STRUCTURAL - {"nullable"})
            and p.get("nullable") is True
            for p in parts
        )
        shaped = [
            (i, p)
            for i, p in enumerate(parts)
            if not (isinstance(p, Mapping) and not (set(p) & _STRUCTURAL - {"nullable"}))
        ]
        siblings = set(node) & {"properties", "oneOf", "anyOf", "items", "enum", "const"}
        type_: ir.TypeRef
        if len(shaped) == 1 and not siblings:
            i, part = shaped[0]
            type_ = self._type(part, join_pointer(parts_ptr, i), hint)
        else:
            type_ = self._object(self._merge_objects(node, ptr), ptr, hint)
        return ir.Nullable(type_) if nullable and not isinstance(type_, ir.Nullable) else type_

    def _merge_objects(self, node: Mapping[str, Any], ptr: str) -> dict[str, Any]:
        """One object schema with the properties of every ``allOf`` part and of ``node``."""
        properties: dict[str, Any] = {}
        required: list[str] = []
        description = node.get("description")
        for i, part in enumerate(self._list(node.get("allOf", []), join_pointer(ptr, "allOf"))):
            part_ptr = join_pointer(ptr, "allOf", i)
            part_ptr, part = self._deref(part, part_ptr)
            if not (set(part) & _STRUCTURAL - {"nullable"}):
                continue  # annotations only
            if "allOf" in part:
                part = self._merge_objects(part, part_ptr)
            if {"oneOf", "anyOf", "enum", "items", "const"} & set(part) or part.get(
                "type", "object"
            ) != "object":
                raise self.doc.error(
                    part_ptr, "allOf", "'allOf' is supported over object schemas only"
                )
            properties.update(
                self._mapping(part.get("properties", {}), join_pointer(part_ptr, "properties"))
            )
            required.extend(r for r in part.get("required", []) if r not in required)
            description = description or part.get("description")
        properties.update(
            self._mapping(node.get("properties", {}), join_pointer(ptr, "properties"))
        )
        required.extend(r for r in node.get("required", []) if r not in required)
        merged: dict[str, Any] = {"type": "object", "properties": properties, "required": required}
        if description:
            merged["description"] = description
        return merged

    # ---------------------------------------------------------------- helpers

    def _deref(self, node: object, ptr: str) -> tuple[str, Mapping[str, Any]]:
        """Follow ``$ref`` chains (parameters, responses, request bodies)."""
        seen = set()
        while isinstance(node, Mapping) and "$ref" in node:
            if ptr in seen:
                raise self.doc.error(ptr, "$ref", "circular reference")
            seen.add(ptr)
            ptr, node = self.doc.resolve(node["$ref"], join_pointer(ptr, "$ref"))
        return ptr, self._mapping(node, ptr)

    def _mapping(self, node: object, ptr: str) -> Mapping[str, Any]:
        if not isinstance(node, Mapping):
            raise self.doc.error(
                ptr, ptr.rsplit("/", 1)[-1], f"expected a mapping, found {type(node).__name__}"
            )
        return node

    def _list(self, node: object, ptr: str) -> list[Any]:
        if not isinstance(node, list):
            raise self.doc.error(
                ptr, ptr.rsplit("/", 1)[-1], f"expected a list, found {type(node).__name__}"
            )
        return node

    def _str(self, node: object, ptr: str) -> str:
        if not isinstance(node, str):
            raise self.doc.error(ptr, ptr.rsplit("/", 1)[-1], f"expected a string, found {node!r}")
        return node


def _required_alternatives(variants: object) -> tuple[tuple[str, ...], ...] | None:
    """The property groups of ``oneOf: [{required: [...]}, ...]``, or ``None`` if not that form."""
    if not isinstance(variants, list) or not variants:
        return None
    groups = []
    for variant in variants:
        if not isinstance(variant, Mapping) or set(variant) - _ANNOTATIONS != {"required"}:
            return None
        groups.append(tuple(str(r) for r in variant["required"]))
    return tuple(groups)


def _is_nullable(node: Mapping[str, Any]) -> bool:
    declared = node.get("type")
    return node.get("nullable") is True or (isinstance(declared, list) and "null" in declared)


def _simplify_union(variants: list[ir.TypeRef]) -> ir.TypeRef | None:
    """The single type a union reduces to, or ``None`` when it stays a union."""
    if len(variants) == 1:
        return variants[0]
    # anyOf [enum of strings, string]: any string, some of them known ("open enum").
    plain_string = ir.Primitive("string")
    if plain_string in variants and all(
        v == plain_string
        or isinstance(v, ir.OpenEnum)
        or (isinstance(v, ir.LiteralValues) and all(isinstance(x, str) for x in v.values))
        for v in variants
    ):
        known: list[str] = []
        for v in variants:
            values = (
                v.values
                if isinstance(v, ir.LiteralValues)
                else v.known
                if isinstance(v, ir.OpenEnum)
                else ()
            )
            known.extend(str(x) for x in values if x not in known)
        return ir.OpenEnum(tuple(known))
    return None


# -------------------------------------------------------------------- usage


def _with_usage(spec: ir.ApiSpec) -> ir.ApiSpec:
    """Mark each schema with whether requests, responses or both reach it."""
    by_name = {s.name: s for s in spec.schemas}
    in_request: set[str] = set()
    in_response: set[str] = set()
    for op in spec.operations:
        for param in op.parameters:
            _reach(param.type, by_name, in_request)
        if op.request_body:
            for media in op.request_body.contents:
                if media.type is not None:
                    _reach(media.type, by_name, in_request)
        for response in op.responses:
            for media in response.contents:
                if media.type is not None:
                    _reach(media.type, by_name, in_response)
    schemas = tuple(
        dataclasses.replace(s, usage=ir.Usage(s.name in in_request, s.name in in_response))
        for s in spec.schemas
    )
    return dataclasses.replace(spec, schemas=schemas)


def _reach(type_: ir.TypeRef, by_name: Mapping[str, ir.Schema], seen: set[str]) -> None:
    for name in referenced_names(type_):
        if name in seen:
            continue
        seen.add(name)
        for inner in schema_types(by_name[name]):
            _reach(inner, by_name, seen)


def referenced_names(type_: ir.TypeRef) -> Iterator[str]:
    """The names of the schemas ``type_`` refers to directly."""
    if isinstance(type_, ir.Ref):
        yield type_.name
    elif isinstance(type_, ir.ArrayOf):
        yield from referenced_names(type_.items)
    elif isinstance(type_, ir.MapOf):
        yield from referenced_names(type_.values)
    elif isinstance(type_, ir.Nullable):
        yield from referenced_names(type_.inner)
    elif isinstance(type_, ir.UnionOf):
        for variant in type_.variants:
            yield from referenced_names(variant)


def schema_types(schema: ir.Schema) -> Iterator[ir.TypeRef]:
    """The types a schema is built from."""
    if isinstance(schema, ir.ObjectSchema):
        for prop in schema.properties:
            yield prop.type
        if schema.additional_properties is not None:
            yield schema.additional_properties
    elif isinstance(schema, ir.UnionSchema):
        yield schema.union
    elif isinstance(schema, ir.AliasSchema):
        yield schema.type
