"""GET /fine-tunes/models/limits (docs/mock-server.md, "Real semantics"): sensible limits
for full and LoRA training, for the model asked about, wherever the schema takes them."""

from __future__ import annotations

from typing import Any

BEARER = {"Authorization": "Bearer any-token"}

#: docs/mock-server.md's figures.
FIGURES = {
    "max_num_epochs": 20,
    "max_num_evals": 100,
    "max_learning_rate": 1.0,
    "min_learning_rate": 1e-6,
    "supports_vision": False,
    "supports_tools": True,
    "supports_reasoning": False,
    "merge_output_lora": True,
    "full_training": {"max_batch_size": 96, "max_batch_size_dpo": 48, "min_batch_size": 8},
    "lora_training": {
        "max_batch_size": 128,
        "max_batch_size_dpo": 64,
        "min_batch_size": 8,
        "max_rank": 64,
        "default_rank": 16,
        "target_modules": [
            "q_proj",
            "k_proj",
            "v_proj",
            "o_proj",
            "gate_proj",
            "up_proj",
            "down_proj",
        ],
    },
    "min_max_seq_length": 512,
    "max_seq_length_sft": 131072,
    "max_seq_length_dpo": 65536,
}


async def limits(client: Any, model: str) -> tuple[int, Any]:
    response = await client.get(
        "/v1/fine-tunes/models/limits", params={"model_name": model}, headers=BEARER
    )
    return response.status, await response.json()


async def test_the_limits_are_the_documented_figures_for_the_model_asked_about(
    serve: Any,
) -> None:
    client = await serve()
    for model in ("meta-llama/Meta-Llama-3.1-8B-Instruct-Reference", "org/other"):
        assert await limits(client, model) == (200, {"model_name": model, **FIGURES})


NARROW = """
openapi: 3.1.0
info: {title: narrow limits, version: "1"}
servers: [{url: "http://localhost/v1"}]
paths:
  /fine-tunes/models/limits:
    get:
      parameters: [{name: model_name, in: query, required: true, schema: {type: string, maxLength: 3}}]
      responses:
        "200":
          content:
            application/json:
              schema:
                type: object
                additionalProperties: false
                required: [model_name, max_num_epochs]
                properties:
                  model_name: {type: string, format: email}
                  max_num_epochs: {type: integer, maximum: 5}
                  max_num_evals: {type: integer}
                  lora_training:
                    type: object
                    additionalProperties: false
                    properties: {max_rank: {type: integer}}
"""


async def test_a_figure_the_schema_refuses_keeps_its_synthesized_value(serve: Any) -> None:
    """20 epochs is over this schema's maximum, the model asked about is not the email its
    format asks for, `lora_training` has no room for the other figures, and the rest are not
    properties at all: only what fits is given."""
    client = await serve(spec=NARROW)
    status, got = await limits(client, "abc")
    assert status == 200
    assert set(got) <= {"model_name", "max_num_epochs", "max_num_evals", "lora_training"}
    assert got["max_num_evals"] == 100
    assert got["model_name"] != "abc" and "@" in got["model_name"]
    assert 0 <= got["max_num_epochs"] <= 5
    assert got["lora_training"] != FIGURES["lora_training"]
