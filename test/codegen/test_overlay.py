"""OpenAPI Overlay 1.0: applying the project's changes to Together's spec."""

from __future__ import annotations

import copy
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen.errors import SpecError
from codegen.read.overlay import apply_overlay, load_overlay
from support import REPOSITORY, SHARED_SPECS

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "T", "version": "1"},
    "paths": {
        "/embeddings": {"post": {"operationId": "embeddings", "tags": ["E"]}},
        "/rerank": {"post": {"operationId": "rerank", "x-retry-safe": False}},
        "/files": {
            "get": {"operationId": "listFiles"},
            "post": {"operationId": "upload", "deprecated": True},
        },
    },
    "components": {
        "schemas": {
            "Thing": {
                "type": "object",
                "required": ["a", "b", "c"],
                "properties": {"a": {"type": "string", "example": 5}},
            }
        }
    },
}


def overlay(*actions: dict[str, Any]) -> dict[str, Any]:
    return {
        "overlay": "1.0.0",
        "info": {"title": "changes", "version": "1"},
        "actions": list(actions),
    }


def apply(*actions: dict[str, Any]) -> dict[str, Any]:
    return apply_overlay(SPEC, overlay(*actions), source="o.yaml")


def test_update_merges_into_the_selected_object() -> None:
    result = apply({"target": "$.paths['/embeddings'].post", "update": {"x-retry-safe": True}})
    assert result["paths"]["/embeddings"]["post"] == {
        "operationId": "embeddings",
        "tags": ["E"],
        "x-retry-safe": True,
    }


def test_the_input_document_is_not_changed() -> None:
    before = copy.deepcopy(SPEC)
    apply(
        {"target": "$.paths['/embeddings'].post", "update": {"tags": ["new"]}},
        {"target": "$.paths['/files'].get", "remove": True},
    )
    assert before == SPEC


def test_update_merges_objects_deeply_and_replaces_everything_else() -> None:
    result = apply(
        {
            "target": "$.components.schemas.Thing",
            "update": {"properties": {"a": {"example": "five"}, "b": {"type": "integer"}}},
        },
        {"target": "$.paths['/rerank'].post", "update": {"x-retry-safe": True}},
    )
    thing = result["components"]["schemas"]["Thing"]
    assert thing["properties"] == {
        "a": {"type": "string", "example": "five"},
        "b": {"type": "integer"},
    }
    assert result["paths"]["/rerank"]["post"]["x-retry-safe"] is True


def test_update_appends_to_a_selected_array() -> None:
    result = apply({"target": "$.components.schemas.Thing.required", "update": "d"})
    assert result["components"]["schemas"]["Thing"]["required"] == ["a", "b", "c", "d"]


def test_a_wildcard_and_a_filter_select_several_nodes() -> None:
    result = apply(
        {"target": "$.paths.*.post", "update": {"x-mark": 1}},
        {"target": "$.paths.*[?@.deprecated == true]", "update": {"x-old": True}},
    )
    posts = {path: ops["post"] for path, ops in result["paths"].items()}
    assert all(op["x-mark"] == 1 for op in posts.values())
    assert [path for path, op in posts.items() if "x-old" in op] == ["/files"]
    assert "x-mark" not in result["paths"]["/files"]["get"]


def test_each_selected_node_gets_its_own_copy_of_the_update() -> None:
    result = apply({"target": "$.paths.*.post", "update": {"x-list": [1]}})
    result["paths"]["/rerank"]["post"]["x-list"].append(2)
    assert result["paths"]["/embeddings"]["post"]["x-list"] == [1]


def test_remove_deletes_from_objects_and_arrays() -> None:
    result = apply(
        {"target": "$.paths['/files'].get", "remove": True},
        {"target": "$.components.schemas.Thing.required[?@ == 'a' || @ == 'c']", "remove": True},
        {"target": "$.components.schemas.Thing.properties.a.example", "remove": True},
    )
    assert list(result["paths"]["/files"]) == ["post"]
    assert result["components"]["schemas"]["Thing"]["required"] == ["b"]
    assert result["components"]["schemas"]["Thing"]["properties"]["a"] == {"type": "string"}


def test_actions_apply_in_order_on_the_result_of_the_ones_before() -> None:
    result = apply(
        {"target": "$.paths['/rerank'].post", "update": {"x-new": {"n": 1}}},
        {"target": "$.paths['/rerank'].post['x-new']", "update": {"m": 2}},
    )
    assert result["paths"]["/rerank"]["post"]["x-new"] == {"n": 1, "m": 2}


def test_a_target_that_selects_nothing_names_the_action() -> None:
    with pytest.raises(SpecError) as caught:
        apply(
            {"target": "$.paths['/embeddings'].post", "update": {"x-retry-safe": True}},
            {
                "target": "$.paths['/v2/embeddings'].post",
                "description": "embeddings are safe to retry",
                "update": {"x-retry-safe": True},
            },
        )
    assert caught.value.pointer == "/actions/1/target"
    assert "embeddings are safe to retry" in str(caught.value)
    assert str(caught.value).startswith("o.yaml#/actions/1/target")


@pytest.mark.parametrize(
    ("document", "pointer", "message"),
    [
        ({"overlay": "2.0.0"}, "/overlay", "Overlay 1.0"),
        ({"overlay": "1.0.0", "actions": [{}]}, "/info", "title and version"),
        ({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}}, "/actions", "non-empty"),
        (overlay({"update": {}}), "/actions/0/target", "JSONPath string is required"),
        (overlay({"target": "$.paths[", "update": {}}), "/actions/0/target", "invalid JSONPath"),
        (overlay({"target": "$.paths"}), "/actions/0", "does nothing"),
        (overlay({"target": "$.paths", "remove": "yes"}), "/actions/0/remove", "true or false"),
        (overlay({"target": "$.paths", "remove": True, "update": {}}), "/actions/0", "not both"),
        (overlay({"target": "$.paths", "updat": {}}), "/actions/0/updat", "not an action field"),
        (overlay({"target": "$.paths", "update": [1]}), "/actions/0/update", "must be an object"),
        (overlay({"target": "$.openapi", "update": {}}), "/actions/0/update", "not an object"),
        (overlay({"target": "$", "remove": True}), "/actions/0/target", "cannot remove the root"),
        (
            overlay("not an action"),  # type: ignore[arg-type]  # the wrong type is the point
            "/actions/0",
            "must be a mapping",
        ),
    ],
)
def test_bad_overlays_are_spec_errors_with_a_pointer(
    document: dict[str, Any], pointer: str, message: str
) -> None:
    with pytest.raises(SpecError, match=message) as caught:
        apply_overlay(SPEC, document, source="o.yaml")
    assert caught.value.pointer == pointer


def test_extension_fields_on_actions_are_allowed() -> None:
    result = apply({"target": "$.info", "update": {"x-note": 1}, "x-reason": "documented"})
    assert result["info"]["x-note"] == 1


def test_load_overlay_reads_yaml_as_the_spec_loader_does(tmp_path: Path) -> None:
    path = tmp_path / "o.yaml"
    path.write_text(
        textwrap.dedent(
            """
            overlay: 1.0.0
            info: {title: t, version: "1"}
            actions:
              - target: $.info
                update: {x-date: 2024-01-01, 200: ok}
            """
        )
    )
    loaded = load_overlay(path)
    assert loaded["actions"][0]["update"] == {"x-date": "2024-01-01", "200": "ok"}
    path.write_text("actions: [\n")
    with pytest.raises(SpecError, match="not valid YAML"):
        load_overlay(path)
    path.write_text("- a list\n")
    with pytest.raises(SpecError, match="must be a mapping"):
        load_overlay(path)
    with pytest.raises(SpecError, match="cannot read"):
        load_overlay(tmp_path / "absent.yaml")


# ------------------------------------------------------------------ the project's overlay

PROJECT_OVERLAY = REPOSITORY / "openapi.overlay.yaml"
TOGETHER_2026 = SHARED_SPECS / "together-openapi-2026-04.yaml"


@pytest.fixture(scope="module")
def together_spec() -> dict[str, Any]:
    if not TOGETHER_2026.is_file():
        pytest.skip("../shared/specs is not here")
    # libyaml when there is one: the pure-Python loader takes many seconds for 14k lines.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document: dict[str, Any] = yaml.load(TOGETHER_2026.read_text(), Loader=loader)
    return document


@pytest.fixture(scope="module")
def changed_spec(together_spec: dict[str, Any]) -> dict[str, Any]:
    if not PROJECT_OVERLAY.is_file():
        pytest.skip("no openapi.overlay.yaml in this tree")
    return apply_overlay(together_spec, load_overlay(PROJECT_OVERLAY), source="overlay")


#: POST operations that change state on the server: never marked retry-safe.
STATEFUL_POSTS = ["/files/upload", "/fine-tunes", "/batches", "/endpoints", "/tci/execute"]
#: POST operations that only compute an answer (docs/spec-changes.md says why for each).
PURE_POSTS = ["/embeddings", "/rerank", "/chat/completions", "/completions", "/audio/speech"]


def test_the_project_overlay_marks_pure_computations_retry_safe(
    changed_spec: dict[str, Any],
) -> None:
    for path in PURE_POSTS:
        assert changed_spec["paths"][path]["post"].get("x-retry-safe") is True, path
    for path in STATEFUL_POSTS:
        assert "x-retry-safe" not in changed_spec["paths"][path]["post"], path


def _schemas(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _schemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from _schemas(value)


JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "string": str,
}


def test_after_the_overlay_every_scalar_default_has_its_declared_type(
    together_spec: dict[str, Any], changed_spec: dict[str, Any]
) -> None:
    def wrong(document: dict[str, Any]) -> list[Any]:
        return [
            node["default"]
            for node in _schemas(document)
            if isinstance(node.get("type"), str)
            and node["type"] in JSON_TYPES
            and "default" in node
            and node["default"] is not None  # null: the 3.0 `nullable` the generator reads
            and "oneOf" not in node
            and (
                not isinstance(node["default"], JSON_TYPES[node["type"]])
                or (node["type"] != "boolean" and isinstance(node["default"], bool))
            )
        ]

    assert len(wrong(together_spec)) > 10  # what the published spec gets wrong
    assert wrong(changed_spec) == []


def test_train_on_inputs_accepts_auto_after_the_overlay(changed_spec: dict[str, Any]) -> None:
    schema = changed_spec["components"]["schemas"]["TrainingMethodSFT"]["properties"]
    assert "type" not in schema["train_on_inputs"]
    assert {"type": "string", "enum": ["auto"]} in schema["train_on_inputs"]["oneOf"]


def test_every_overlay_action_is_listed_in_spec_changes() -> None:
    if not PROJECT_OVERLAY.is_file():
        pytest.skip("no openapi.overlay.yaml in this tree")
    actions = yaml.safe_load(PROJECT_OVERLAY.read_text())["actions"]
    changes = (REPOSITORY / "docs" / "spec-changes.md").read_text()
    for action in actions:
        assert action.get("description"), f"action on {action['target']} has no description"
        assert f"`{action['target']}`" in changes, f"{action['target']} is not in spec-changes.md"


def test_after_the_overlay_a_body_with_required_properties_is_required(
    together_spec: dict[str, Any], changed_spec: dict[str, Any]
) -> None:
    def optional_bodies(document: dict[str, Any]) -> list[str]:
        found = []
        for path, operations in document["paths"].items():
            post = operations.get("post")
            if not isinstance(post, dict) or "requestBody" not in post:
                continue
            body = post["requestBody"]
            schema = next(iter(body["content"].values())).get("schema", {})
            if "$ref" in schema:
                schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
            if schema.get("required") and body.get("required") is not True:
                found.append(path)
        return found

    assert "/embeddings" in optional_bodies(together_spec)
    assert optional_bodies(changed_spec) == []


def info_and(actions: list[Any]) -> dict[str, Any]:
    return {"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": actions}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"overlay": 1}, "#/overlay: 'overlay': expected an Overlay 1.0.x document, got 1"),
        (
            {"overlay": "1.0.0", "info": {"title": "t", "version": 1}},
            "#/info: 'info': info must have a string title and version",
        ),
        (
            {"overlay": "1.0.0", "info": {"version": "1"}},
            "#/info: 'info': info must have a string title and version",
        ),
        (info_and([]), "#/actions: 'actions': actions must be a non-empty list"),
        (
            {**info_and([]), "actions": {"target": "$"}},
            "#/actions: 'actions': actions must be a non-empty list",
        ),
        (
            info_and([{"target": "", "update": {}}]),
            "#/actions/0/target: 'target': a JSONPath string is required",
        ),
        (
            info_and([{"target": "$.paths", "update": {}}, {"target": "$.paths[", "update": {}}]),
            "#/actions/1/target: 'target': invalid JSONPath: unbalanced brackets, line 1, column 8",
        ),
        (
            info_and([{"target": "$.paths", "remove": False}]),
            "#/actions/0: 'update': the action does nothing: give update or remove: true",
        ),
        (
            info_and([{"target": "$.paths", "remove": "yes"}]),
            "#/actions/0/remove: 'remove': must be true or false",
        ),
        (
            info_and([{"target": "$.paths", "remove": True, "update": {}}]),
            "#/actions/0: 'update': an action either updates or removes, not both",
        ),
        (
            # Two unknown fields: the first by name is named.
            info_and([{"target": "$.paths", "updat": {}, "b": 1}]),
            "#/actions/0/b: 'b': not an action field",
        ),
        (
            info_and([{"target": "$.paths", "update": {}, "description": 5}]),
            "#/actions/0/description: 'description': must be a string",
        ),
        (
            info_and([{"target": "$.paths", "update": [1], "description": "d"}]),
            "#/actions/0/update: 'update': action 'd': $['paths'] is an object; "
            "update must be an object too",
        ),
        (
            info_and([{"target": "$.openapi", "update": {}}]),
            "#/actions/0/update: 'update': action: $['openapi'] is a str, not an object or "
            "array; target its parent instead",
        ),
        (
            info_and([{"target": "$.info", "update": {}}, {"target": "$", "remove": True}]),
            "#/actions/1/target: 'target': cannot remove the root",
        ),
        (
            info_and([{"target": "$", "remove": True}, 5]),
            "#/actions/1: 'actions': an action must be a mapping",
        ),
        (
            info_and([{"target": "$.nothing", "update": {}, "description": ""}]),
            "#/actions/0/target: 'target': action: '$.nothing' selects nothing in the spec "
            "(did the spec move or rename it?)",
        ),
    ],
)
def test_each_overlay_error_names_the_overlay_pointer_keyword_and_reason(
    document: dict[str, Any], message: str
) -> None:
    with pytest.raises(SpecError) as caught:
        apply_overlay(SPEC, document, source="changes.yaml")
    assert str(caught.value) == "changes.yaml" + message


def test_removing_array_items_past_the_tenth_removes_the_items_selected() -> None:
    document = {"list": [f"item{i}" for i in range(12)]}
    result = apply_overlay(
        document, info_and([{"target": "$.list[2,10]", "remove": True}]), source="o"
    )
    assert result["list"] == [f"item{i}" for i in range(12) if i not in (2, 10)]


def test_removing_a_node_and_a_node_inside_it_removes_both() -> None:
    document = {"x": {"x": {"y": 1}, "z": 2}, "keep": {"x": 3}}
    result = apply_overlay(document, info_and([{"target": "$..x", "remove": True}]), source="o")
    assert result == {"keep": {}}


def test_a_node_selected_twice_is_removed_once() -> None:
    document = {"a": 1, "b": 2}
    result = apply_overlay(
        document, info_and([{"target": "$['a','a']", "remove": True}]), source="o"
    )
    assert result == {"b": 2}


def test_an_update_whose_value_is_an_object_replaces_a_value_that_is_not() -> None:
    document = {"node": {"a": 1, "b": {"c": 1}}}
    result = apply_overlay(
        document,
        info_and([{"target": "$.node", "update": {"a": {"new": True}, "b": {"d": 2}}}]),
        source="o",
    )
    assert result == {"node": {"a": {"new": True}, "b": {"c": 1, "d": 2}}}


def test_an_update_appended_to_an_array_is_a_copy() -> None:
    update = {"x": [1]}
    result = apply_overlay(
        {"list": []}, info_and([{"target": "$.list", "update": update}]), source="o"
    )
    result["list"][0]["x"].append(2)
    assert update == {"x": [1]}


def test_load_overlay_errors_name_the_file_and_the_document_root(tmp_path: Path) -> None:
    path = tmp_path / "changes.yaml"
    path.write_text("- a list\n")
    with pytest.raises(SpecError) as caught:
        load_overlay(path)
    assert str(caught.value) == ("changes.yaml#/: 'overlay': an overlay document must be a mapping")
    path.write_text("a: [\n")
    with pytest.raises(SpecError) as caught:
        load_overlay(path)
    assert str(caught.value).startswith("changes.yaml#/: 'overlay': not valid YAML: ")
    with pytest.raises(SpecError) as caught:
        load_overlay(tmp_path / "absent.yaml")
    assert str(caught.value).startswith("absent.yaml#/: 'overlay': cannot read the overlay: ")
    assert "absent.yaml" in str(caught.value).split("cannot read the overlay: ")[1]


def test_a_nested_update_value_is_copied_for_each_node() -> None:
    update = {"x-new": {"list": [1]}}
    result = apply({"target": "$.paths.*.post", "update": update})
    result["paths"]["/rerank"]["post"]["x-new"]["list"].append(2)
    assert result["paths"]["/embeddings"]["post"]["x-new"] == {"list": [1]}
    assert update == {"x-new": {"list": [1]}}


def test_an_overlay_in_utf_16_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "o.yaml"
    text = "overlay: 1.0.0\ninfo: {title: Änderungen, version: '1'}\nactions: []\n"
    path.write_bytes(text.encode("utf-16"))
    assert load_overlay(path)["info"] == {"title": "Änderungen", "version": "1"}


@pytest.mark.parametrize(
    ("action", "pointer", "message"),
    [
        ({"target": "$.info", "remove": True}, "/info", "expected a mapping, found NoneType"),
        ({"target": "$", "update": {"info": "T"}}, "/info", "expected a mapping, found str"),
        ({"target": "$.paths", "remove": True}, "/paths", "expected a mapping, found NoneType"),
        ({"target": "$", "update": {"paths": 5}}, "/paths", "expected a mapping, found int"),
    ],
)
def test_an_overlay_that_leaves_no_info_or_paths_mapping_is_refused_with_its_pointer(
    tmp_path: Path, action: dict[str, Any], pointer: str, message: str
) -> None:
    # The spec as published has both; the overlay takes one away (a crash with KeyError
    # or AttributeError before).
    from codegen.lower import lower
    from codegen.pipeline import load_with_overlay

    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(SPEC | {"paths": {}}), encoding="utf-8")
    changes = tmp_path / "changes.yaml"
    changes.write_text(yaml.safe_dump(overlay(action)), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        lower(load_with_overlay(spec, changes))
    assert (caught.value.pointer, caught.value.keyword) == (pointer, pointer[1:])
    assert caught.value.message == message
