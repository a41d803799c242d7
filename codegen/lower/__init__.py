"""Lowering: the loaded document walked into the typed IR (``codegen.ir``), refusing what the
generator cannot express. :mod:`.document` reads the document level (servers, security,
operations, parameters, bodies, responses); :mod:`.schemas` reads the schemas."""

from codegen.lower.document import RETRY_SAFE, lower

__all__ = ["RETRY_SAFE", "lower"]
