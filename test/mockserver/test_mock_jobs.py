"""Long-running resources (docs/mock-server.md, "Real semantics"): a collection is a path
``P`` with a ``POST`` and a ``P/{param}`` with a ``GET``. A create stores the request; every
answer about the resource is synthesized from its operation's schema, then given the
resource's facts where the schema has room (its UUID id under the names the path parameter
suggests, the create request's fields, a status that moves on by one step each time it is
read, or to cancelled after ``.../cancel`` or ``.../stop``); lists hold exactly what was
created and not deleted; an unknown or deleted id is 404."""

from __future__ import annotations

import re
import uuid
from typing import Any

BEARER = {"Authorization": "Bearer any-token"}

SPEC = """
openapi: 3.1.0
info: {title: jobs, version: "1"}
servers: [{url: "http://localhost/v1"}]
components:
  schemas:
    Widget:
      type: object
      required: [id, name, status]
      properties:
        id: {type: string}
        widget_id: {type: string}
        workflow_id: {type: string}
        name: {type: string}
        size: {type: integer, minimum: 0, maximum: 10}
        count: {type: integer}
        status: {type: string, enum: [pending, running, completed, cancelled]}
        info:
          type: object
          required: [widget_id, status]
          properties:
            widget_id: {type: string}
            status: {type: string, enum: [queued, active, done, stopped]}
            deep: {type: object, required: [id], properties: {id: {type: string}}}
    WidgetBody:
      type: object
      properties: {name: {type: string}, size: {type: integer}, count: {type: integer}}
    Gadget:
      type: object
      required: [id, state]
      properties:
        id: {type: string, format: uuid}
        state: {type: string, enum: [QUEUED, IN_PROGRESS, SUCCEEDED, STOPPED]}
    Plain:
      type: object
      required: [id, kind, state]
      properties:
        id: {type: integer}
        kind: {type: string, enum: [fixed]}
        state: {type: string, enum: [alpha]}
  responses:
    OneWidget:
      description: a widget
      content: {application/json: {schema: {$ref: "#/components/schemas/Widget"}}}
paths:
  /widgets:
    post:
      requestBody:
        content: {application/json: {schema: {$ref: "#/components/schemas/WidgetBody"}}}
      responses: {"201": {$ref: "#/components/responses/OneWidget"}}
    get:
      responses:
        "200":
          content:
            application/json:
              schema:
                type: object
                required: [object, data]
                properties:
                  object: {const: list}
                  data: {type: array, items: {$ref: "#/components/schemas/Widget"}}
  /widgets/{widgetId}:
    parameters: [{name: widgetId, in: path, required: true, schema: {type: string}}]
    get: {responses: {"200": {$ref: "#/components/responses/OneWidget"}}}
    patch:
      requestBody:
        content: {application/json: {schema: {$ref: "#/components/schemas/WidgetBody"}}}
      responses: {"200": {$ref: "#/components/responses/OneWidget"}}
    put:
      requestBody:
        content: {application/json: {schema: {$ref: "#/components/schemas/WidgetBody"}}}
      responses: {"200": {$ref: "#/components/responses/OneWidget"}}
    delete: {responses: {"204": {description: gone}}}
  /widgets/{widgetId}/cancel:
    parameters: [{name: widgetId, in: path, required: true, schema: {type: string}}]
    post: {responses: {"200": {$ref: "#/components/responses/OneWidget"}}}
  /widgets/{widgetId}/touch:
    parameters: [{name: widgetId, in: path, required: true, schema: {type: string}}]
    post: {responses: {"200": {description: touched, no content}}}
  /widgets/{widgetId}/events:
    parameters: [{name: widgetId, in: path, required: true, schema: {type: string}}]
    get: {responses: {"200": {$ref: "#/components/responses/OneWidget"}}}
  /gadgets:
    post: {responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/Gadget"}}}}}}
    get:
      responses:
        "200":
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Gadget"}}
  /gadgets/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/Gadget"}}}}}}
    delete:
      responses:
        "200":
          content:
            application/json:
              schema: {type: object, required: [deleted], properties: {deleted: {const: true}}}
  /gadgets/{id}/stop:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    post: {responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/Gadget"}}}}}}
  /plains:
    post: {responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/Plain"}}}}}}
    get: {responses: {"200": {content: {application/json: {schema: {type: object, properties: {total: {type: integer}}}}}}}}
  /plains/{plain_id}:
    parameters: [{name: plain_id, in: path, required: true, schema: {type: string}}]
    get: {responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/Plain"}}}}}}
    post: {responses: {"200": {description: no content}}}
  /lonely:
    post: {responses: {"200": {content: {application/json: {schema: {const: made}}}}}}
  /lonely/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    delete: {responses: {"204": {description: gone}}}
"""


async def call(client: Any, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    response = await client.request(method, "/v1" + path, json=body, headers=BEARER)
    if response.content_type == "application/json":
        return response.status, await response.json()
    return response.status, await response.read()


def is_uuid4(text: str) -> bool:
    return uuid.UUID(text).version == 4 and str(uuid.UUID(text)) == text


async def test_a_create_answers_the_resource_with_its_id_fields_and_first_status(
    serve: Any,
) -> None:
    client = await serve(spec=SPEC)
    status, created = await call(client, "POST", "/widgets", {"name": "first", "count": 7})
    assert status == 201
    ident = created["id"]
    assert is_uuid4(ident)
    # The id under every name the path parameter suggests, at every level of nesting.
    assert created["widget_id"] == created["workflow_id"] == created["info"]["widget_id"] == ident
    assert created["info"]["deep"]["id"] == ident
    assert (created["name"], created["count"]) == ("first", 7)
    assert created["status"] == "pending"
    assert created["info"]["status"] == "queued"


async def test_a_fact_that_the_answer_schema_refuses_is_left_out(serve: Any) -> None:
    client = await serve(spec=SPEC)
    _, created = await call(client, "POST", "/widgets", {"name": "big", "size": 50})
    assert created["name"] == "big"
    assert 0 <= created["size"] <= 10  # 50 is over the answer's maximum: not copied


async def test_each_read_moves_the_status_on_by_one_step(serve: Any) -> None:
    client = await serve(spec=SPEC)
    _, created = await call(client, "POST", "/widgets", {"name": "w"})
    ident = created["id"]
    seen = []
    for _ in range(4):
        status, got = await call(client, "GET", f"/widgets/{ident}")
        assert status == 200
        assert (got["id"], got["name"]) == (ident, "w")
        seen.append((got["status"], got["info"]["status"]))
    assert seen == [
        ("running", "active"),
        ("completed", "done"),
        ("completed", "done"),
        ("completed", "done"),
    ]
    # Other reads (an action, the list) do not move it.
    _, events = await call(client, "GET", f"/widgets/{ident}/events")
    assert (events["widget_id"], events["status"]) == (ident, "completed")
    _, listed = await call(client, "GET", "/widgets")
    assert [w["status"] for w in listed["data"]] == ["completed"]


async def test_uppercase_statuses_and_stop_cancels(serve: Any) -> None:
    client = await serve(spec=SPEC)
    status, created = await call(client, "POST", "/gadgets")
    assert (status, created["state"]) == (200, "QUEUED")
    ident = created["id"]
    assert is_uuid4(ident)
    assert (await call(client, "GET", f"/gadgets/{ident}"))[1]["state"] == "IN_PROGRESS"
    assert (await call(client, "GET", f"/gadgets/{ident}"))[1]["state"] == "SUCCEEDED"
    _, stopped = await call(client, "POST", f"/gadgets/{ident}/stop")
    assert (stopped["id"], stopped["state"]) == (ident, "STOPPED")
    assert (await call(client, "GET", f"/gadgets/{ident}"))[1]["state"] == "STOPPED"


async def test_cancel_is_final(serve: Any) -> None:
    client = await serve(spec=SPEC)
    _, created = await call(client, "POST", "/widgets", {"name": "w"})
    ident = created["id"]
    status, cancelled = await call(client, "POST", f"/widgets/{ident}/cancel")
    assert status == 200
    assert (cancelled["id"], cancelled["status"], cancelled["info"]["status"]) == (
        ident,
        "cancelled",
        "stopped",
    )
    for _ in range(2):
        assert (await call(client, "GET", f"/widgets/{ident}"))[1]["status"] == "cancelled"


async def test_updates_change_the_facts_later_answers_carry(serve: Any) -> None:
    client = await serve(spec=SPEC)
    _, created = await call(client, "POST", "/widgets", {"name": "old", "count": 1})
    ident = created["id"]
    status, patched = await call(client, "PATCH", f"/widgets/{ident}", {"name": "new"})
    assert (status, patched["name"], patched["count"]) == (200, "new", 1)
    _, put = await call(client, "PUT", f"/widgets/{ident}", {"count": 5})
    assert (put["name"], put["count"]) == ("new", 5)
    _, got = await call(client, "GET", f"/widgets/{ident}")
    assert (got["name"], got["count"], got["status"]) == ("new", 5, "running")


async def test_the_list_holds_what_was_created_and_not_deleted(serve: Any) -> None:
    client = await serve(spec=SPEC)
    assert await call(client, "GET", "/widgets") == (200, {"object": "list", "data": []})
    idents = []
    for name in ("a", "b", "c"):
        idents.append((await call(client, "POST", "/widgets", {"name": name}))[1]["id"])
    assert len(set(idents)) == 3
    status, listed = await call(client, "GET", "/widgets")
    assert status == 200 and listed["object"] == "list"
    assert [(w["id"], w["name"], w["status"]) for w in listed["data"]] == [
        (idents[0], "a", "pending"),
        (idents[1], "b", "pending"),
        (idents[2], "c", "pending"),
    ]
    assert await call(client, "DELETE", f"/widgets/{idents[1]}") == (204, b"")
    _, listed = await call(client, "GET", "/widgets")
    assert [w["id"] for w in listed["data"]] == [idents[0], idents[2]]


async def test_a_list_answered_as_a_bare_array(serve: Any) -> None:
    client = await serve(spec=SPEC)
    assert await call(client, "GET", "/gadgets") == (200, [])
    ident = (await call(client, "POST", "/gadgets"))[1]["id"]
    _, listed = await call(client, "GET", "/gadgets")
    assert [(g["id"], g["state"]) for g in listed] == [(ident, "QUEUED")]


async def test_a_list_without_an_array_is_its_synthesized_answer(serve: Any) -> None:
    client = await serve(spec=SPEC)
    await call(client, "POST", "/plains")
    status, listed = await call(client, "GET", "/plains")
    assert status == 200 and set(listed) <= {"total"}


async def test_an_unknown_or_deleted_id_is_404(serve: Any) -> None:
    client = await serve(spec=SPEC)
    missing = {
        "error": {
            "message": "No such resource: /widgets/nope",
            "type": "invalid_request_error",
            "param": "widgetId",
            "code": "not_found",
        }
    }
    for method, path in (
        ("GET", "/widgets/nope"),
        ("PATCH", "/widgets/nope"),
        ("DELETE", "/widgets/nope"),
        ("POST", "/widgets/nope/cancel"),
        ("GET", "/widgets/nope/events"),
    ):
        assert await call(client, method, path, {} if method == "PATCH" else None) == (
            404,
            missing,
        )
    ident = (await call(client, "POST", "/gadgets"))[1]["id"]
    assert await call(client, "DELETE", f"/gadgets/{ident}") == (200, {"deleted": True})
    status, gone = await call(client, "GET", f"/gadgets/{ident}")
    assert (status, gone["error"]["message"], gone["error"]["param"]) == (
        404,
        f"No such resource: /gadgets/{ident}",
        "id",
    )


async def test_an_integer_id_in_the_answer_makes_the_ids_the_creates_numbers(
    serve: Any,
) -> None:
    """`Plain.id` is an integer (the path's `plain_id` a string): no room for a UUID, so
    the resources are numbered 1, 2... and reached by that number."""
    client = await serve(spec=SPEC)
    status, created = await call(client, "POST", "/plains")
    assert (status, created["id"]) == (200, 1)
    assert (created["kind"], created["state"]) == ("fixed", "alpha")  # no step fits: kept
    assert (await call(client, "POST", "/plains"))[1]["id"] == 2
    got = await call(client, "GET", "/plains/1")
    assert got == (200, {"id": 1, "kind": "fixed", "state": "alpha"})
    assert (await call(client, "GET", "/plains/2"))[1]["id"] == 2
    assert (await call(client, "GET", "/plains/3"))[0] == 404
    # An action declared without content answers its status, empty.
    assert await call(client, "POST", "/plains/1") == (200, b"")


async def test_a_collection_needs_a_get_of_its_items(serve: Any) -> None:
    client = await serve(spec=SPEC)
    # /lonely has a POST and a /lonely/{id}, but no GET there: not a collection, so its
    # answers are only synthesized, and its DELETE does not look anything up.
    assert await call(client, "POST", "/lonely") == (200, "made")
    assert (await call(client, "DELETE", "/lonely/anything"))[0] == 204


async def test_same_resource_same_answer_other_resources_differ(serve: Any) -> None:
    client = await serve(spec=SPEC)
    first = (await call(client, "POST", "/widgets", {"name": "same"}))[1]
    second = (await call(client, "POST", "/widgets", {"name": "same"}))[1]
    assert first["id"] != second["id"]  # each create is a new resource
    a = (await call(client, "GET", f"/widgets/{first['id']}/events"))[1]
    b = (await call(client, "GET", f"/widgets/{first['id']}/events"))[1]
    assert a == b


async def test_an_update_without_a_body_changes_nothing(serve: Any) -> None:
    client = await serve(spec=SPEC)
    ident = (await call(client, "POST", "/widgets", {"name": "kept"}))[1]["id"]
    response = await client.patch(f"/v1/widgets/{ident}", headers=BEARER)
    assert response.status == 200
    assert (await response.json())["name"] == "kept"


async def test_an_action_declared_without_content_answers_its_status_empty(serve: Any) -> None:
    client = await serve(spec=SPEC)
    ident = (await call(client, "POST", "/widgets", {"name": "w"}))[1]["id"]
    assert await call(client, "POST", f"/widgets/{ident}/touch") == (200, b"")
    assert (await call(client, "GET", f"/widgets/{ident}"))[1]["status"] == "running"


async def test_a_listing_is_the_same_every_time_it_is_read(serve: Any) -> None:
    """The synthesized fields of each listed resource come from that resource, so a client
    polling the list sees stable values, not new random ones on every read."""
    client = await serve(spec=SPEC)
    for name in ("a", "b"):
        await call(client, "POST", "/widgets", {"name": name})
    first = (await call(client, "GET", "/widgets"))[1]
    second = (await call(client, "GET", "/widgets"))[1]
    assert [w["name"] for w in first["data"]] == ["a", "b"]
    assert first == second


SHAPES = """
openapi: 3.1.0
info: {title: job shapes, version: "1"}
servers: [{url: "http://localhost/v1"}]
components:
  schemas:
    Task:
      type: object
      required: [id, status]
      properties:
        id: {type: string}
        status: {type: string, enum: [pending, completed, cancelled]}
        when: {type: string, format: date-time}
    Build:
      type: object
      required: [id, status]
      properties:
        id: {type: string}
        status: {type: string, enum: [queued, running]}
paths:
  /tasks:
    post:
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses: {"201": {content: {application/json: {schema: {$ref: "#/components/schemas/Task"}}}}}
    get:
      responses: {"200": {content: {application/json: {schema: {type: array}}}}}
  /tasks/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get:
      responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/Task"}}}}}
  /tasks/{id}/cancel:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    post:
      responses: {"202": {content: {application/json: {schema: {$ref: "#/components/schemas/Task"}}}}}
  /tasks/{id}/reset:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    post:
      responses: {"205": {content: {application/json: {schema: {$ref: "#/components/schemas/Task"}}}}}
  /builds:
    post:
      responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/Build"}}}}}
    get:
      responses:
        "200":
          content:
            application/json:
              schema: {type: object, required: [data], properties: {data: {type: array}}}
  /builds/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get:
      responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/Build"}}}}}
  /notes:
    post: {responses: {default: {description: anything}}}
    get: {responses: {"200": {content: {application/json: {schema: {type: object}}}}}}
  /notes/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {responses: {"200": {description: a note, no content}}}
  /pings:
    post: {responses: {"201": {description: created, no content}}}
    get:
      responses:
        "200":
          content:
            application/json:
              schema: {type: array, items: {type: object, properties: {id: {type: string}}}}
  /pings/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {responses: {"200": {description: a ping, no content}}}
"""


async def test_without_a_running_status_the_first_read_stays_pending(serve: Any) -> None:
    """A status never skips a step: where the schema has no name for the step reached, the
    resource keeps the last step it has a name for."""
    client = await serve(spec=SHAPES)
    _, created = await call(client, "POST", "/tasks")
    ident = created["id"]
    assert created["status"] == "pending"
    seen = [(await call(client, "GET", f"/tasks/{ident}"))[1]["status"] for _ in range(3)]
    assert seen == ["pending", "completed", "completed"]


async def test_without_a_completed_status_a_resource_stays_running(serve: Any) -> None:
    client = await serve(spec=SHAPES)
    _, created = await call(client, "POST", "/builds")
    ident = created["id"]
    assert created["status"] == "queued"
    seen = [(await call(client, "GET", f"/builds/{ident}"))[1]["status"] for _ in range(3)]
    assert seen == ["running", "running", "running"]


async def test_an_action_answers_the_status_its_operation_declares(serve: Any) -> None:
    client = await serve(spec=SHAPES)
    status, created = await call(client, "POST", "/tasks")
    assert status == 201
    status, cancelled = await call(client, "POST", f"/tasks/{created['id']}/cancel")
    assert (status, cancelled["id"], cancelled["status"]) == (202, created["id"], "cancelled")


async def test_an_action_answering_205_sends_no_content_even_where_declared(serve: Any) -> None:
    """RFC 9110 (15.3.6): no content with 205 Reset Content (aiohttp empties only 204)."""
    client = await serve(spec=SHAPES)
    _, created = await call(client, "POST", "/tasks")
    assert await call(client, "POST", f"/tasks/{created['id']}/reset") == (205, b"")


async def test_a_request_field_the_answers_format_refuses_is_not_copied(serve: Any) -> None:
    client = await serve(spec=SHAPES)
    _, created = await call(client, "POST", "/tasks", {"when": "next tuesday"})
    assert created["when"] != "next tuesday"  # not a date-time: the synthesized one stays
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d.*", created["when"])
    _, kept = await call(client, "POST", "/tasks", {"when": "2026-11-26T10:00:00Z"})
    assert kept["when"] == "2026-11-26T10:00:00Z"


async def test_each_collection_keeps_its_own_resources(serve: Any) -> None:
    client = await serve(spec=SHAPES)
    task = (await call(client, "POST", "/tasks"))[1]["id"]
    build = (await call(client, "POST", "/builds"))[1]["id"]
    assert (await call(client, "GET", f"/builds/{task}"))[0] == 404
    assert (await call(client, "GET", f"/tasks/{build}"))[0] == 404
    listed = (await call(client, "GET", "/builds"))[1]["data"]
    assert len(listed) == 1  # the build only, not the task


async def test_lists_whose_items_have_no_schema_still_hold_one_item_per_resource(
    serve: Any,
) -> None:
    client = await serve(spec=SHAPES)
    for _ in range(2):
        await call(client, "POST", "/tasks")
        await call(client, "POST", "/builds")
    status, tasks = await call(client, "GET", "/tasks")  # a bare array without items
    assert status == 200 and isinstance(tasks, list) and len(tasks) == 2
    status, builds = await call(client, "GET", "/builds")  # {data: array without items}
    assert status == 200 and len(builds["data"]) == 2


async def test_creates_and_lists_without_json_answers_still_work(serve: Any) -> None:
    """A create declaring only a ``default`` answer, or a 201 without content, still stores the
    resource; a list whose schema names no property answers its synthesized object."""
    client = await serve(spec=SHAPES)
    assert (await call(client, "POST", "/notes"))[0] == 200
    status, notes = await call(client, "GET", "/notes")
    assert status == 200 and isinstance(notes, dict)
    assert await call(client, "POST", "/pings") == (201, {})
    status, pings = await call(client, "GET", "/pings")
    assert status == 200 and len(pings) == 1


# A resource's synthesized fields (its creation time, its seed...) are chosen once: what one
# answer shows, every later answer with a field of that name shows too, whichever operation
# answers and however its schema nests the resource (a create answering `{job: ...}`).
ONCE = """
openapi: 3.1.0
info: {title: fields chosen once, version: "1"}
servers: [{url: "http://localhost/v1"}]
components:
  schemas:
    Job:
      type: object
      required: [id, status, created_at, seed, owner, settings]
      properties:
        id: {type: string}
        status: {type: string, enum: [pending, running, completed, cancelled]}
        created_at: {type: string, format: date-time}
        seed: {type: integer, minimum: 0, maximum: 1000000000}
        settings:
          type: object
          required: [seed]
          properties: {seed: {type: integer, minimum: 0, maximum: 1000000000}}
        stage:
          type: object
          required: [status]
          properties: {status: {type: string, enum: [pending, running, completed]}}
        owner:
          type: object
          required: [key]
          properties: {key: {type: string, format: uuid}}
    Finished:
      type: object
      required: [id, finished_at]
      properties:
        id: {type: string}
        finished_at: {type: string, format: date-time}
        created_at: {type: integer, minimum: 0}
paths:
  /jobs:
    post:
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses:
        "201":
          content:
            application/json:
              schema:
                type: object
                required: [job]
                properties: {job: {$ref: "#/components/schemas/Job"}}
    get:
      responses:
        "200":
          content:
            application/json:
              schema:
                type: object
                required: [data]
                properties:
                  data:
                    type: array
                    items:
                      allOf:
                        - $ref: "#/components/schemas/Job"
                        - type: object
                          required: [finished_at]
                          properties: {finished_at: {type: string, format: date-time}}
  /jobs/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get:
      responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/Job"}}}}}
  /jobs/{id}/cancel:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    post:
      responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/Job"}}}}}
  /jobs/{id}/restart:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    post:
      responses:
        "200":
          content:
            application/json:
              schema:
                type: object
                required: [restarted]
                properties: {restarted: {$ref: "#/components/schemas/Job"}}
  /jobs/{id}/finished:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get:
      responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/Finished"}}}}}
"""

# `settings.seed` is not `seed`: a nested field keeps its own value.
FIXED = ("created_at", "seed", "owner", "settings")


def fixed(job: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(job[name] for name in FIXED)


async def test_a_resources_synthesized_fields_are_the_same_in_every_answer(serve: Any) -> None:
    client = await serve(spec=ONCE)
    status, created = await call(client, "POST", "/jobs", {"name": "n"})
    assert status == 201
    job = created["job"]
    ident = job["id"]
    for _ in range(3):
        _, got = await call(client, "GET", f"/jobs/{ident}")
        assert got["id"] == ident and fixed(got) == fixed(job)
    _, listed = await call(client, "GET", "/jobs")
    assert [(item["id"], fixed(item)) for item in listed["data"]] == [(ident, fixed(job))]
    _, cancelled = await call(client, "POST", f"/jobs/{ident}/cancel")
    assert cancelled["status"] == "cancelled" and fixed(cancelled) == fixed(job)
    # A field of the same name the schema types differently keeps its own value.
    _, finished = await call(client, "GET", f"/jobs/{ident}/finished")
    assert isinstance(finished["created_at"], int)
    assert finished["finished_at"] == listed["data"][0]["finished_at"]


async def test_a_field_first_shown_after_the_create_keeps_that_value(serve: Any) -> None:
    """`finished_at` is not in the create's answer: the first answer that shows it chooses
    it, whether that is the list or the item's own answer; later answers repeat it."""
    client = await serve(spec=ONCE)
    first = (await call(client, "POST", "/jobs", {"name": "a"}))[1]["job"]["id"]
    _, shown = await call(client, "GET", f"/jobs/{first}/finished")
    second = (await call(client, "POST", "/jobs", {"name": "b"}))[1]["job"]["id"]
    _, listed = await call(client, "GET", "/jobs")
    by_id = {item["id"]: item["finished_at"] for item in listed["data"]}
    assert by_id[first] == shown["finished_at"]
    _, later = await call(client, "GET", f"/jobs/{second}/finished")
    assert later["finished_at"] == by_id[second]


async def test_fields_are_the_same_where_an_answer_nests_the_resource_under_a_new_name(
    serve: Any,
) -> None:
    client = await serve(spec=ONCE)
    job = (await call(client, "POST", "/jobs", {"name": "n"}))[1]["job"]
    flat = (await call(client, "GET", f"/jobs/{job['id']}"))[1]
    _, answer = await call(client, "POST", f"/jobs/{job['id']}/restart")
    restarted = answer["restarted"]
    assert restarted["id"] == job["id"]
    assert fixed(restarted) == fixed(flat) == fixed(job)


async def test_a_status_without_a_cancelled_name_stays_at_the_step_reached(serve: Any) -> None:
    """`stage.status` has no name for cancelled: after a cancel it keeps the step the
    resource had reached (not the create's, nor a later one), while `status` says cancelled."""
    client = await serve(spec=ONCE)
    job = (await call(client, "POST", "/jobs", {"name": "n"}))[1]["job"]
    got = (await call(client, "GET", f"/jobs/{job['id']}"))[1]
    assert got["stage"]["status"] == "running"
    _, cancelled = await call(client, "POST", f"/jobs/{job['id']}/cancel")
    assert (cancelled["status"], cancelled["stage"]["status"]) == ("cancelled", "running")
    for _ in range(2):
        got = (await call(client, "GET", f"/jobs/{job['id']}"))[1]
        assert (got["status"], got["stage"]["status"]) == ("cancelled", "running")
    listed = (await call(client, "GET", "/jobs"))[1]["data"]
    assert [(item["status"], item["stage"]["status"]) for item in listed] == [
        ("cancelled", "running")
    ]


async def test_the_same_requests_to_a_new_server_get_the_same_answers(serve: Any) -> None:
    """mock-server.md: the same request always gets the same answer; that holds for the
    fields the list shows first (`finished_at`) and those an item's own answer shows first
    (its integer `created_at`), from one server run to the next."""
    runs = []
    for _ in range(2):
        client = await serve(spec=ONCE)
        job = (await call(client, "POST", "/jobs", {"name": "n"}))[1]["job"]
        listed = (await call(client, "GET", "/jobs"))[1]
        finished = (await call(client, "GET", f"/jobs/{job['id']}/finished"))[1]
        runs.append((job, listed, finished))
    assert runs[0] == runs[1]


async def test_two_creates_of_the_same_request_are_two_resources_with_their_own_fields(
    serve: Any,
) -> None:
    client = await serve(spec=ONCE)
    one = (await call(client, "POST", "/jobs", {"name": "same"}))[1]["job"]
    two = (await call(client, "POST", "/jobs", {"name": "same"}))[1]["job"]
    assert one["id"] != two["id"]
    assert all(one[name] != two[name] for name in FIXED)
    for job in (one, two):
        assert fixed((await call(client, "GET", f"/jobs/{job['id']}"))[1]) == fixed(job)


EXAMPLE = """
openapi: 3.1.0
info: {title: an example answer, version: "1"}
servers: [{url: "http://localhost/v1"}]
components:
  schemas:
    Note:
      type: object
      required: [id, title]
      properties:
        id: {type: string}
        title: {type: string}
        about: {type: object, properties: {title: {type: string}}}
paths:
  /notes:
    post:
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses:
        "200":
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Note"}
              example: {id: note-1, title: from the example, about: {title: from the example}}
  /notes/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/Note"}}}}}}
"""


async def test_the_specs_example_answer_is_not_changed_by_a_resources_facts(serve: Any) -> None:
    """Each create's answer starts from the spec's example; one resource's facts (its
    title, its id) never leak into the answer about the next."""
    client = await serve(spec=EXAMPLE)
    first = (await call(client, "POST", "/notes", {"title": "mine"}))[1]
    second = (await call(client, "POST", "/notes", {}))[1]
    assert first["title"] == first["about"]["title"] == "mine"
    assert second["title"] == second["about"]["title"] == "from the example"
    assert (await call(client, "GET", f"/notes/{second['id']}"))[1]["title"] == "from the example"


UNIONS = """
openapi: 3.1.0
info: {title: a resource answered as a union, version: "1"}
servers: [{url: "http://localhost/v1"}]
components:
  schemas:
    Lora:
      type: object
      required: [id, kind, size]
      properties: {id: {type: string}, kind: {const: lora}, size: {enum: [small]}}
    Full:
      type: object
      required: [id, kind, size]
      properties: {id: {type: string}, kind: {const: full}, size: {enum: [large]}}
paths:
  /trainings:
    post:
      responses:
        "200":
          content:
            application/json:
              schema:
                oneOf: [{$ref: "#/components/schemas/Full"}, {$ref: "#/components/schemas/Lora"}]
  /trainings/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get:
      responses:
        "200":
          content:
            application/json:
              schema:
                oneOf: [{$ref: "#/components/schemas/Lora"}, {$ref: "#/components/schemas/Full"}]
"""


async def test_a_resource_answered_as_a_union_stays_the_branch_it_was_created_as(
    serve: Any,
) -> None:
    """The create answers the first branch of its union (full), the retrieve would answer
    its own first branch (lora): `kind` and `size` are only valid together, so they are
    recalled together and the training stays full."""
    client = await serve(spec=UNIONS)
    _, created = await call(client, "POST", "/trainings")
    assert (created["kind"], created["size"]) == ("full", "large")
    _, got = await call(client, "GET", f"/trainings/{created['id']}")
    assert (got["id"], got["kind"], got["size"]) == (created["id"], "full", "large")


INTEGER_IDS = """
openapi: 3.1.0
info: {title: integer ids, version: "1"}
servers: [{url: "http://localhost/v1"}]
components:
  schemas:
    Run:
      type: object
      required: [id, status]
      properties:
        id: {type: integer, minimum: 1}
        status: {type: string, enum: [queued, running, succeeded, cancelled]}
        note: {type: string}
  parameters:
    RunId: {name: run_id, in: path, required: true, schema: {type: integer}}
paths:
  /runs:
    post:
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses: {"201": {content: {application/json: {schema: {$ref: "#/components/schemas/Run"}}}}}
    get:
      responses:
        "200":
          content:
            application/json:
              schema:
                type: object
                required: [runs]
                properties: {runs: {type: array, items: {$ref: "#/components/schemas/Run"}}}
  /runs/{run_id}:
    parameters: [{$ref: "#/components/parameters/RunId"}]
    get: {responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/Run"}}}}}}
    delete: {responses: {"204": {description: gone}}}
  /runs/{run_id}/cancel:
    parameters: [{$ref: "#/components/parameters/RunId"}]
    post: {responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/Run"}}}}}}
  /labels:
    post: {responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/Label"}}}}}}
  /labels/{label_id}:
    parameters: [{name: label_id, in: path, required: true, schema: {type: integer}}]
    get: {responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/Label"}}}}}}
"""

# Label: the path types its id as an integer, the answer names none.
INTEGER_IDS = INTEGER_IDS.replace(
    "  parameters:\n",
    "    Label: {type: object, required: [text], properties: {text: {type: string}}}\n"
    "  parameters:\n",
)


async def test_integer_ids_are_reached_by_the_number_the_path_gives(serve: Any) -> None:
    """The spec types `run_id` and `Run.id` as integers: a create answers the number a
    later call's path gives (`7`, or `007`, finds the resource created as 7)."""
    client = await serve(spec=INTEGER_IDS)
    numbers = []
    for note in ("one", "two", "three", "four", "five", "six", "seven"):
        status, created = await call(client, "POST", "/runs", {"note": note})
        assert status == 201 and created["note"] == note
        numbers.append(created["id"])
    assert numbers == [1, 2, 3, 4, 5, 6, 7]
    for path, step in (("/runs/7", "running"), ("/runs/007", "succeeded")):
        status, got = await call(client, "GET", path)
        assert (status, got["id"], got["note"], got["status"]) == (200, 7, "seven", step)
    _, cancelled = await call(client, "POST", "/runs/7/cancel")
    assert (cancelled["id"], cancelled["status"]) == (7, "cancelled")
    assert (await call(client, "DELETE", "/runs/3"))[0] == 204
    _, listed = await call(client, "GET", "/runs")
    assert [(run["id"], run["note"]) for run in listed["runs"]] == [
        (n, note)
        for n, note in enumerate(("one", "two", "three", "four", "five", "six", "seven"), 1)
        if n != 3
    ]
    assert (await call(client, "GET", "/runs/3"))[0] == 404
    assert (await call(client, "GET", "/runs/8"))[0] == 404
    # The next create is 8: a deleted number is not given again.
    assert (await call(client, "POST", "/runs", {}))[1]["id"] == 8
    # A path that is not an integer is refused by the parameter's schema.
    status, refused = await call(client, "GET", "/runs/seven")
    assert (status, refused["error"]["param"]) == (400, "run_id")


async def test_an_integer_path_parameter_alone_numbers_the_resources(serve: Any) -> None:
    client = await serve(spec=INTEGER_IDS)
    for _ in range(2):
        assert (await call(client, "POST", "/labels"))[0] == 200
    assert (await call(client, "GET", "/labels/2"))[0] == 200
    assert (await call(client, "GET", "/labels/3"))[0] == 404


async def test_a_status_two_levels_deep_follows_the_resources_state(serve: Any) -> None:
    """The create answers `{job: {stage: {status}}}`: `job.stage.status` is the first step,
    as `job.status` is, and moves on with the job as it is read."""
    client = await serve(spec=ONCE)
    for _ in range(3):  # several creates: none keeps a synthesized step
        job = (await call(client, "POST", "/jobs", {"name": "n"}))[1]["job"]
        assert (job["status"], job["stage"]["status"]) == ("pending", "pending")
    got = (await call(client, "GET", f"/jobs/{job['id']}"))[1]
    assert (got["status"], got["stage"]["status"]) == ("running", "running")
    _, answer = await call(client, "POST", f"/jobs/{job['id']}/restart")
    assert (answer["restarted"]["status"], answer["restarted"]["stage"]["status"]) == (
        "running",
        "running",
    )


async def test_a_fine_tunes_scheduler_follows_the_request_two_levels_deep(serve: Any) -> None:
    """openapi.yaml: `lr_scheduler.lr_scheduler_args` is a oneOf of linear (`min_lr_ratio`)
    and cosine (`min_lr_ratio`, `num_cycles`) arguments; cosine ones fit both branches, so
    the answer's schema refuses them whole. The answer still carries what it can hold of
    the request: the scheduler's type, and its `min_lr_ratio` one level further down."""
    client = await serve()
    scheduler = {
        "lr_scheduler_type": "cosine",
        "lr_scheduler_args": {"min_lr_ratio": 0.125, "num_cycles": 0.5},
    }
    body = {"training_file": "file-abc", "model": "m", "lr_scheduler": scheduler}
    status, created = await call(client, "POST", "/fine-tunes", body)
    assert status == 200
    for _ in range(2):
        _, got = await call(client, "GET", f"/fine-tunes/{created['id']}")
        assert got["lr_scheduler"]["lr_scheduler_type"] == "cosine"
        assert got["lr_scheduler"]["lr_scheduler_args"]["min_lr_ratio"] == 0.125
    # Linear arguments fit one branch: taken whole.
    linear = {"lr_scheduler_type": "linear", "lr_scheduler_args": {"min_lr_ratio": 0.25}}
    _, created = await call(client, "POST", "/fine-tunes", {**body, "lr_scheduler": linear})
    _, got = await call(client, "GET", f"/fine-tunes/{created['id']}")
    assert got["lr_scheduler"] == linear


async def test_a_request_field_of_another_shape_than_the_answers_is_left_out(serve: Any) -> None:
    """`owner` is an object in the answer, `seed` an integer: a request giving text for the
    one and an object for the other changes neither (nor fails)."""
    client = await serve(spec=ONCE)
    body = {"name": "n", "owner": "someone", "seed": {"T": 1}, "created_at": {"T": "x"}}
    status, created = await call(client, "POST", "/jobs", body)
    assert status == 201
    job = created["job"]
    assert isinstance(job["owner"], dict) and is_uuid4(job["owner"]["key"])
    assert isinstance(job["seed"], int)
    assert isinstance(job["created_at"], str) and job["created_at"].endswith("Z")


BARE = """
openapi: 3.1.0
info: {title: a create answering text, version: "1"}
servers: [{url: "http://localhost/v1"}]
paths:
  /tokens:
    post: {responses: {"200": {content: {application/json: {schema: {type: string, minLength: 3}}}}}}
  /tokens/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {responses: {"200": {content: {application/json: {schema: {type: string}}}}}}
"""


async def test_a_create_answering_text_answers_it_as_synthesized(serve: Any) -> None:
    client = await serve(spec=BARE)
    status, created = await call(client, "POST", "/tokens")
    assert status == 200 and isinstance(created, str) and len(created) >= 3


SCHEMA_EXAMPLE = """
openapi: 3.1.0
info: {title: a nested schema example, version: "1"}
servers: [{url: "http://localhost/v1"}]
components:
  schemas:
    Note:
      type: object
      required: [id, title, about]
      properties:
        id: {type: string}
        title: {type: string}
        about:
          type: object
          properties: {title: {type: string}}
          example: {title: from the example}
paths:
  /notes:
    post:
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/Note"}}}}}
  /notes/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {responses: {"200": {content: {application/json: {schema: {$ref: "#/components/schemas/Note"}}}}}}
"""


async def test_a_nested_schema_example_is_not_changed_by_a_resources_facts(serve: Any) -> None:
    """`about` is synthesized from its schema's own example: the first note's title goes
    into its `about`, never into the example the second note's `about` is built from."""
    client = await serve(spec=SCHEMA_EXAMPLE)
    first = (await call(client, "POST", "/notes", {"title": "mine"}))[1]
    second = (await call(client, "POST", "/notes", {}))[1]
    assert first["about"] == {"title": "mine"}
    assert second["about"] == {"title": "from the example"}


PARAM_KINDS = """
openapi: 3.1.0
info: {title: path parameters of several kinds, version: "1"}
servers: [{url: "http://localhost/v1"}]
components:
  schemas:
    Thing: {type: object, required: [id], properties: {id: {type: string}}}
    Box: {type: object, required: [text], properties: {text: {type: string}}}
  responses:
    Thing: {description: a thing, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}
    Box: {description: a box, content: {application/json: {schema: {$ref: "#/components/schemas/Box"}}}}
paths:
  /ints/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
    get: {responses: {"200": {$ref: "#/components/responses/Box"}}}
  /strs:
    post: {responses: {"200": {$ref: "#/components/responses/Thing"}}}
  /strs/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {responses: {"200": {$ref: "#/components/responses/Thing"}}}
  /nullables:
    post: {responses: {"200": {$ref: "#/components/responses/Box"}}}
  /nullables/{box_id}:
    parameters: [{name: box_id, in: path, required: true, schema: {type: integer, nullable: true}}]
    get: {responses: {"200": {$ref: "#/components/responses/Box"}}}
  /anys:
    post: {responses: {"200": {$ref: "#/components/responses/Thing"}}}
  /anys/{any_id}:
    parameters: [{name: any_id, in: path, required: true, schema: {}}]
    get: {responses: {"200": {$ref: "#/components/responses/Thing"}}}
  /undeclared:
    post: {responses: {"200": {$ref: "#/components/responses/Thing"}}}
  /undeclared/{u_id}:
    get: {responses: {"200": {$ref: "#/components/responses/Thing"}}}
"""


async def test_only_the_item_paths_own_integer_parameter_makes_integer_ids(serve: Any) -> None:
    """`/ints/{id}` types another path's `id` as an integer: `/strs` keeps UUIDs. An
    integer that may be null (OpenAPI 3.0's `nullable`) is an integer; a parameter of any
    type, or one the spec does not declare, is not."""
    client = await serve(spec=PARAM_KINDS)
    for collection in ("/strs", "/anys", "/undeclared"):
        status, created = await call(client, "POST", collection)
        assert status == 200 and is_uuid4(created["id"]), (collection, created)
    _, thing = await call(client, "POST", "/strs")
    assert (await call(client, "GET", f"/strs/{thing['id']}"))[1] == {"id": thing["id"]}
    for _ in range(2):
        assert (await call(client, "POST", "/nullables"))[0] == 200
    assert (await call(client, "GET", "/nullables/2"))[0] == 200
    assert (await call(client, "GET", "/nullables/3"))[0] == 404


NESTED_POST = """
openapi: 3.1.0
info: {title: a POST under an item, version: "1"}
servers: [{url: "http://localhost/v1"}]
components:
  schemas:
    Thing: {type: object, required: [id], properties: {id: {type: string}}}
  responses:
    Thing: {description: a thing, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}
paths:
  /sessions:
    post: {responses: {"200": {$ref: "#/components/responses/Thing"}}}
  /sessions/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {responses: {"200": {$ref: "#/components/responses/Thing"}}}
  /sessions/{id}/samples:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    post: {responses: {"200": {$ref: "#/components/responses/Thing"}}}
  /sessions/{id}/samples/{sample_id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
      - {name: sample_id, in: path, required: true, schema: {type: string}}
    get: {responses: {"200": {$ref: "#/components/responses/Thing"}}}
"""


async def test_a_post_under_an_item_is_an_action_on_that_item(serve: Any) -> None:
    """As Together's RL sessions' `.../operations/sample` (with a GET of
    `.../sample/{operation_id}` below it): not a collection of its own, so it needs the
    session to exist."""
    client = await serve(spec=NESTED_POST)
    assert (await call(client, "POST", "/sessions/nope/samples"))[0] == 404
    _, session = await call(client, "POST", "/sessions")
    status, sample = await call(client, "POST", f"/sessions/{session['id']}/samples")
    assert (status, sample["id"]) == (200, session["id"])
