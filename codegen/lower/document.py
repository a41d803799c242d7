"""Lowering: from a loaded OpenAPI document to the IR (``codegen.ir``).

This module reads the document level (info, servers, security, paths and operations,
parameters, bodies, responses); ``codegen.lower.schemas`` reads the schemas. Every node is
checked as it is read; what the generator cannot express stops it with a ``SpecError``
naming the JSON pointer and keyword. Inline request bodies and responses that need a class
are named ``<OperationId>Request`` and ``<OperationId><Status>Response``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from typing import Any, cast

from codegen import ir
from codegen.errors import Refusals, join_pointer
from codegen.lower.schemas import SchemaLowering
from codegen.naming import pascal_case, words
from codegen.read.loader import SpecDocument

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

#: A path template expression (OpenAPI: "delimited by curly braces"): ``{id}``.
_TEMPLATE_EXPRESSION = re.compile(r"\{([^{}/]+)\}")

#: The extension that marks an operation safe to send again after a failure.
RETRY_SAFE = "x-retry-safe"
#: Methods whose repetition has the effect of one call (RFC 9110, section 9.2.2).
IDEMPOTENT_METHODS = frozenset({"get", "head", "options", "put", "delete", "trace"})


def lower(doc: SpecDocument, refusals: Refusals | None = None) -> ir.ApiSpec:
    """Build the IR of ``doc``; refusals are raised, or gathered in ``refusals``."""
    return _Lowering(doc, refusals or Refusals()).run()


class _Lowering:
    def __init__(self, doc: SpecDocument, refusals: Refusals) -> None:
        self.doc = doc
        self.refusals = refusals
        self.types = SchemaLowering(doc, refusals)
        #: Operations without an operationId: (pointer, derived name), reported together.
        self.unnamed: list[tuple[str, str]] = []

    # ---------------------------------------------------------------- document

    def run(self) -> ir.ApiSpec:
        root = self.doc.root
        components = self.doc.mapping(root.get("components", {}), "/components")
        self.types.lower_components(
            self.doc.mapping(components.get("schemas", {}), "/components/schemas")
        )

        security_schemes = self._security_schemes(components)
        default_security = self._security(root.get("security", []), "/security", security_schemes)

        operations = list(self._operations(security_schemes, default_security))
        if self.unnamed:
            self.types.warnings.append(_unnamed_operations(self.doc.source_name, self.unnamed))
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

        # Checked again: the loader checked the spec as published, an overlay may change it.
        info = self.doc.mapping(root.get("info"), "/info")
        servers = []
        for i, server in enumerate(self.doc.sequence(root.get("servers", []), "/servers")):
            server = self.doc.mapping(server, join_pointer("/servers", i))
            url = self.doc.string(server.get("url"), join_pointer("/servers", i, "url"))
            servers.append(ir.Server(url, server.get("description")))
        spec = ir.ApiSpec(
            title=self.doc.string(info.get("title"), "/info/title"),
            version=str(info.get("version", "")),
            description=info.get("description"),
            servers=tuple(servers),
            security_schemes=tuple(security_schemes.values()),
            tags=self._tags(operations),
            schemas=tuple(self.types.schemas[name] for name in sorted(self.types.schemas)),
            source_name=self.doc.source_name,
            source_sha256=self.doc.sha256,
            warnings=tuple(self.types.warnings),
            overlay_name=self.doc.overlay_name,
            overlay_sha256=self.doc.overlay_sha256,
        )
        spec = self._complete_discriminators(spec)
        return _with_usage(spec)

    def _complete_discriminators(self, spec: ir.ApiSpec) -> ir.ApiSpec:
        """Each discriminator's full value -> variant table, checked for clashes.

        A value comes from the ``mapping``, else from the variant's ``const``/``enum`` for
        the property, else it is the variant's schema name (OpenAPI's implicit mapping).
        One value for two variants cannot be told apart: refused.
        """
        by_name = {s.name: s for s in spec.schemas}
        schemas: list[ir.Schema] = []
        for schema in spec.schemas:
            if isinstance(schema, ir.UnionSchema) and schema.union.discriminator is not None:
                with self.refusals.guard():
                    union = dataclasses.replace(
                        schema.union,
                        discriminator=self._discriminator_table(schema, by_name),
                    )
                    schema = dataclasses.replace(schema, union=union)
            schemas.append(schema)
        return dataclasses.replace(spec, schemas=tuple(schemas))

    def _discriminator_table(
        self, schema: ir.UnionSchema, by_name: Mapping[str, ir.Schema]
    ) -> ir.Discriminator:
        disc = schema.union.discriminator
        assert disc is not None
        ptr = join_pointer(schema.pointer, "discriminator")
        variants = []
        for variant in schema.union.variants:
            target = by_name.get(variant.name) if isinstance(variant, ir.Ref) else None
            if not isinstance(target, ir.ObjectSchema):
                raise self.doc.error(
                    ptr, "discriminator", f"every variant must be an object schema, not {variant}"
                )
            variants.append(target.name)
        table: dict[str, str] = {}

        def claim(value: str, name: str) -> None:
            if table.get(value, name) != name:
                raise self.doc.error(
                    ptr,
                    "discriminator",
                    f"{disc.property_name}={value!r} stands for both {table[value]!r} and "
                    f"{name!r}: the variants cannot be told apart",
                )
            table[value] = name

        for value, name in disc.mapping:
            if name not in variants:
                raise self.doc.error(
                    join_pointer(ptr, "mapping", value),
                    "mapping",
                    f"{name!r} is not one of the variants",
                )
            claim(value, name)
        mapped = set(dict(disc.mapping).values())
        for name in variants:
            if name in mapped:
                continue
            values = _literal_values(by_name[name], disc.property_name, by_name)
            for tag in values or (name,):
                claim(str(tag), name)
        return ir.Discriminator(disc.property_name, tuple(sorted(table.items())))

    def _tags(self, operations: list[ir.Operation]) -> tuple[ir.Tag, ...]:
        descriptions: dict[str, str | None] = {}
        for i, tag in enumerate(self.doc.sequence(self.doc.root.get("tags", []), "/tags")):
            tag = self.doc.mapping(tag, join_pointer("/tags", i))
            descriptions[self.doc.string(tag.get("name"), join_pointer("/tags", i, "name"))] = (
                tag.get("description")
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
        for name, node in self.doc.mapping(components.get("securitySchemes", {}), base).items():
            ptr = join_pointer(base, name)
            node = self.doc.mapping(node, ptr)
            kind = node.get("type")
            if kind == "http":
                scheme = self.doc.string(node.get("scheme"), join_pointer(ptr, "scheme")).lower()
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
                    parameter_name=self.doc.string(node.get("name"), join_pointer(ptr, "name")),
                    description=node.get("description"),
                )
            else:
                raise self.doc.error(ptr, "type", f"security scheme type {kind!r} is not supported")
        return result

    def _security(
        self, node: object, ptr: str, schemes: Mapping[str, ir.SecurityScheme]
    ) -> tuple[str, ...]:
        names: list[str] = []
        for i, requirement in enumerate(self.doc.sequence(node, ptr)):
            for name in self.doc.mapping(requirement, join_pointer(ptr, i)):
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
        for path, item in self.doc.mapping(self.doc.root.get("paths"), "/paths").items():
            item_ptr = join_pointer("/paths", path)
            if not path.startswith("/"):
                raise self.doc.error(item_ptr, "paths", f"path {path!r} must start with '/'")
            item = self.doc.mapping(item, item_ptr)
            if "$ref" in item:
                raise self.doc.error(item_ptr, "$ref", "path item references are not supported")
            shared = self._parameters(
                item.get("parameters", []), join_pointer(item_ptr, "parameters")
            )
            for method in HTTP_METHODS:
                if method not in item:
                    continue
                operation = None
                with self.refusals.guard():
                    operation = self._operation(
                        path,
                        method,
                        item[method],
                        join_pointer(item_ptr, method),
                        shared,
                        schemes,
                        default_security,
                    )
                if operation is not None:
                    yield operation

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
        node = self.doc.mapping(node, ptr)
        operation_id = node.get("operationId")
        if operation_id is None:
            # Named as openapi-generator would: method and path words (GET /a/{b} -> get_a_b).
            operation_id = "_".join([method, *words(path)])
            self.unnamed.append((ptr, operation_id))
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
        responses_node = self.doc.mapping(node.get("responses"), responses_ptr)
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
            tag=self.doc.string(
                self.doc.sequence(tags, join_pointer(ptr, "tags"))[0], join_pointer(ptr, "tags", 0)
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
        # A template expression marks a section of the path, not only a whole segment
        # (``/files/{id}.json``): the runtime fills each ``{name}`` wherever it stands.
        in_template = set(_TEMPLATE_EXPRESSION.findall(path))
        declared = {p.name for p in parameters if p.location == "path"}
        for name in sorted(in_template - declared):
            raise self.doc.error(ptr, "parameters", f"path parameter {{{name}}} is not declared")
        for name in sorted(declared - in_template):
            raise self.doc.error(
                ptr, "parameters", f"path parameter {name!r} is not in the path {path!r}"
            )

    def _parameters(self, node: object, ptr: str) -> list[ir.Parameter]:
        result = []
        for i, raw in enumerate(self.doc.sequence(node, ptr)):
            param_ptr, param = self.doc.deref(raw, join_pointer(ptr, i))
            name = self.doc.string(param.get("name"), join_pointer(param_ptr, "name"))
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
            type_ = self.types.type_of(
                schema_node, join_pointer(param_ptr, "schema"), pascal_case(name)
            )
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
        body_ptr, body = self.doc.deref(node, ptr)
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
        resp_ptr, resp = self.doc.deref(node, ptr)
        headers_ptr = join_pointer(resp_ptr, "headers")
        headers = []
        for name, raw in self.doc.mapping(resp.get("headers", {}), headers_ptr).items():
            # A referenced header's schema is where the reference leads (its errors too).
            header_ptr, header = self.doc.deref(raw, join_pointer(headers_ptr, name))
            type_ = self.types.type_of(
                header.get("schema", {}),
                join_pointer(header_ptr, "schema"),
                hint + pascal_case(name),
            )
            headers.append(ir.Header(name, type_, header.get("description")))
        return ir.Response(
            status=status,
            description=str(resp.get("description", "")),
            contents=self._contents(
                resp.get("content", {}),
                join_pointer(resp_ptr, "content"),
                # "200" and "4XX" stand as they are inside a name; "default" -> "Default".
                f"{hint}{status if status[0].isdigit() else pascal_case(status)}Response",
            ),
            headers=tuple(headers),
        )

    def _contents(self, node: object, ptr: str, hint: str) -> tuple[ir.MediaType, ...]:
        result = []
        for content_type, media in self.doc.mapping(node, ptr).items():
            media_ptr = join_pointer(ptr, content_type)
            media = self.doc.mapping(media, media_ptr)
            type_ = None
            if "schema" in media:
                type_ = self.types.type_of(media["schema"], join_pointer(media_ptr, "schema"), hint)
            example = media.get("example")
            if example is None and isinstance(media.get("examples"), Mapping):
                first = next(iter(media["examples"].values()), None)
                if isinstance(first, Mapping):
                    example = first.get("value")
            result.append(ir.MediaType(content_type=content_type, type=type_, example=example))
        return tuple(result)

    # ---------------------------------------------------------------- schemas


def _unnamed_operations(source: str, unnamed: list[tuple[str, str]]) -> str:
    """One warning for every operation named by the generator, a line each: a spec that
    leaves out many operationIds (Together's 2026-04 spec leaves out 39) says so once, and a
    maintainer still sees each name a method got and where to give it a better one."""
    lines = [f"  {name} <- {source}#{ptr}" for ptr, name in unnamed]
    return "\n".join(
        [f"{len(unnamed)} operations with no operationId, named from method and path:", *lines]
    )


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
    for name in ir.referenced_names(type_):
        if name in seen:
            continue
        seen.add(name)
        for inner in ir.schema_types(by_name[name]):
            _reach(inner, by_name, seen)


def _literal_values(
    schema: ir.Schema, property_name: str, by_name: Mapping[str, ir.Schema]
) -> tuple[ir.JsonScalar, ...]:
    """The values a variant's discriminating property may take, when it is a const/enum."""
    if not isinstance(schema, ir.ObjectSchema):
        return ()
    for prop in schema.properties:
        if prop.name != property_name:
            continue
        type_ = prop.type
        if isinstance(type_, ir.Ref) and isinstance(by_name.get(type_.name), ir.EnumSchema):
            enum = by_name[type_.name]
            assert isinstance(enum, ir.EnumSchema)
            return enum.values
        if isinstance(type_, ir.LiteralValues):
            return type_.values
    return ()
