"""Command-line programs of the distribution (``together-embed``)."""
