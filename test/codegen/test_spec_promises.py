"""README#regenerating-the-client and docs/spec-changes.md: "`openapi.yaml` is Together's
published spec (2026-04), kept byte for byte as published"; the project's changes live in the
overlay only."""

from __future__ import annotations

import pytest

from support import REPOSITORY, SHARED_SPECS

PUBLISHED = SHARED_SPECS / "together-openapi-2026-04.yaml"


@pytest.mark.skipif(not PUBLISHED.exists(), reason="../shared/specs/ is absent")
def test_openapi_yaml_is_the_published_spec_byte_for_byte() -> None:
    assert (REPOSITORY / "openapi.yaml").read_bytes() == PUBLISHED.read_bytes()


def test_the_spec_carries_no_change_of_the_project() -> None:
    """The project's marks are the overlay's actions, never edits of the spec itself."""
    spec = (REPOSITORY / "openapi.yaml").read_text(encoding="utf-8")
    overlay = (REPOSITORY / "openapi.overlay.yaml").read_text(encoding="utf-8")
    assert "x-retry-safe" not in spec
    assert "x-retry-safe: true" in overlay
