"""Hatchling build hook: what an editable install adds so it works beside the official SDK.

For an editable install (``pip install -e .``) the wheel gets, instead of the usual forced
files (the spec is read from the repository then), the finder module
``_together_generated_editable.py`` and a ``.pth`` line that installs it with the path of the
repository's ``together`` folder. The regular wheel is unchanged: its files merge into
site-packages' ``together/`` folder, beside the SDK's if it is there. See the module's
docstring for why.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

FINDER = "_together_generated_editable"


class EditableBesideSdkHook(BuildHookInterface[Any]):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version != "editable":
            return
        portion = os.path.join(self.root, "together")
        pth = os.path.join(tempfile.mkdtemp(prefix="together-generated-build-"), f"{FINDER}.pth")
        with open(pth, "w", encoding="utf-8") as file:
            file.write(f"import {FINDER}; {FINDER}.install({portion!r})\n")
        build_data["force_include_editable"] = {
            os.path.join(self.root, "editable", f"{FINDER}.py"): f"{FINDER}.py",
            pth: f"{FINDER}.pth",
        }
