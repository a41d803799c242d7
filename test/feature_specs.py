"""Small inline specs shared by the generator's tests: those of test_spec_features.py
(each spec feature of Together's real specs) and test_media_features.py (streams, uploads,
downloads), which test_decode_option.py and test_package_shape.py generate too. A module of
their own so that every importer, and mypy, finds them by one name."""

from __future__ import annotations

HEAD = """
openapi: 3.1.0
info: {title: Features, version: "1"}
servers: [{url: "https://features.example/v2"}]
"""

ENUMS_AND_DEFAULTS = (
    HEAD
    + """
paths:
  /levels:
    get:
      operationId: getLevels
      tags: [Levels]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Settings"}
components:
  schemas:
    Level:
      type: string
      enum: [null, info, warning]
    Mixed:
      enum: [1, "two", true]
    Settings:
      type: object
      properties:
        level: {$ref: "#/components/schemas/Level"}
        mixed: {$ref: "#/components/schemas/Mixed"}
        rate: {type: number, default: "0.2"}
        steps: {type: integer, format: int32, default: "20"}
        whole: {type: integer, default: 3.0}
        flag: {type: boolean, default: "true"}
        kind: {type: string, enum: [a, b], default: b}
        level_default: {$ref: "#/components/schemas/Level2"}
    Level2:
      type: string
      enum: [low, high]
      default: high
"""
)

RECURSIVE = (
    HEAD
    + """
paths:
  /trees:
    get:
      operationId: getTree
      tags: [Trees]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Tree"}
  /pairs:
    get:
      operationId: getPair
      tags: [Trees]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Left"}
components:
  schemas:
    Tree:
      type: object
      required: [value]
      properties:
        value: {type: integer}
        children: {type: array, items: {$ref: "#/components/schemas/Tree"}}
    Left:
      type: object
      properties:
        right: {$ref: "#/components/schemas/Right"}
        name: {type: string}
    Right:
      type: object
      properties:
        next: {$ref: "#/components/schemas/Either"}
    Either:
      oneOf:
        - $ref: "#/components/schemas/Left"
        - type: string
"""
)

REQUIRED_ALTERNATIVES = (
    HEAD
    + """
paths:
  /images:
    post:
      operationId: makeImage
      tags: [Images]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties:
                prompt: {type: string}
                image_url: {type: string}
              anyOf:
                - required: [prompt]
                - required: [image_url]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [index]
                properties:
                  index: {type: integer}
                  b64_json: {type: string}
                  url: {type: string}
                oneOf:
                  - required: [b64_json]
                  - required: [url]
"""
)

COLLISIONS = (
    HEAD
    + """
paths:
  /endpoints:
    get:
      operationId: listEndpoints
      tags: [Endpoints]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/RL.Thing"}}}}
    post:
      operationId: createEndpoint
      tags: [endpoints]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/RLThing"}}}}
  /endpoints/{id}:
    delete:
      operationId: deleteEndpoint
      tags: [endpoints]
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "204": {description: gone}
components:
  schemas:
    RL.Thing: {type: object, properties: {dotted: {type: string}}}
    RLThing: {type: object, properties: {plain: {type: integer}}}
"""
)

DISCRIMINATED = (
    HEAD
    + """
paths:
  /shapes:
    get:
      operationId: getShape
      tags: [Shapes]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Holder"}
components:
  schemas:
    Holder:
      type: object
      properties:
        shape: {$ref: "#/components/schemas/Shape"}
    Shape:
      oneOf:
        - $ref: "#/components/schemas/Circle"
        - $ref: "#/components/schemas/Square"
      discriminator:
        propertyName: kind
        mapping:
          round: "#/components/schemas/Circle"
          boxy: "#/components/schemas/Square"
    Circle:
      type: object
      required: [kind]
      properties:
        kind: {type: string}
        size: {type: number}
    Square:
      type: object
      required: [kind]
      properties:
        kind: {type: string}
        size: {type: number}
"""
)

SEVERAL_SUCCESSES = (
    HEAD
    + """
paths:
  /jobs:
    post:
      operationId: startJob
      tags: [Jobs]
      responses:
        "200":
          description: done at once
          content: {application/json: {schema: {$ref: "#/components/schemas/Done"}}}
        "202":
          description: accepted, still running
          content: {application/json: {schema: {$ref: "#/components/schemas/Pending"}}}
        "204": {description: nothing to do}
components:
  schemas:
    Done: {type: object, required: [result], properties: {result: {type: string}}}
    Pending: {type: object, required: [eta], properties: {eta: {type: integer}}}
"""
)

MEDIA_SPEC = """
openapi: 3.1.0
info: {title: Media, version: "1"}
servers: [{url: "https://media.example/v1"}]
paths:
  /chat:
    post:
      operationId: chat
      tags: [Chat]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ChatRequest"}
      responses:
        "200":
          description: a whole answer, or a stream of chunks
          content:
            application/json:
              schema: {$ref: "#/components/schemas/ChatAnswer"}
            text/event-stream:
              schema: {$ref: "#/components/schemas/ChatStream"}
  /events:
    get:
      operationId: events
      tags: [Chat]
      responses:
        "200":
          description: only a stream, of plain chunks
          content:
            text/event-stream:
              schema: {$ref: "#/components/schemas/Tick"}
  /files/{id}/content:
    get:
      operationId: fileContent
      tags: [Files]
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: the bytes
          content:
            application/octet-stream:
              schema: {type: string, format: binary}
  /files/{id}/text:
    get:
      operationId: fileText
      tags: [Files]
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: the text
          content:
            text/plain:
              schema: {type: string}
  /files:
    post:
      operationId: upload
      tags: [Files]
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file, purpose]
              properties:
                file: {type: string, format: binary}
                purpose: {type: string}
      responses:
        "200":
          description: stored
          content:
            application/json:
              schema: {type: object, properties: {id: {type: string}}}
  /live:
    get:
      operationId: live
      tags: [Chat]
      responses:
        "101": {description: switching to a WebSocket}
components:
  schemas:
    ChatRequest:
      type: object
      required: [prompt]
      properties:
        prompt: {type: string}
        stream: {type: boolean}
    ChatAnswer:
      type: object
      required: [text]
      properties:
        text: {type: string}
    ChatChunk:
      type: object
      required: [delta]
      properties:
        delta: {type: string}
    ChatEvent:
      type: object
      required: [data]
      properties:
        data: {$ref: "#/components/schemas/ChatChunk"}
    Sentinel:
      type: object
      required: [data]
      properties:
        data: {type: string, enum: ["[DONE]"]}
    ChatStream:
      oneOf:
        - $ref: "#/components/schemas/ChatEvent"
        - $ref: "#/components/schemas/Sentinel"
    Tick:
      type: object
      required: [n]
      properties:
        n: {type: integer}
"""
