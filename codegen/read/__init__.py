"""Reading the spec: the YAML document with its ``$ref`` look-ups (:mod:`.loader`), and the
project's OpenAPI Overlay applied to it (:mod:`.overlay`)."""

from codegen.read.loader import SpecDocument, load_spec
from codegen.read.overlay import apply_overlay, load_overlay

__all__ = ["SpecDocument", "apply_overlay", "load_overlay", "load_spec"]
