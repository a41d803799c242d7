"""Turning spec names into names: class names, module names and Python identifiers.

Conventions follow openapi-generator's python client, so code written against it finds the
same names here (``EmbeddingsRequestInput``, ``embeddings_response_data_inner``).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Container

_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+")

# Names a generated model may not use for a field: every public attribute of pydantic's
# BaseModel (a field of that name shadows it: pydantic warns, and e.g. ``model_dump()``
# breaks) and the helper methods every generated model has (ApiModel's). A test checks this
# covers ``dir(ApiModel)``, so a pydantic upgrade that adds one fails it.
RESERVED_FIELD_NAMES = frozenset(
    {
        "construct",
        "copy",
        "dict",
        "from_dict",
        "from_json",
        "from_orm",
        "json",
        "model_computed_fields",
        "model_config",
        "model_construct",
        "model_copy",
        "model_dump",
        "model_dump_json",
        "model_extra",
        "model_fields",
        "model_fields_set",
        "model_json_schema",
        "model_parametrized_name",
        "model_post_init",
        "model_rebuild",
        "model_validate",
        "model_validate_json",
        "model_validate_strings",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "schema",
        "schema_json",
        "to_dict",
        "to_json",
        "to_str",
        "update_forward_refs",
        "validate",
    }
)


#: Builtins and imports field annotations use (``list[str]``, ``datetime``): a field of one of
#: these names would be what the annotations after it in the class body refer to, so it is
#: renamed in a model whose annotations use the name (and only there: ``bytes: int`` stays).
ANNOTATION_NAMES = frozenset(
    {"bool", "bytes", "date", "datetime", "dict", "float", "int", "list", "str"}
)


def words(name: str) -> list[str]:
    """Split ``name`` into words at case changes, digits stay with their word."""
    return _WORDS.findall(name)


def pascal_case(name: str) -> str:
    """``max_tokens`` -> ``MaxTokens``; ``EmbeddingsRequest`` stays as it is."""
    parts = words(name)
    result = "".join(p[:1].upper() + p[1:] for p in parts)
    if not result:
        raise ValueError(f"no letters or digits in name {name!r}")
    if result[0].isdigit():
        result = "Model" + result
    return result


def snake_case(name: str) -> str:
    """``EmbeddingsResponseDataInner`` -> ``embeddings_response_data_inner``."""
    return "_".join(w.lower() for w in words(name))


def python_identifier(name: str, *, reserved: frozenset[str] = frozenset()) -> str:
    """A valid, non-keyword Python identifier for a spec name (field, parameter)."""
    plain = name.isidentifier() and name == name.lower() and not name.startswith("_")
    ident = name if plain else snake_case(name)
    if not ident:
        ident = "value"
    if ident[0].isdigit():
        ident = "var_" + ident
    # Soft keywords (match, type) are valid names and are left alone.
    if keyword.iskeyword(ident) or ident in reserved:
        ident += "_"
    return ident


#: Attributes every generated API class sets on its instances: an operation may not be a
#: method of that name (the instance attribute would hide it).
API_CLASS_ATTRIBUTES = frozenset({"api_client"})


def method_name(operation_id: str) -> str:
    """An operation's method: ``getThing`` -> ``get_thing``, ``api_client`` -> ``api_client_``."""
    return python_identifier(snake_case(operation_id), reserved=API_CLASS_ATTRIBUTES)


def module_name(class_name: str) -> str:
    return python_identifier(snake_case(class_name))


def first_free(base: str, taken: Container[str], sep: str = "_") -> str:
    """``base`` if no name in ``taken`` is it, else ``base{sep}2``, ``base{sep}3``... the
    first that is free: how every clash the generator resolves is numbered."""
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{sep}{n}"
    return candidate
