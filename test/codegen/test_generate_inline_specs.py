"""Functional tests of the generator: small specs generated into a temporary package, imported
and used against mocked HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aioresponses import aioresponses
from pydantic import ValidationError

from codegen.pipeline import Target, generate
from support import recorded
from together.generated import (
    ApiClient,
    ApiValueError,
    Configuration,
    NotFoundException,
    ServiceException,
)

HOST = "http://gen.test/v1"

PETS_SPEC = """
openapi: 3.1.0
info: {title: Pets, version: "1.0"}
servers: [{url: "http://pets.example/v1"}]
security: [{apiKeyAuth: []}]
paths:
  /owners/{owner_id}/pets:
    get:
      operationId: listPets
      tags: [Pets]
      summary: List an owner's pets
      parameters:
        - {name: owner_id, in: path, required: true, schema: {type: integer}}
        - {name: kind, in: query, schema: {$ref: "#/components/schemas/Kind"}}
        - {name: tags, in: query, schema: {type: array, items: {type: string}}}
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
        - {name: X-Trace, in: header, schema: {type: string}}
      responses:
        "200":
          description: the pets
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Pet"}}
        "404":
          description: no such owner
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Problem"}
        default:
          description: anything else
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Problem"}
    post:
      operationId: createPet
      tags: [Pets]
      parameters:
        - {name: owner_id, in: path, required: true, schema: {type: integer}}
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/NewPet"}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Pet"}
  /pets/{pet_id}:
    delete:
      operationId: deletePet
      tags: [Pets]
      parameters:
        - {name: pet_id, in: path, required: true, schema: {type: string}}
      responses:
        "204": {description: deleted}
components:
  securitySchemes:
    apiKeyAuth: {type: apiKey, in: header, name: X-Api-Key}
  schemas:
    Kind:
      type: string
      enum: [cat, dog, "guinea-pig"]
    Owner:
      type: object
      required: [name]
      properties:
        name: {type: string}
        address:
          type: object
          properties:
            city: {type: string}
            geo:
              type: object
              required: [lat, lon]
              properties:
                lat: {type: number}
                lon: {type: number}
    Cat:
      type: object
      required: [pet_type, indoor]
      properties:
        pet_type: {type: string, const: cat}
        indoor: {type: boolean}
    Dog:
      type: object
      required: [pet_type]
      properties:
        pet_type: {type: string, enum: [dog]}
        good_boy: {type: boolean, default: true}
    Animal:
      oneOf:
        - $ref: "#/components/schemas/Cat"
        - $ref: "#/components/schemas/Dog"
      discriminator:
        propertyName: pet_type
        mapping:
          cat: "#/components/schemas/Cat"
          dog: "#/components/schemas/Dog"
    Base:
      type: object
      required: [id]
      properties:
        id: {type: string}
        created: {type: string, format: date-time}
    Pet:
      allOf:
        - $ref: "#/components/schemas/Base"
        - type: object
          required: [name, kind]
          properties:
            name: {type: string, minLength: 1}
            kind: {$ref: "#/components/schemas/Kind"}
            nickname: {type: [string, "null"]}
            age: {type: integer, nullable: true}
            owner: {$ref: "#/components/schemas/Owner"}
            animal: {$ref: "#/components/schemas/Animal"}
            labels:
              type: object
              additionalProperties: {type: string}
            toys:
              type: array
              items:
                type: object
                required: [name]
                properties:
                  name: {type: string}
                  squeaks: {type: boolean}
            breed:
              anyOf:
                - {type: string, enum: [siamese, beagle]}
                - {type: string}
            weight:
              anyOf:
                - {type: number}
                - {type: string}
            class: {type: string}
    NewPet:
      type: object
      required: [name, kind]
      properties:
        name: {type: string, minLength: 1, maxLength: 20}
        kind: {$ref: "#/components/schemas/Kind"}
        tags: {type: array, items: {type: string}, maxItems: 3}
    Problem:
      type: object
      required: [error]
      properties:
        error: {type: string}
"""


def sent(mocked: aioresponses) -> list[tuple[str, Any, Any]]:
    return [
        (method, url, call) for (method, url), calls in recorded(mocked).items() for call in calls
    ]


async def test_path_query_header_parameters_and_array_of_models(
    generated: Any, mocked: aioresponses
) -> None:
    pkg = generated(PETS_SPEC)
    pet = {"id": "p1", "name": "Tom", "kind": "cat", "created": "2024-05-01T10:00:00Z"}
    mocked.get(f"{HOST}/owners/7/pets?kind=guinea-pig&tags=a&tags=b%20c&limit=5", payload=[pet])
    config = Configuration(
        host=HOST, api_key={"apiKeyAuth": "k-1"}, retries=0, allow_insecure_http=True
    )
    async with ApiClient(config) as client:
        api = pkg.PetsApi(client)
        pets = await api.list_pets(
            7, kind=pkg.Kind.GUINEA_PIG, tags=["a", "b c"], limit=5, x_trace="t-1"
        )
    assert isinstance(pets, list) and isinstance(pets[0], pkg.Pet)
    assert pets[0].created == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert pets[0].kind is pkg.Kind.CAT
    ((_, _, call),) = sent(mocked)
    assert call.kwargs["headers"]["X-Api-Key"] == "k-1"
    assert call.kwargs["headers"]["X-Trace"] == "t-1"
    assert "Authorization" not in call.kwargs["headers"]


async def test_parameters_are_validated_before_sending(
    generated: Any, mocked: aioresponses
) -> None:
    pkg = generated(PETS_SPEC)
    async with ApiClient(Configuration(host=HOST, retries=0)) as client:
        api = pkg.PetsApi(client)
        with pytest.raises(ApiValueError, match="limit"):
            await api.list_pets(7, limit=1000)
        with pytest.raises(ApiValueError, match="kind"):
            await api.list_pets(7, kind="hamster")
        with pytest.raises(ApiValueError, match="owner_id"):
            await api.list_pets("seven")
    assert sent(mocked) == []


async def test_request_body_default_and_error_responses(
    generated: Any, mocked: aioresponses
) -> None:
    pkg = generated(PETS_SPEC)
    mocked.post(
        f"{HOST}/owners/1/pets", status=201, payload={"id": "p2", "name": "Rex", "kind": "dog"}
    )
    mocked.get(f"{HOST}/owners/2/pets", status=404, payload={"error": "no owner 2"})
    mocked.get(f"{HOST}/owners/3/pets", status=500, payload={"error": "boom"})
    mocked.delete(f"{HOST}/pets/a%2Fb", status=204)
    async with ApiClient(Configuration(host=HOST, retries=0)) as client:
        api = pkg.PetsApi(client)
        created = await api.create_pet(1, pkg.NewPet(name="Rex", kind="dog"))
        assert created.name == "Rex"
        with pytest.raises(NotFoundException) as not_found:
            await api.list_pets(2)
        assert isinstance(not_found.value.data, pkg.Problem)
        with pytest.raises(ServiceException) as failed:
            await api.list_pets(3)
        assert failed.value.data.error == "boom"  # the `default` response's model
        assert await api.delete_pet("a/b") is None
    body = next(call for method, _, call in sent(mocked) if method == "POST").kwargs["data"]
    assert body == b'{"name":"Rex","kind":"dog"}'


def test_models_nested_nullable_enums_unions(generated: Any) -> None:
    pkg = generated(PETS_SPEC)
    pet = pkg.Pet.from_dict(
        {
            "id": "p",
            "name": "Tom",
            "kind": "cat",
            "nickname": None,
            "age": None,
            "owner": {
                "name": "Ann",
                "address": {"city": "Oslo", "geo": {"lat": 59.9, "lon": 10.7}},
            },
            "animal": {"pet_type": "dog"},
            "labels": {"colour": "grey"},
            "toys": [{"name": "ball", "squeaks": True}],
            "breed": "some new breed",
            "weight": "heavy",
            "class": "mammal",
        }
    )
    assert pet.owner.address.geo.lat == 59.9
    assert type(pet.owner.address).__name__ == "OwnerAddress"
    assert type(pet.owner.address.geo).__name__ == "OwnerAddressGeo"
    assert type(pet.toys[0]).__name__ == "PetToysInner"
    assert isinstance(pet.animal, pkg.Dog) and pet.animal.good_boy is True
    assert pet.nickname is None and pet.age is None
    assert pet.breed == "some new breed"  # an open enum takes any string
    assert pet.class_ == "mammal"
    assert pet.to_dict()["class"] == "mammal"  # keyword names keep their wire name
    assert (
        pkg.Pet.from_dict(
            {"id": "p", "name": "T", "kind": "dog", "animal": {"pet_type": "cat", "indoor": False}}
        ).animal.indoor
        is False
    )
    assert pkg.Animal(pkg.Cat(pet_type="cat", indoor=True)).actual_instance.indoor is True
    with pytest.raises(ValidationError):
        pkg.Pet.from_dict({"id": "p", "name": "T", "kind": "dog", "animal": {"pet_type": "cow"}})
    with pytest.raises(ValidationError):
        pkg.Pet.from_dict({"id": "p", "name": "", "kind": "dog"})  # minLength
    with pytest.raises(ValidationError):
        pkg.NewPet(name="x", kind="dog", tags=["a", "b", "c", "d"])  # maxItems
    assert [m.value for m in pkg.Kind] == ["cat", "dog", "guinea-pig"]


def test_docs_pages_are_written(generated: Any, tmp_path: Path) -> None:
    pkg = generated(PETS_SPEC)
    docs = tmp_path / f"{pkg.__name__}_docs"
    names = sorted(p.name for p in docs.iterdir())
    assert "PetsApi.md" in names and "Pet.md" in names and "README.md" in names
    page = (docs / "PetsApi.md").read_text()
    for section in (
        "### Example",
        "### Parameters",
        "### Return type",
        "### Authorization",
        "### HTTP response details",
    ):
        assert section in page
    assert "**GET** /owners/{owner_id}/pets" in page
    assert "`NotFoundException`" in page


def test_output_is_deterministic(tmp_path: Path) -> None:
    spec_path = tmp_path / "pets.yaml"
    spec_path.write_text(PETS_SPEC, encoding="utf-8")
    first, _ = generate(spec_path, Target(package="detpkg"))
    second, _ = generate(spec_path, Target(package="detpkg"))
    assert first == second
    assert all(
        text.startswith(("# Generated by codegen", "<!-- Generated by codegen"))
        for text in first.values()
    )
