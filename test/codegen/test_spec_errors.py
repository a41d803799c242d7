"""Specs the generator cannot turn into correct code stop it, naming pointer and keyword."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from codegen.__main__ import main
from codegen.errors import Refusals, SpecError, SpecErrors, escape_pointer_token, join_pointer
from codegen.pipeline import Target, generate

BASE = """
openapi: 3.1.0
info: {title: T, version: "1"}
paths:
  /things:
    get:
      operationId: listThings
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
components:
  schemas:
    Thing:
%s
"""


def spec_file(tmp_path: Path, thing: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(
        BASE % textwrap.indent(textwrap.dedent(thing).strip(), " " * 6), encoding="utf-8"
    )
    return path


@pytest.mark.parametrize(
    ("thing", "pointer", "keyword"),
    [
        (
            "type: object\nproperties:\n  a: {not: {type: string}}",
            "/components/schemas/Thing/properties/a/not",
            "not",
        ),
        (
            "type: object\npatternProperties: {'^x': {type: string}}",
            "/components/schemas/Thing/patternProperties",
            "patternProperties",
        ),
        (
            "type: array\nprefixItems: [{type: string}]",
            "/components/schemas/Thing/prefixItems",
            "prefixItems",
        ),
        ("type: strange", "/components/schemas/Thing/type", "type"),
        # (Two enum values giving one member name are no longer refused: they are numbered,
        # with a warning -- test_name_collisions.py::test_enum_values_giving_one_member_name_are_numbered.)
        ("$ref: 'other.yaml#/Thing'", "/components/schemas/Thing/$ref", "$ref"),
        ("$ref: '#/components/schemas/Missing'", "/components/schemas/Thing/$ref", "$ref"),
        (
            # Recursion needs a class to break it; a union of itself has none.
            "oneOf:\n  - type: string\n  - {type: array, items: {$ref: '#/components/schemas/Thing'}}",
            "/components/schemas/Thing",
            "$ref",
        ),
    ],
)
def test_unsupported_features_name_pointer_and_keyword(
    tmp_path: Path, thing: str, pointer: str, keyword: str
) -> None:
    with pytest.raises(SpecError) as caught:
        generate(spec_file(tmp_path, thing), Target(package="errpkg"))
    assert caught.value.pointer == pointer
    assert caught.value.keyword == keyword
    assert f"spec.yaml#{pointer}: '{keyword}'" in str(caught.value)


def test_cli_exits_2_with_the_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = spec_file(tmp_path, "type: object\nproperties:\n  a: {if: {type: string}}")
    args = ["--spec", str(path), "--out", str(tmp_path / "out"), "--package", "clipkg"]
    assert main([*args, "--no-overlay"]) == 2
    assert "/components/schemas/Thing/properties/a/if: 'if'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # nothing written


HEAD = "openapi: 3.1.0\ninfo: {title: T, version: '1'}\n"
GET_A = "    get:\n      operationId: a\n      responses: {'200': {description: ok}}\n"


@pytest.mark.parametrize(
    ("document", "pointer"),
    [
        ("openapi: 2.0\ninfo: {title: T, version: '1'}\npaths: {}", "/openapi"),
        ("openapi: 3.1.0\ninfo: {title: T, version: '1'}", "/paths"),
        ("- just a list", "/"),
        (HEAD + "paths:\n  /a/{id}:\n" + GET_A, "/paths/~1a~1{id}/get"),  # {id} undeclared
        (HEAD + "paths:\n  /a:\n" + GET_A + "  /b:\n" + GET_A, "/paths/~1b/get"),  # id used twice
        ("openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths: {}\nx: 1\nx: 2", "/"),
    ],
)
def test_invalid_documents(tmp_path: Path, document: str, pointer: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(document, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        generate(path, Target(package="badpkg"))
    assert caught.value.pointer == pointer


def test_unknown_keywords_of_other_vocabularies_are_warnings(tmp_path: Path) -> None:
    path = spec_file(tmp_path, "type: object\nproperties:\n  a: {type: string, error: oops}")
    _files, warnings = generate(path, Target(package="warnpkg"))
    assert warnings == (
        "spec.yaml#/components/schemas/Thing/properties/a/error: unknown keyword 'error' ignored",
    )


TWO_BAD_SCHEMAS_AND_A_BAD_OPERATION = """
openapi: 3.1.0
info: {title: T, version: "1"}
paths:
  /a:
    get:
      operationId: getA
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/A"}}}}
  /b/{id}:
    get:
      operationId: getB
      responses:
        "200": {description: ok}
  /c:
    get:
      operationId: get_a
      responses:
        "200": {description: ok}
components:
  schemas:
    A:
      type: object
      properties:
        x: {not: {type: string}}
    B:
      type: object
      properties:
        n: {type: integer, default: "1.5"}
"""


def test_keep_going_reports_every_refusal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(TWO_BAD_SCHEMAS_AND_A_BAD_OPERATION, encoding="utf-8")
    args = ["--spec", str(spec), "--out", str(tmp_path / "out"), "--package", "kg"]
    assert main([*args, "--docs-dir", "docs", "--config", str(tmp_path / "none.toml")]) == 2
    first_only = capsys.readouterr().err
    assert first_only.count("spec.yaml#") == 1
    assert main([*args, "--keep-going", "--config", str(tmp_path / "none.toml")]) == 2
    err = capsys.readouterr().err
    for pointer, keyword in [
        ("/components/schemas/A/properties/x/not", "not"),
        ("/paths/~1b~1{id}/get", "parameters"),
        ("/components/schemas/B/properties/n/default", "default"),
        ("/paths/~1c/get", "operationId"),
    ]:
        assert f"spec.yaml#{pointer}: '{keyword}'" in err, (pointer, err)
    assert "4 refusals" in err
    assert not (tmp_path / "out").exists()  # nothing is written while refusals stand


PARAMETER_SPEC = """
openapi: 3.1.0
info: {title: T, version: "1"}
paths:
  /things/{id}:
    get:
      operationId: getThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - %s
      responses:
        "200": {description: ok}
components:
  schemas:
    Filter: {type: object, properties: {a: {type: string}}}
"""


@pytest.mark.parametrize(
    ("parameter", "keyword", "message"),
    [
        (
            "{name: f, in: query, style: deepObject, schema: {$ref: '#/components/schemas/Filter'}}",
            "style",
            "'deepObject'",
        ),
        (
            "{name: f, in: query, style: pipeDelimited, schema: {type: array, items: {type: string}}}",
            "style",
            "'pipeDelimited'",
        ),
        (
            "{name: f, in: query, schema: {$ref: '#/components/schemas/Filter'}}",
            "schema",
            "object-valued",
        ),
        (
            "{name: f, in: query, schema: {type: object, additionalProperties: {type: string}}}",
            "schema",
            "object-valued",
        ),
        ("{name: f, in: header, style: form, schema: {type: string}}", "style", "'form'"),
    ],
)
def test_parameters_the_runtime_cannot_serialize_are_refused(
    tmp_path: Path, parameter: str, keyword: str, message: str
) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(PARAMETER_SPEC % parameter, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        generate(path, Target(package="params"))
    assert caught.value.pointer == "/paths/~1things~1{id}/get/parameters/1"
    assert caught.value.keyword == keyword
    assert message in caught.value.message


def test_array_path_parameters_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(
        (PARAMETER_SPEC % "{name: q, in: query, schema: {type: string}}").replace(
            "{name: id, in: path, required: true, schema: {type: string}}",
            "{name: id, in: path, required: true, schema: {type: array, items: {type: string}}}",
        ),
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as caught:
        generate(path, Target(package="params"))
    assert caught.value.pointer == "/paths/~1things~1{id}/get/parameters/0"
    assert "array-valued path parameters" in caught.value.message


# ------------------------------------------------------------------ the refusal types


def test_pointer_tokens_are_escaped_as_rfc_6901_says() -> None:
    # "~" first: escaping "/" to "~1" must not be escaped again to "~01".
    assert escape_pointer_token("a/b~c~1") == "a~1b~0c~01"
    assert join_pointer("/paths", "/things/{id}", "get", 200) == "/paths/~1things~1{id}/get/200"
    assert join_pointer("/components") == "/components"


def test_a_spec_error_names_source_pointer_keyword_and_message() -> None:
    error = SpecError("/paths/~1a", "operationId", "must be a string", source="spec.yaml")
    assert (error.pointer, error.keyword, error.message, error.source) == (
        "/paths/~1a",
        "operationId",
        "must be a string",
        "spec.yaml",
    )
    assert str(error) == "spec.yaml#/paths/~1a: 'operationId': must be a string"
    assert error.args == ("spec.yaml#/paths/~1a: 'operationId': must be a string",)
    # The document's root is "/", and a source may be left out.
    root = SpecError("", "openapi", "not a mapping")
    assert root.pointer == "/"
    assert str(root) == "#/: 'openapi': not a mapping"


def test_several_refusals_are_counted_and_the_first_named() -> None:
    first = SpecError("/a", "x", "bad", source="s")
    errors = [first, SpecError("/b", "y", "worse", source="s")]
    gathered = SpecErrors(errors)
    errors.clear()
    assert len(gathered.errors) == 2
    assert str(gathered) == "2 refusals; first: s#/a: 'x': bad"


def test_a_guard_raises_at_once_unless_told_to_keep_going() -> None:
    refusals = Refusals()
    assert refusals.keep_going is False
    with pytest.raises(SpecError), refusals.guard():
        raise SpecError("/a", "x", "bad")
    assert refusals.errors == []
    refusals.raise_if_any()  # nothing gathered: nothing raised


def test_a_guard_that_keeps_going_gathers_each_refusal_once() -> None:
    refusals = Refusals(keep_going=True)
    with refusals.guard() as fine:
        pass
    assert fine.refused is False
    for _ in range(2):
        with refusals.guard() as guard:
            raise SpecError("/a", "x", "bad")
        assert guard.refused is True
    with refusals.guard():
        raise SpecError("/b", "x", "bad")
    assert [str(e) for e in refusals.errors] == ["#/a: 'x': bad", "#/b: 'x': bad"]
    # Anything that is not a refusal is a bug: it is never swallowed.
    with pytest.raises(KeyError), refusals.guard():
        raise KeyError("bug")
    with pytest.raises(SpecErrors) as caught:
        refusals.raise_if_any()
    assert caught.value.errors == refusals.errors
