"""Spec features of Together's real specs, each in a small inline spec: generated, imported,
used. Expected values come from the specs written here."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest
from feature_specs import (
    COLLISIONS,
    DISCRIMINATED,
    ENUMS_AND_DEFAULTS,
    RECURSIVE,
    REQUIRED_ALTERNATIVES,
    SEVERAL_SUCCESSES,
)
from pydantic import ValidationError

from codegen.errors import SpecError
from codegen.pipeline import Target, generate


def test_null_among_enum_values_and_mixed_enums(generated: Any) -> None:
    pkg = generated(ENUMS_AND_DEFAULTS)
    assert [m.value for m in pkg.Level] == ["info", "warning"]  # null is not a member...
    settings = pkg.Settings.from_dict({"level": None, "mixed": "two"})
    assert settings.level is None  # ...but the field takes it
    assert pkg.Settings.from_dict({"level": "info"}).level is pkg.Level.INFO
    for value in (1, "two", True):
        assert pkg.Settings.from_dict({"mixed": value}).mixed == value
    with pytest.raises(ValidationError):
        pkg.Settings.from_dict({"mixed": "one"})


def test_string_defaults_on_numbers_are_coerced_exactly(generated: Any) -> None:
    settings = generated(ENUMS_AND_DEFAULTS).Settings()
    assert settings.rate == 0.2 and isinstance(settings.rate, float)
    assert settings.steps == 20 and isinstance(settings.steps, int)
    assert settings.whole == 3 and isinstance(settings.whole, int)
    assert settings.flag is True
    assert settings.kind == "b"
    assert settings.to_dict() == {}  # defaults are not sent


@pytest.mark.parametrize(
    ("prop", "message"),
    [
        ("{type: integer, default: '2.5'}", "not an integer"),
        ("{type: number, default: 'fast'}", "not a number"),
        ("{type: integer, default: true}", "not a integer"),
        ("{type: string, enum: [a, b], default: c}", "not one of"),
        ("{type: number, default: '0.12345678901234567890123'}", "no exact float"),
    ],
)
def test_defaults_that_are_not_values_are_refused(tmp_path: Path, prop: str, message: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        ENUMS_AND_DEFAULTS.replace('rate: {type: number, default: "0.2"}', f"rate: {prop}"),
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as caught:
        generate(spec, Target(package="refused"))
    assert caught.value.pointer == "/components/schemas/Settings/properties/rate/default"
    assert caught.value.keyword == "default"
    assert message in caught.value.message


def test_a_default_on_an_object_is_left_to_the_server_with_a_warning(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        ENUMS_AND_DEFAULTS.replace(
            'rate: {type: number, default: "0.2"}',
            "rate: {$ref: '#/components/schemas/Holder', default: none}",
        )
        + "    Holder: {type: object, properties: {x: {type: string}}}\n",
        encoding="utf-8",
    )
    _, warnings = generate(spec, Target(package="warned"))
    assert any("Settings/properties/rate/default: default ignored" in w for w in warnings), warnings


def test_recursive_schemas_directly_and_through_others(generated: Any) -> None:
    pkg = generated(RECURSIVE)
    tree = pkg.Tree.from_dict({"value": 1, "children": [{"value": 2, "children": [{"value": 3}]}]})
    assert tree.children[0].children[0].value == 3
    assert isinstance(tree.children[0], pkg.Tree)
    left = pkg.Left.from_dict({"right": {"next": {"right": {"next": "end"}, "name": "b"}}})
    assert isinstance(left.right.next, pkg.Left)
    assert left.right.next.right.next == "end"
    with pytest.raises(ValidationError):
        pkg.Tree.from_dict({"value": 1, "children": [{"value": "x"}]})


def test_recursive_models_import_in_any_order(generated: Any) -> None:
    pkg = generated(RECURSIVE)
    for name in (f"{pkg.__name__}.models.right", f"{pkg.__name__}.models.left"):
        sys.modules.pop(name, None)
    right = importlib.import_module(f"{pkg.__name__}.models.right")
    assert right.Right.model_validate({"next": {"name": "x"}}).next.name == "x"


def test_recursion_without_a_class_is_refused(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        RECURSIVE
        + """    Json:
      oneOf:
        - type: string
        - {type: array, items: {$ref: "#/components/schemas/Json"}}
""",
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as caught:
        generate(spec, Target(package="refused"))
    assert caught.value.pointer == "/components/schemas/Json"
    assert "recursive schema 'Json'" in caught.value.message


def test_one_of_and_any_of_required_alternatives(generated: Any) -> None:
    pkg = generated(REQUIRED_ALTERNATIVES)
    answer = pkg.MakeImage200Response
    assert answer.from_dict({"index": 0, "url": "u"}).url == "u"
    assert answer.from_dict({"index": 0, "b64_json": "b"}).b64_json == "b"
    with pytest.raises(ValidationError, match="exactly one"):
        answer.from_dict({"index": 0})
    with pytest.raises(ValidationError, match="exactly one"):
        answer.from_dict({"index": 0, "url": "u", "b64_json": "b"})
    request = pkg.MakeImageRequest
    assert request(prompt="p", image_url="i").prompt == "p"  # anyOf: both is fine
    with pytest.raises(ValidationError, match="at least one"):
        request()


def test_names_that_collide_after_conversion_lose_nothing(generated: Any, tmp_path: Path) -> None:
    pkg = generated(COLLISIONS)
    index = (tmp_path / f"{pkg.__name__}_docs" / "README.md").read_text()
    assert "Endpoints | [EndpointsApi](EndpointsApi.md) | [list_endpoints]" in index
    assert "endpoints | [EndpointsApi](EndpointsApi.md) | [create_endpoint]" in index
    api = pkg.EndpointsApi
    for operation in ("list_endpoints", "create_endpoint", "delete_endpoint"):
        assert callable(getattr(api, operation)), operation
    # Sorted by schema name, "RL.Thing" comes first and keeps the plain name.
    assert set(pkg.RLThing.model_fields) == {"dotted"}
    assert set(pkg.RLThing2.model_fields) == {"plain"}


def test_a_discriminator_mapping_decides_without_consts(generated: Any) -> None:
    pkg = generated(DISCRIMINATED)
    # Circle and Square have the same fields: only the mapping can tell them apart.
    assert isinstance(
        pkg.Holder.from_dict({"shape": {"kind": "boxy", "size": 1}}).shape, pkg.Square
    )
    assert isinstance(
        pkg.Holder.from_dict({"shape": {"kind": "round", "size": 1}}).shape, pkg.Circle
    )
    with pytest.raises(ValidationError):
        pkg.Holder.from_dict({"shape": {"kind": "triangle"}})
    square = pkg.Square(kind="boxy", size=2)
    assert pkg.Holder(shape=square).shape is square


def test_two_variants_sharing_a_tag_value_are_refused(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        DISCRIMINATED.replace(
            "kind: {type: string}\n        size: {type: number}\n    Square:",
            "kind: {type: string, enum: [boxy]}\n        size: {type: number}\n    Square:",
        ).replace('          round: "#/components/schemas/Circle"\n', ""),
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as caught:
        generate(spec, Target(package="refused"))
    assert caught.value.pointer == "/components/schemas/Shape/discriminator"
    assert caught.value.keyword == "discriminator"
    assert "kind='boxy' stands for both" in caught.value.message


async def test_several_success_statuses_each_decode_as_declared(
    generated: Any, mocked: Any
) -> None:
    from together.generated import ApiClient, Configuration

    pkg = generated(SEVERAL_SUCCESSES)
    host = "http://jobs.test/v2"
    mocked.post(f"{host}/jobs", status=200, payload={"result": "r"})
    mocked.post(f"{host}/jobs", status=202, payload={"eta": 5})
    mocked.post(f"{host}/jobs", status=204)
    async with ApiClient(Configuration(host=host, retries=0)) as client:
        api = pkg.JobsApi(client)
        assert isinstance(await api.start_job(), pkg.Done)
        assert (await api.start_job()).eta == 5
        assert await api.start_job() is None
    jobs = __import__(f"{pkg.__name__}.api.jobs_api", fromlist=["_START_JOB_OPERATION"])
    assert set(jobs._START_JOB_OPERATION.responses) == {"200", "202", "204"}
