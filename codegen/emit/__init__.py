"""Emitting: the views printed by the Jinja2 templates of ``templates/`` (:mod:`.render`),
then formatted with ruff and written, or compared for ``--check`` (:mod:`.output`)."""
