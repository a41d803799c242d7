"""Recursive schemas: which model modules import each other in a cycle.

A model module imports the classes its annotations name. References to aliases, unions and
``Literal`` enums are written out in place (see ``TypeRenderer._ref``), so a module imports
the object and enum classes reached through them. Modules in one strongly connected
component of that import graph (a model that refers to itself, directly or through others)
are emitted with postponed annotations and import each other at their end, where a cycle
of imports is harmless; pydantic resolves the names when the model is first used.

A cycle through aliases and unions only has no class to break it, and would be an
infinite annotation: it is refused.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from codegen import ir
from codegen.errors import SpecError
from codegen.views.python_types import enum_base


def _is_class(schema: ir.Schema) -> bool:
    """Whether references to ``schema`` name its class (instead of writing its type out)."""
    if isinstance(schema, ir.ObjectSchema):
        return True
    return isinstance(schema, ir.EnumSchema) and bool(enum_base(schema))


def imported_classes(schema: ir.Schema, by_name: Mapping[str, ir.Schema], source: str) -> set[str]:
    """Names of the class schemas whose classes the module of ``schema`` imports."""
    found: set[str] = set()

    def walk(type_: ir.TypeRef, inlining: tuple[str, ...]) -> None:
        for name in ir.referenced_names(type_):
            target = by_name[name]
            if _is_class(target):
                found.add(name)
            elif name in inlining:
                first = by_name[inlining[0]]
                raise SpecError(
                    first.pointer,
                    "$ref",
                    f"recursive schema {inlining[0]!r} refers to itself through "
                    f"{' -> '.join((*inlining, name))} without an object schema on the way; "
                    "the Python emitter needs a class to break the recursion",
                    source=source,
                )
            else:
                for inner in ir.schema_types(target):
                    walk(inner, (*inlining, name))

    start = () if _is_class(schema) else (schema.name,)
    for type_ in ir.schema_types(schema):
        walk(type_, start)
    return found


def recursive_groups(spec: ir.ApiSpec) -> dict[str, frozenset[str]]:
    """Each class schema in an import cycle -> the names of its cycle (itself included)."""
    by_name = {s.name: s for s in spec.schemas}
    graph = {
        s.name: sorted(imported_classes(s, by_name, spec.source_name))
        for s in spec.schemas
        if _is_class(s)
    }
    groups: dict[str, frozenset[str]] = {}
    for component in _strongly_connected(graph):
        if len(component) > 1 or component[0] in graph[component[0]]:
            members = frozenset(component)
            for name in component:
                groups[name] = members
    return groups


def check_inline_recursion(spec: ir.ApiSpec) -> Iterator[SpecError]:
    """The refusal of every alias or union that refers to itself without a class between."""
    by_name = {s.name: s for s in spec.schemas}
    for schema in spec.schemas:
        if _is_class(schema):
            continue
        try:
            imported_classes(schema, by_name, spec.source_name)
        except SpecError as exc:
            yield exc


def _strongly_connected(graph: Mapping[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively (specs may nest deeper than Python's stack)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            successors = graph.get(node, [])
            if i < len(successors):
                work.append((node, i + 1))
                succ = successors[i]
                if succ not in index:
                    work.append((succ, 0))
                elif succ in on_stack:
                    low[node] = min(low[node], index[succ])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return result
