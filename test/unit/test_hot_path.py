"""What the small call's hot path remembers between calls stays correct when the input
varies (issue 11: work done once instead of per call; bench/README.md "Calls and imports")."""

from __future__ import annotations

from together.generated._runtime.response_decoding import is_json_content_type


def test_a_server_varying_its_content_type_is_judged_right_on_every_answer() -> None:
    # The parse is cached by the header's text, at most 64 values: 300 distinct values,
    # JSON and not JSON in turn, then the first ones again (evicted by then).
    values = [
        (f"application/json; boundary=b{i}", True)
        if i % 2 == 0
        else (f"text/plain; boundary=b{i}", False)
        for i in range(300)
    ]
    for content_type, json in values + values[:10]:
        assert is_json_content_type(content_type) is json, content_type
    assert is_json_content_type("APPLICATION/JSON") is True
    assert is_json_content_type("application/json") is True
    assert is_json_content_type("application/x+JSON ;q=1") is True
    assert is_json_content_type("application/json-patch") is False
