"""The version of this distribution (hand-written; read by the build and the User-Agent)."""

__version__ = "0.1.0"
