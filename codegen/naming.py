"""Turning spec names into names: class names, module names and Python identifiers.

Conventions follow openapi-generator's python client, so code written against it finds the
same names here (``EmbeddingsRequestInput``, ``embeddings_response_data_inner``).
"""

from __future__ import annotations

import keyword
import re

_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+")

# Names a generated model may not use for a field: pydantic's own attributes and the
# helper methods every generated model has.
RESERVED_FIELD_NAMES = frozenset(
    {
        "model_config",
        "model_fields",
        "model_computed_fields",
        "model_extra",
        "model_fields_set",
        "to_dict",
        "to_json",
        "to_str",
        "from_dict",
        "from_json",
        "schema",
        "json",
        "dict",
        "copy",
        "construct",
        "validate",
    }
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


def module_name(class_name: str) -> str:
    return python_identifier(snake_case(class_name))
