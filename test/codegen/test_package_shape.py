"""The shape of a generated package: cheap to import, typed for mypy, and carrying its own
spec's facts (host, base path, environment variables) as data."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from feature_specs import (
    COLLISIONS,
    DISCRIMINATED,
    ENUMS_AND_DEFAULTS,
    MEDIA_SPEC,
    RECURSIVE,
    REQUIRED_ALTERNATIVES,
    SEVERAL_SUCCESSES,
)

from codegen.emit.output import write
from codegen.pipeline import Target, generate
from codegen.views import Settings
from support import REPOSITORY

LAZY_CHECK = """
import sys
import together.generated as pkg
loaded = sorted(m for m in sys.modules if m.startswith(("together.generated.models.", "together.generated.api.")))
assert loaded == [], loaded
assert pkg.ChatApi.__name__ == "ChatApi"            # resolved on first use
assert "together.generated.api.chat_api" in sys.modules
assert "EmbeddingsRequest" in dir(pkg)
try:
    pkg.NoSuchThing
except AttributeError as exc:
    assert "NoSuchThing" in str(exc)
else:
    raise AssertionError("an unknown name must raise AttributeError")
print("ok")
"""


def test_importing_the_package_imports_no_api_or_model_module() -> None:
    done = subprocess.run(
        [sys.executable, "-c", LAZY_CHECK],
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


DELEGATION_CHECK = """
import sys
import together.generated as pkg
assert "together.generated.models" not in sys.modules  # not even the models' table
assert not any(m.startswith("together.generated.models") for m in pkg._LAZY.values())
from together.generated import EmbeddingsRequest
import together.generated.models as models
assert EmbeddingsRequest is models.EmbeddingsRequest
assert EmbeddingsRequest.__module__ == "together.generated.models.embeddings_request"
assert "EmbeddingsRequest" in pkg.__all__ and "EmbeddingsRequest" in dir(pkg)
for name in ("NoSuchModel", "importlib", "TYPE_CHECKING"):
    if name in vars(pkg):
        continue
    try:
        getattr(pkg, name)
    except AttributeError as exc:
        assert name in str(exc)
    else:
        raise AssertionError(name)
print("ok")
"""


def test_the_package_root_leaves_the_models_to_the_models_package() -> None:
    done = subprocess.run(
        [sys.executable, "-c", DELEGATION_CHECK],
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
    root = (REPOSITORY / "together" / "generated" / "__init__.py").read_text(encoding="utf-8")
    assert "together.generated.models.embeddings_request" not in root


def _info(tmp_path: Path, settings: Settings, servers: str) -> dict[str, object]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        textwrap.dedent(
            f"""
            openapi: 3.1.0
            info: {{title: Other, version: "1"}}
            {servers}
            paths:
              /ping:
                get:
                  operationId: ping
                  responses: {{"204": {{description: ok}}}}
            """
        ),
        encoding="utf-8",
    )
    files, _ = generate(spec, Target(package="otherapi", settings=settings))
    namespace: dict[str, object] = {}
    exec(files["otherapi/openapi_info.py"], namespace)
    return namespace


def test_another_spec_gets_its_own_host_and_no_together_variables(tmp_path: Path) -> None:
    info = _info(tmp_path, Settings(), 'servers: [{url: "https://api.other.example/v3/"}]')
    assert info["DEFAULT_HOST"] == "https://api.other.example/v3"
    assert info["BASE_PATH"] == "/v3"
    assert info["API_KEY_ENV"] is None
    assert info["BASE_URL_ENV"] is None


def test_settings_name_the_environment_variables(tmp_path: Path) -> None:
    settings = Settings(api_key_env="OTHER_KEY", base_url_env="OTHER_URL")
    info = _info(tmp_path, settings, 'servers: [{url: "https://other.example"}]')
    assert (info["API_KEY_ENV"], info["BASE_URL_ENV"]) == ("OTHER_KEY", "OTHER_URL")
    assert info["BASE_PATH"] == ""


def test_no_servers_means_localhost(tmp_path: Path) -> None:
    assert _info(tmp_path, Settings(), "")["DEFAULT_HOST"] == "http://localhost"


def test_the_feature_specs_generate_code_that_passes_mypy(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    specs = {
        "f_enums": ENUMS_AND_DEFAULTS,
        "f_recursive": RECURSIVE,
        "f_alternatives": REQUIRED_ALTERNATIVES,
        "f_collisions": COLLISIONS,
        "f_discriminated": DISCRIMINATED,
        "f_media": MEDIA_SPEC,
        "f_successes": SEVERAL_SUCCESSES,
    }
    for package, text in specs.items():
        path = tmp_path / f"{package}.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        files, _ = generate(path, Target(package=package, docs_dir=f"{package}_docs"))
        write(files, tmp_path, Target(package=package).owned_dirs)
    packages = [arg for package in specs for arg in ("-p", package)]
    checked = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(REPOSITORY / "pyproject.toml"),
            "--cache-dir",
            str(tmp_path_factory.getbasetemp() / "feature-mypy-cache"),
            "--strict",
            *packages,
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "", "PYTHONPATH": str(tmp_path)},
        check=False,
    )
    assert checked.returncode == 0, checked.stdout[-4000:]


def test_an_absolute_docs_folder_keeps_its_pages(tmp_path: Path) -> None:
    from codegen.__main__ import main

    spec = tmp_path / "spec.yaml"
    spec.write_text(textwrap.dedent(ENUMS_AND_DEFAULTS), encoding="utf-8")
    out, docs = tmp_path / "out", tmp_path / "out" / "docs"
    args = ["--spec", str(spec), "--out", str(out), "--package", "absdocs"]
    args += ["--docs-dir", str(docs), "--config", str(tmp_path / "none.toml")]
    assert main(args) == 0
    assert (docs / "Settings.md").is_file() and (docs / "README.md").is_file()
    assert main([*args, "--check"]) == 0
