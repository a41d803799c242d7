"""GET /fine-tunes/models/limits: sensible limits for fine-tuning any model, full and LoRA.

The spec names the answer's fields (``FineTuneModelLimits``) but gives no values, so a
synthesized answer has random ones (a minimum batch size above its maximum). The official
SDK's ``fine_tuning.create`` reads these limits before it sends anything: a LoRA rank when
none is given, the batch size bounds of the training type, sequence lengths. So the answer
carries the figures below wherever the operation's schema takes them; every other field
stays synthesized.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from together.mock.answers import json_answer
from together.mock.context import Call

__all__ = ["LIMITS", "model_limits"]

#: The figures, for any model (about those of an 8B instruct model).
LIMITS: dict[str, Any] = {
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
        # Read by the SDK (the rank of a LoRA fine-tune that names none); newer than
        # Together's 2026-04 spec, whose schema takes it as an extra property.
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
    # Read by the SDK when a fine-tune gives max_seq_length; newer than the spec too.
    "min_max_seq_length": 512,
    "max_seq_length_sft": 131072,
    "max_seq_length_dpo": 65536,
}


async def model_limits(call: Call) -> web.StreamResponse:
    """The synthesized answer with :data:`LIMITS` and the model asked about, each where the
    answer stays valid against the operation's schema."""
    answer = call.synthesized()
    media = call.operation.responses[call.operation.success_status]["application/json"]
    validator = call.state.api.validator(media.pointer, formats=True)
    figures = {**LIMITS, "model_name": call.query.get("model_name")}
    for key, value in figures.items():
        candidate = {**answer, key: value}  # sent at once, never changed: no copy
        if validator.is_valid(candidate):
            answer = candidate
    return json_answer(answer)
