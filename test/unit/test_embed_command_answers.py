"""`together-embed TEXT...` (the main job, not bulk mode) against answers that do not match
the texts sent: never a traceback, never a report that silently leaves a text out."""

from __future__ import annotations

import pytest
from aioresponses import aioresponses

from support import EMBEDDINGS_URL, HOST, TOKEN
from together.cli.embed import main


def answer(indices: list[int]) -> dict[str, object]:
    return {
        "object": "list",
        "model": "m",
        "data": [{"object": "embedding", "index": i, "embedding": [1.0, 0.0]} for i in indices],
    }


@pytest.mark.parametrize(
    ("indices", "what"),
    [
        ([0], "1 embedding for 2 texts"),
        ([0, 1, 2], "3 embeddings for 2 texts"),
        ([0, 0], "indices [0, 0] for 2 texts"),
        ([1, 2], "indices [1, 2] for 2 texts"),
    ],
)
@pytest.mark.parametrize("json_lines", [False, True])
def test_an_answer_that_does_not_match_the_texts_is_exit_1_naming_the_mismatch(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    indices: list[int],
    what: str,
    json_lines: bool,
) -> None:
    monkeypatch.setenv("TOGETHER_API_KEY", TOKEN)
    monkeypatch.setenv("TOGETHER_BASE_URL", HOST)
    with aioresponses() as mocked:
        mocked.post(EMBEDDINGS_URL, payload=answer(indices))
        code = main(["alpha", "beta", *(["--json"] if json_lines else [])])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""  # nothing printed as if the job were done
    assert err.startswith("together-embed: MalformedResponseException: ")
    assert what in err
    assert TOKEN not in err


def test_an_answer_in_another_order_is_put_back_in_input_order(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TOGETHER_API_KEY", TOKEN)
    monkeypatch.setenv("TOGETHER_BASE_URL", HOST)
    payload = {
        "object": "list",
        "model": "m",
        "data": [
            {"object": "embedding", "index": 1, "embedding": [0.0, 1.0]},
            {"object": "embedding", "index": 0, "embedding": [1.0, 0.0]},
        ],
    }
    with aioresponses() as mocked:
        mocked.post(EMBEDDINGS_URL, payload=payload)
        code = main(["alpha", "beta", "--json"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert out.splitlines() == [
        '{"index": 0, "model": "m", "text": "alpha", "embedding": [1.0, 0.0]}',
        '{"index": 1, "model": "m", "text": "beta", "embedding": [0.0, 1.0]}',
    ]
