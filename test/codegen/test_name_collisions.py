"""Spec names that collide with names the generated package already uses, or with each other
after conversion: each is resolved deterministically (renamed, the wire name kept) and said
in a warning with its pointer; nothing is lost, and the package imports and passes mypy."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from aioresponses import aioresponses
from pydantic import BaseModel

from codegen.emit.output import write
from codegen.naming import RESERVED_FIELD_NAMES
from codegen.pipeline import Target, generate
from support import REPOSITORY, sent_calls
from together.generated import ApiClient, ApiException, Configuration, NotFoundException
from together.generated._runtime.model_base import ApiModel

HOST = "http://names.test/v1"

# (a) and (e): schemas named like the runtime's names the package root exports, like an API
# class, and like names the generated modules import.
SCHEMA_NAMES = """
openapi: 3.1.0
info: {title: Coll, version: "1.0"}
servers: [{url: "http://coll.example/v1"}]
paths:
  /things:
    get:
      operationId: getThing
      tags: [Pets]
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/Configuration"}}}
        "400":
          description: bad
          content: {application/json: {schema: {$ref: "#/components/schemas/ApiException"}}}
    post:
      operationId: postThing
      tags: [Pets]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/BaseModel"}}}
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/Field"}}}
components:
  schemas:
    Configuration:
      type: object
      properties: {name: {type: string}}
    ApiException:
      type: object
      properties: {code: {type: integer}}
    NotFoundException:
      type: object
      properties: {what: {type: string}}
    SyncApiClient:
      type: object
      properties: {sync: {type: boolean}}
    PetsApi:
      type: object
      properties: {pets: {type: array, items: {type: string}}}
    BaseModel:
      type: object
      required: [any, field]
      properties:
        any: {$ref: "#/components/schemas/Any"}
        field: {$ref: "#/components/schemas/Field"}
        mapping: {$ref: "#/components/schemas/Mapping"}
        literal: {type: string, enum: [x, "y"]}
    Any:
      type: object
      properties: {a: {type: string}}
    Field:
      type: object
      properties: {f: {type: integer, default: 3}}
    Mapping:
      type: object
      additionalProperties: {type: string}
    ConfigurationModel:
      type: object
      properties: {taken: {type: string}}
"""

# (b), (c) and (d): properties that convert to one field, properties named like pydantic's
# own attributes, and an operation named like the API class's attribute.
MEMBER_NAMES = """
openapi: 3.1.0
info: {title: Names, version: "1.0"}
servers: [{url: "http://names.example/v1"}]
paths:
  /thing:
    get:
      operationId: api_client
      tags: [T]
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}
components:
  schemas:
    Thing:
      type: object
      properties:
        "a-b": {type: string}
        "a_b": {type: string}
        "a.b": {type: string}
        json: {type: string}
        "json_": {type: string}
        model_dump: {type: string}
        model_validate: {type: string}
        model_copy: {type: string}
        model_fields: {type: string}
        model_dump_json: {type: string}
        schema: {type: string}
        dict: {type: string}
        copy: {type: string}
        to_dict: {type: string}
        parse_obj: {type: string}
    Shadows:
      type: object
      required: [when]
      properties:
        str: {type: string}
        list: {type: array, items: {type: string}}
        datetime: {type: string, format: date-time}
        when: {type: string, format: date-time}
        tags: {type: array, items: {type: string}}
        name: {type: string}
    Kept:
      type: object
      properties:
        bytes: {type: integer}
        list: {type: string, enum: [list]}
"""


# Clashes the generator resolves too: parameters named like the methods' own arguments,
# enum values giving one member name, and schemas asking for one class.
CLASHES = """
openapi: 3.1.0
info: {title: Clashes, version: "1.0"}
servers: [{url: "http://clashes.example/v1"}]
paths:
  /things:
    get:
      operationId: getThings
      tags: [Things]
      parameters:
        - {name: self, in: query, schema: {type: string}}
        - {name: self_, in: query, schema: {type: string}}
        - {name: destination, in: query, required: true, schema: {type: string}}
        - {name: _decode, in: query, schema: {type: string}}
        - {name: _request_timeout, in: header, schema: {type: string}}
        - {name: kind, in: query, schema: {$ref: "#/components/schemas/Letters"}}
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/foo"}}}
  /things/{self}/file:
    get:
      operationId: getFile
      tags: [Things]
      parameters:
        - {name: self, in: path, required: true, schema: {type: string}}
        - {name: destination, in: query, schema: {type: string}}
      responses:
        "200":
          description: the bytes
          content: {application/octet-stream: {schema: {type: string, format: binary}}}
components:
  schemas:
    Letters:
      type: string
      enum: [a-b, a_b, A_B_2, "1", "_1"]
    Numbers:
      type: integer
      enum: [1, -1]
    Foo:
      type: object
      properties:
        big: {type: string}
        letters: {$ref: "#/components/schemas/Letters"}
        numbers: {$ref: "#/components/schemas/Numbers"}
        second: {allOf: [{$ref: "#/components/schemas/Letters"}], default: a_b}
    foo:
      type: object
      properties: {small: {type: string}}
"""


def _warnings(pkg: Any) -> list[str]:
    return list(pkg.__codegen_warnings__)


def test_schemas_named_like_the_packages_own_names_become_name_model(generated: Any) -> None:
    pkg = generated(SCHEMA_NAMES)
    assert len(pkg.__all__) == len(set(pkg.__all__))
    # The root's names stay the runtime's.
    assert pkg.Configuration is not None and hasattr(pkg.Configuration(), "host")
    assert pkg.ApiException is ApiException
    assert pkg.NotFoundException is NotFoundException
    assert issubclass(pkg.PetsApi, object) and hasattr(pkg.PetsApi, "get_thing")
    # The schemas are models with a suffix, each validating its own properties.
    assert pkg.ConfigurationModel.model_validate({"name": "n"}).name == "n"
    assert pkg.ApiExceptionModel.model_validate({"code": 4}).code == 4
    assert pkg.NotFoundExceptionModel.model_validate({"what": "w"}).what == "w"
    assert pkg.SyncApiClientModel.model_validate({"sync": True}).sync is True
    assert pkg.PetsApiModel.model_validate({"pets": ["a"]}).pets == ["a"]
    # A schema already named like the suffixed name keeps it; the renamed one is numbered.
    assert pkg.ConfigurationModel.model_validate({"taken": "t"}).taken == "t"
    assert pkg.ConfigurationModel2.model_validate({"name": "n"}).name == "n"
    for schema in ("ApiException", "NotFoundException", "SyncApiClient", "PetsApi"):
        assert any(
            w.startswith(f"{pkg.__name__}.yaml#/components/schemas/{schema}: ")
            and f"'{schema}Model'" in w
            for w in _warnings(pkg)
        ), schema


def test_schemas_named_like_imported_names_do_not_shadow_the_imports(generated: Any) -> None:
    pkg = generated(SCHEMA_NAMES)
    model = pkg.BaseModelModel.model_validate(
        {"any": {"a": "x"}, "field": {}, "mapping": {"k": "v"}, "literal": "y"}
    )
    assert issubclass(type(model), BaseModel)  # (isinstance would narrow away its fields)
    assert isinstance(model.any, pkg.AnyModel) and model.any.a == "x"
    assert isinstance(model.field, pkg.FieldModel) and model.field.f == 3
    # Mapping is an alias (a dict of strings): still exported, under its new name.
    assert model.mapping == {"k": "v"}
    assert "MappingModel" in pkg.__all__ and "Mapping" not in pkg.__all__
    assert any("#/components/schemas/BaseModel: " in w for w in _warnings(pkg))


async def test_an_answer_model_renamed_is_the_one_decoded(
    generated: Any, mocked: aioresponses
) -> None:
    pkg = generated(SCHEMA_NAMES)
    mocked.get(f"{HOST}/things", payload={"name": "cfg"})
    mocked.get(f"{HOST}/things", status=400, payload={"code": 7})
    async with ApiClient(Configuration(host=HOST, retries=0)) as client:
        api = pkg.PetsApi(client)
        thing = await api.get_thing()
        assert isinstance(thing, pkg.ConfigurationModel2)
        assert thing.name == "cfg"
        with pytest.raises(ApiException) as raised:
            await api.get_thing()
    assert raised.value.status == 400


def test_properties_that_convert_to_one_field_keep_both(generated: Any) -> None:
    pkg = generated(MEMBER_NAMES)
    wire = {"a-b": "1", "a_b": "2", "a.b": "3", "json": "4", "json_": "5"}
    thing = pkg.Thing.model_validate(wire)
    # The property whose wire name is the identifier keeps it; the others are numbered in
    # the spec's order.
    assert (thing.a_b, thing.a_b_2, thing.a_b_3) == ("2", "1", "3")
    assert (thing.json_, thing.json__2) == ("5", "4")
    dumped = thing.model_dump(by_alias=True, exclude_none=True)
    assert dumped == wire
    warned = [w for w in _warnings(pkg) if "is another property's field" in w]
    assert any(
        f"{pkg.__name__}.yaml#/components/schemas/Thing/properties/a-b: " in w for w in warned
    )
    assert any("/properties/a.b: " in w and "'a_b_3'" in w for w in warned)
    assert any("/properties/json: " in w and "'json__2'" in w for w in warned)


def test_properties_named_like_pydantic_attributes_are_renamed(generated: Any) -> None:
    # Importing under filterwarnings=error: pydantic's "shadows an attribute" would fail it.
    pkg = generated(MEMBER_NAMES)
    names = ["model_dump", "model_validate", "model_copy", "model_fields", "model_dump_json"]
    names += ["schema", "dict", "copy", "to_dict", "parse_obj"]
    wire = {name: name.upper() for name in names}
    thing = pkg.Thing.model_validate(wire)
    assert thing.model_dump(by_alias=True, exclude_none=True) == wire
    assert thing.to_dict() == wire
    assert thing.model_copy().model_dump_json(by_alias=True, exclude_none=True).startswith("{")
    assert thing.model_dump_ == "MODEL_DUMP"
    assert "model_dump" not in pkg.Thing.model_fields


def test_fields_named_like_a_type_their_model_uses_are_renamed(generated: Any) -> None:
    # Importing under filterwarnings=error: ``list: ...`` then ``tags: list[str]`` in a class
    # body made ``list`` the field (TypeError at import, mypy errors).
    pkg = generated(MEMBER_NAMES)
    wire = {
        "str": "s",
        "list": ["l"],
        "datetime": "2024-05-01T10:00:00Z",
        "when": "2024-05-02T10:00:00Z",
        "tags": ["t"],
        "name": "n",
    }
    shadows = pkg.Shadows.model_validate(wire)
    assert (shadows.str_, shadows.list_, shadows.tags) == ("s", ["l"], ["t"])
    assert shadows.datetime_.day == 1 and shadows.when.day == 2
    assert shadows.model_dump(mode="json", by_alias=True)["list"] == ["l"]
    # A model whose annotations do not use the name (a literal value is no use) keeps it.
    kept = pkg.Kept.model_validate({"bytes": 5, "list": "list"})
    assert (kept.bytes, kept.list) == (5, "list")


def test_reserved_field_names_cover_the_model_base() -> None:
    public = {name for name in dir(ApiModel) if not name.startswith("_")}
    assert public <= RESERVED_FIELD_NAMES, sorted(public - RESERVED_FIELD_NAMES)


async def test_an_operation_named_like_the_api_client_attribute_is_renamed(
    generated: Any, mocked: aioresponses
) -> None:
    pkg = generated(MEMBER_NAMES)
    mocked.get(f"{HOST}/thing", payload={"a-b": "x"})
    async with ApiClient(Configuration(host=HOST, retries=0)) as client:
        api = pkg.TApi(client)
        assert api.api_client is client
        thing = await api.api_client_()
    assert thing.a_b_2 == "x"


async def test_parameters_named_like_the_methods_own_arguments_are_renamed(
    generated: Any, mocked: aioresponses
) -> None:
    pkg = generated(CLASHES)
    mocked.get(
        "http://clashes.example/v1/things?self=s&self_=t&destination=d&_decode=x&kind=a_b",
        payload={"small": "ok"},
    )
    mocked.get(
        "http://clashes.example/v1/things?destination=d",
        payload={"small": "raw"},
    )
    async with ApiClient(Configuration(host="http://clashes.example/v1", retries=0)) as client:
        api = pkg.ThingsApi(client)
        # ``self`` is ``self_2`` (``self_`` is the next parameter's), ``destination`` is
        # ``destination_``; ``_decode`` and ``_request_timeout`` lose their underscore.
        thing = await api.get_things(
            destination_="d",
            self_2="s",
            self_="t",
            decode="x",
            request_timeout="h",
            kind=pkg.Letters.A_B_3,
        )
        assert isinstance(thing, pkg.Foo2) and thing.small == "ok"
        # The method's own arguments still mean what they did.
        assert await api.get_things(destination_="d", _decode=bytes) == b'{"small": "raw"}'
    sent = [call.kwargs for call in sent_calls(mocked)]
    assert sent[0]["headers"]["_request_timeout"] == "h"
    warned = _warnings(pkg)
    for pointer, old, new in [
        ("/paths/~1things/get/parameters/0", "self", "self_2"),
        ("/paths/~1things/get/parameters/2", "destination", "destination_"),
        ("/paths/~1things~1{self}~1file/get/parameters/0", "self", "self_"),
        ("/paths/~1things~1{self}~1file/get/parameters/1", "destination", "destination_"),
    ]:
        assert any(
            w.startswith(f"{pkg.__name__}.yaml#{pointer}: ")
            and f"parameter {old!r} is argument {new!r}" in w
            for w in warned
        ), (pointer, warned)
    # ``self_`` is no argument of the method: it keeps its name.
    assert not any("#/paths/~1things/get/parameters/1: " in w for w in warned)


async def test_a_download_keeps_its_destination_beside_a_destination_parameter(
    generated: Any, mocked: aioresponses, tmp_path: Path
) -> None:
    pkg = generated(CLASHES)
    mocked.get("http://clashes.example/v1/things/me/file?destination=there", body=b"12345")
    target = tmp_path / "out.bin"
    async with ApiClient(Configuration(host="http://clashes.example/v1", retries=0)) as client:
        api = pkg.ThingsApi(client)
        written = await api.get_file_to_file("me", target, destination_="there")
    assert written == 5 and target.read_bytes() == b"12345"


def test_enum_values_giving_one_member_name_are_numbered(generated: Any) -> None:
    pkg = generated(CLASHES)
    letters = {member.name: member.value for member in pkg.Letters}
    assert letters == {
        "A_B": "a-b",
        "A_B_3": "a_b",  # A_B_2 is the next value's own member
        "A_B_2": "A_B_2",
        "VALUE_1": "1",
        "VALUE_1_2": "_1",
    }
    assert {member.name: member.value for member in pkg.Numbers} == {"VALUE_1": 1, "VALUE_1_2": -1}
    # A default names the member of its own value.
    assert pkg.Foo().second is pkg.Letters.A_B_3
    model = pkg.Foo.model_validate({"letters": "_1", "numbers": -1})
    assert model.letters is pkg.Letters.VALUE_1_2 and model.numbers is pkg.Numbers.VALUE_1_2
    assert model.model_dump(mode="json", exclude_none=True) == {
        "letters": "_1",
        "numbers": -1,
        "second": "a_b",
    }
    warned = [w for w in _warnings(pkg) if "is another value's member" in w]
    source = f"{pkg.__name__}.yaml"
    assert sorted(warned) == [
        f"{source}#/components/schemas/Letters/enum: enum value '_1' is member 'VALUE_1_2': "
        "'VALUE_1' is another value's member",
        f"{source}#/components/schemas/Letters/enum: enum value 'a_b' is member 'A_B_3': "
        "'A_B' is another value's member",
        f"{source}#/components/schemas/Numbers/enum: enum value -1 is member 'VALUE_1_2': "
        "'VALUE_1' is another value's member",
    ]


def test_schemas_asking_for_one_class_are_numbered_with_a_warning(generated: Any) -> None:
    pkg = generated(CLASHES)
    # Sorted by schema name, ``Foo`` comes first and keeps the class.
    assert pkg.Foo.model_validate({"big": "B"}).big == "B"
    assert pkg.Foo2.model_validate({"small": "s"}).small == "s"
    assert "Foo2" in pkg.__all__
    assert (
        f"{pkg.__name__}.yaml#/components/schemas/foo: schema 'foo' is class 'Foo2': 'Foo' is "
        "the class of schema 'Foo'"
    ) in _warnings(pkg)
    assert not any("#/components/schemas/Foo: " in w for w in _warnings(pkg))


def test_the_collision_specs_pass_mypy(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    specs = {"c_schemas": SCHEMA_NAMES, "c_members": MEMBER_NAMES, "c_clashes": CLASHES}
    for package, text in specs.items():
        path = tmp_path / f"{package}.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        files, _ = generate(path, Target(package=package, docs_dir=f"{package}_docs"))
        write(files, tmp_path, Target(package=package).owned_dirs)
    packages = [arg for package in specs for arg in ("-p", package)]
    checked = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(REPOSITORY / "pyproject.toml"),
            "--cache-dir",
            str(tmp_path_factory.getbasetemp() / "collision-mypy-cache"),
            "--strict",
            *packages,
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "", "PYTHONPATH": str(tmp_path)},
        check=False,
    )
    assert checked.returncode == 0, checked.stdout[-4000:]
