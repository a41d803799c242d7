"""``python -m codegen`` and ``codegen.pipeline``, in process: the settings read from
pyproject.toml, the overlay, what ``generate`` hands on, and what the command prints and
returns (README: "Regenerating"). ruff's formatting is replaced by the identity here (it is a
subprocess, tested in test_views_in_process.py and by ``--check`` on the committed tree), so
these tests stay fast enough to run on every mutant."""

from __future__ import annotations

import hashlib
import sys
import textwrap
from pathlib import Path

import pytest

from codegen import pipeline
from codegen.__main__ import main
from codegen.emit.render import RuntimeTablesError
from codegen.errors import SpecError
from codegen.pipeline import (
    Target,
    generate,
    load_mixins,
    load_overlay_setting,
    load_settings,
    load_with_overlay,
)
from codegen.views import Settings

SPEC = """\
openapi: 3.1.0
info: {title: Tiny, version: "1"}
paths:
  /things:
    get:
      operationId: listThings
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
  /ping:
    get:
      responses: {"204": {description: pong}}
components:
  schemas:
    Thing:
      type: object
      properties:
        name: {type: string}
"""

OVERLAY = """\
overlay: 1.0.0
info: {title: changes, version: "1"}
actions:
  - target: $.paths['/things'].get
    update: {summary: List the things}
"""


@pytest.fixture
def formatted(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """ruff's formatting replaced by the identity; each call's first-party names kept."""
    calls: list[list[str]] = []

    def identity(files: dict[str, str], first_party: list[str]) -> dict[str, str]:
        calls.append(first_party)
        return dict(files)

    monkeypatch.setattr(pipeline, "format_python", identity)
    return calls


def write_file(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    return write_file(tmp_path / "tiny.yaml", SPEC)


# ------------------------------------------------------------------ pipeline: settings


def test_a_target_owns_the_api_and_models_folders_of_its_package_and_the_docs() -> None:
    target = Target(package="acme.client", docs_dir="pages")
    assert target.owned_dirs == ["acme/client/api", "acme/client/models", "pages"]
    assert Target().owned_dirs == [
        "together/generated/api",
        "together/generated/models",
        "docs",
    ]


def test_no_pyproject_means_no_mixins_no_settings_and_no_overlay(tmp_path: Path) -> None:
    missing = tmp_path / "pyproject.toml"
    assert load_mixins(missing) == ()
    assert load_settings(missing) == Settings(None, None, ())
    assert load_overlay_setting(missing) is None


def test_a_pyproject_without_a_codegen_table_sets_nothing(tmp_path: Path) -> None:
    config = write_file(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    assert load_mixins(config) == ()
    assert load_settings(config) == Settings(None, None, ())
    assert load_overlay_setting(config) is None


@pytest.mark.parametrize("text", ["[tool]\ncodegen = 1\n", "tool = 1\n"])
def test_a_tool_or_codegen_entry_that_is_not_a_table_sets_nothing(
    tmp_path: Path, text: str
) -> None:
    config = write_file(tmp_path / "pyproject.toml", text)
    assert load_mixins(config) == ()
    assert load_settings(config) == Settings(None, None, ())
    assert load_overlay_setting(config) is None


def test_mixins_that_are_not_a_table_are_refused(tmp_path: Path) -> None:
    config = write_file(tmp_path / "pyproject.toml", '[tool.codegen]\nmixins = "Thing"\n')
    with pytest.raises(ValueError) as caught:
        load_mixins(config)
    assert str(caught.value) == "[tool.codegen] mixins = 'Thing': expected a table"


def test_mixins_are_read_sorted_by_schema(tmp_path: Path) -> None:
    config = write_file(
        tmp_path / "pyproject.toml",
        """
        [tool.codegen.mixins]
        Zebra = "pets.stripes:Stripes"
        Ant = "pets.legs:SixLegs"
        """,
    )
    assert load_mixins(config) == (
        ("Ant", "pets.legs:SixLegs"),
        ("Zebra", "pets.stripes:Stripes"),
    )


@pytest.mark.parametrize(
    "value", ["pets.legs", ":SixLegs", "pets.legs:", "pets:six-legs", "pets:legs:SixLegs"]
)
def test_a_mixin_that_is_not_module_colon_class_is_refused(tmp_path: Path, value: str) -> None:
    config = write_file(tmp_path / "pyproject.toml", f'[tool.codegen.mixins]\nAnt = "{value}"\n')
    with pytest.raises(ValueError) as caught:
        load_mixins(config)
    assert str(caught.value) == (f"[tool.codegen.mixins] Ant = {value!r}: expected 'module:Class'")


def test_settings_are_read_from_the_codegen_table(tmp_path: Path) -> None:
    config = write_file(
        tmp_path / "pyproject.toml",
        """
        [tool.codegen]
        api_key_env = "ACME_KEY"
        base_url_env = "ACME_URL"
        legacy_operation_aliases = ["listThings", "ping"]
        overlay = "changes/overlay.yaml"
        """,
    )
    assert load_settings(config) == Settings("ACME_KEY", "ACME_URL", ("listThings", "ping"))
    assert load_mixins(config) == ()  # a codegen table without mixins
    assert load_overlay_setting(config) == tmp_path / "changes" / "overlay.yaml"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('api_key_env = ""', "[tool.codegen] api_key_env = '': expected a variable name"),
        ("api_key_env = 5", "[tool.codegen] api_key_env = 5: expected a variable name"),
        ('base_url_env = ""', "[tool.codegen] base_url_env = '': expected a variable name"),
        ("base_url_env = false", "[tool.codegen] base_url_env = False: expected a variable name"),
        (
            'legacy_operation_aliases = "listThings"',
            "[tool.codegen] legacy_operation_aliases = 'listThings': expected a list of "
            "operationIds",
        ),
        (
            'legacy_operation_aliases = ["listThings", ""]',
            "[tool.codegen] legacy_operation_aliases = ['listThings', '']: expected a list of "
            "operationIds",
        ),
        (
            "legacy_operation_aliases = [1]",
            "[tool.codegen] legacy_operation_aliases = [1]: expected a list of operationIds",
        ),
    ],
)
def test_a_setting_of_the_wrong_kind_is_refused(tmp_path: Path, line: str, message: str) -> None:
    config = write_file(tmp_path / "pyproject.toml", f"[tool.codegen]\n{line}\n")
    with pytest.raises(ValueError) as caught:
        load_settings(config)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('overlay = ""', "[tool.codegen] overlay = '': expected a file name"),
        ("overlay = 1", "[tool.codegen] overlay = 1: expected a file name"),
    ],
)
def test_an_overlay_setting_of_the_wrong_kind_is_refused(
    tmp_path: Path, line: str, message: str
) -> None:
    config = write_file(tmp_path / "pyproject.toml", f"[tool.codegen]\n{line}\n")
    with pytest.raises(ValueError) as caught:
        load_overlay_setting(config)
    assert str(caught.value) == message


# ------------------------------------------------------------------ pipeline: overlay


def test_without_an_overlay_the_spec_is_read_as_published(spec: Path) -> None:
    document = load_with_overlay(spec, None)
    assert "summary" not in document.root["paths"]["/things"]["get"]
    assert (document.overlay_name, document.overlay_sha256) == ("", "")
    assert document.sha256 == hashlib.sha256(spec.read_bytes()).hexdigest()


def test_an_overlay_changes_the_spec_and_is_named_with_its_hash(tmp_path: Path, spec: Path) -> None:
    overlay = write_file(tmp_path / "changes.yaml", OVERLAY)
    document = load_with_overlay(spec, overlay)
    assert document.root["paths"]["/things"]["get"]["summary"] == "List the things"
    assert document.overlay_name == "changes.yaml"
    assert document.overlay_sha256 == hashlib.sha256(overlay.read_bytes()).hexdigest()
    # The published spec's own name and hash are kept.
    assert document.source_name == "tiny.yaml"
    assert document.sha256 == hashlib.sha256(spec.read_bytes()).hexdigest()


def test_an_overlay_error_names_the_overlay_file(tmp_path: Path, spec: Path) -> None:
    overlay = write_file(tmp_path / "changes.yaml", OVERLAY.replace("/things", "/gone"))
    with pytest.raises(SpecError) as caught:
        load_with_overlay(spec, overlay)
    assert str(caught.value).startswith("changes.yaml#/actions/0/target: 'target': ")


# ------------------------------------------------------------------ pipeline: generate


def test_generate_lays_out_the_target_package_and_docs(
    spec: Path, formatted: list[list[str]]
) -> None:
    target = Target(package="acme.client", runtime="acme_runtime.core", docs_dir="pages")
    with pytest.raises(RuntimeTablesError):
        # The runtime named must be importable: its tables are printed in the docs.
        generate(spec, target)
    target = Target(package="acme.client", docs_dir="pages")
    files, _ = generate(spec, target)
    assert "acme/client/models/thing.py" in files
    assert "acme/client/api/default_api.py" in files
    assert "pages/Thing.md" in files
    assert not [p for p in files if not p.startswith(("acme/client/", "pages/"))]
    # ruff is told which top-level packages are first-party: the package's and the runtime's.
    assert formatted == [["acme", "together"]]


def test_generate_passes_the_runtime_mixins_and_settings_on(
    spec: Path, formatted: list[list[str]]
) -> None:
    target = Target(
        package="acme",
        runtime="together.generated._runtime",
        mixins=(("Thing", "acme_extras.things:ThingHelpers"),),
        settings=Settings(api_key_env="ACME_KEY"),
    )
    files, _ = generate(spec, target)
    model = files["acme/models/thing.py"]
    assert "from acme_extras.things import ThingHelpers" in model
    assert "from together.generated._runtime" in model
    assert "API_KEY_ENV: str | None = 'ACME_KEY'" in files["acme/openapi_info.py"]
    assert formatted == [["acme", "together"]]


def test_generate_returns_the_lowering_warnings(spec: Path, formatted: list[list[str]]) -> None:
    _, warnings = generate(spec, Target(package="acme"))
    assert warnings == (
        "1 operations with no operationId, named from method and path:\n"
        "  get_ping <- tiny.yaml#/paths/~1ping/get",
    )


def test_generate_applies_the_overlay_and_names_it_in_the_files(
    tmp_path: Path, spec: Path, formatted: list[list[str]]
) -> None:
    overlay = write_file(tmp_path / "changes.yaml", OVERLAY)
    files, _ = generate(spec, Target(package="acme"), overlay=overlay)
    api = files["acme/api/default_api.py"]
    assert "List the things" in api
    assert "# overlay: changes.yaml" in api
    plain, _ = generate(spec, Target(package="acme"))
    assert "List the things" not in plain["acme/api/default_api.py"]
    assert "overlay" not in plain["acme/api/default_api.py"].split("\n\n")[0]


# ------------------------------------------------------------------ the command


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_the_command_writes_then_checks_then_names_what_differs(
    tmp_path: Path, spec: Path, formatted: list[list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    args = ["--spec", str(spec), "--out", str(out_dir), "--package", "acme"]
    args += ["--docs-dir", "pages", "--config", str(tmp_path / "none.toml")]
    status, out, err = run(args, capsys)
    assert status == 0
    count = len(list(out_dir.rglob("*.*")))
    assert out == f"codegen: {count} files from {spec}, {count} written or removed\n"
    assert (out_dir / "acme/models/thing.py").is_file()
    assert (out_dir / "pages/Thing.md").is_file()
    assert err == (
        "codegen: warning: 1 operations with no operationId, named from method and path:\n"
        "  get_ping <- tiny.yaml#/paths/~1ping/get\n"
    )

    # Writing again touches nothing; checking passes and writes nothing.
    status, out, _ = run(args, capsys)
    assert (status, out) == (0, f"codegen: {count} files from {spec}, 0 written or removed\n")
    status, out, _ = run([*args, "--check"], capsys)
    assert (status, out) == (0, f"codegen: {count} generated files match {spec}\n")

    (out_dir / "pages/Thing.md").write_text("edited\n", encoding="utf-8")
    (out_dir / "acme/models/thing.py").unlink()
    status, out, err = run([*args, "--check"], capsys)
    assert (status, out) == (1, "")
    assert err.endswith(
        "codegen: the generated files do not match the spec; run `python -m codegen`:\n"
        "  missing: acme/models/thing.py\n"
        "  differs: pages/Thing.md\n"
    )
    assert (out_dir / "pages/Thing.md").read_text(encoding="utf-8") == "edited\n"


def test_the_command_defaults_to_the_project_files_in_the_current_folder(
    tmp_path: Path,
    formatted: list[list[str]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_file(tmp_path / "openapi.yaml", SPEC)
    write_file(tmp_path / "overlay.yaml", OVERLAY)
    write_file(
        tmp_path / "pyproject.toml",
        """
        [tool.codegen]
        overlay = "overlay.yaml"
        api_key_env = "ACME_KEY"
        [tool.codegen.mixins]
        Thing = "acme_extras.things:ThingHelpers"
        """,
    )
    monkeypatch.chdir(tmp_path)
    status, out, _ = run([], capsys)
    assert status == 0
    assert out.startswith("codegen: ") and " files from openapi.yaml, " in out
    model = tmp_path / "together/generated/models/thing.py"
    assert "from acme_extras.things import ThingHelpers" in model.read_text(encoding="utf-8")
    assert "from together.generated._runtime" in model.read_text(encoding="utf-8")
    api = (tmp_path / "together/generated/api/default_api.py").read_text(encoding="utf-8")
    assert "List the things" in api
    info = (tmp_path / "together/generated/openapi_info.py").read_text(encoding="utf-8")
    assert "API_KEY_ENV: str | None = 'ACME_KEY'" in info
    assert (tmp_path / "docs/Thing.md").is_file()
    assert formatted == [["together"]]


def test_the_overlay_option_replaces_the_configured_one_and_no_overlay_drops_it(
    tmp_path: Path, spec: Path, formatted: list[list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    write_file(tmp_path / "configured.yaml", OVERLAY)
    write_file(tmp_path / "given.yaml", OVERLAY.replace("List the things", "Every thing"))
    config = write_file(
        tmp_path / "pyproject.toml", '[tool.codegen]\noverlay = "configured.yaml"\n'
    )
    out_dir = tmp_path / "out"
    args = ["--spec", str(spec), "--out", str(out_dir), "--package", "acme"]
    args += ["--config", str(config)]
    api = out_dir / "acme/api/default_api.py"

    assert run(args, capsys)[0] == 0
    assert "List the things" in api.read_text(encoding="utf-8")
    assert run([*args, "--overlay", str(tmp_path / "given.yaml")], capsys)[0] == 0
    assert "Every thing" in api.read_text(encoding="utf-8")
    assert run([*args, "--no-overlay"], capsys)[0] == 0
    text = api.read_text(encoding="utf-8")
    assert "Every thing" not in text and "List the things" not in text


@pytest.mark.parametrize(
    "config",
    [
        '[tool.codegen.mixins]\nThing = "no_colon"\n',
        "[tool.codegen]\nmixins = 1\n",
        '[tool.codegen]\napi_key_env = ""\n',
        "[tool.codegen]\noverlay = 1\n",
    ],
)
def test_a_bad_setting_exits_2_naming_it(
    tmp_path: Path,
    spec: Path,
    config: str,
    formatted: list[list[str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = write_file(tmp_path / "pyproject.toml", config)
    args = ["--spec", str(spec), "--out", str(tmp_path / "out"), "--config", str(path)]
    status, out, err = run(args, capsys)
    assert (status, out) == (2, "")
    assert err.startswith("codegen: [tool.codegen") and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_a_config_that_is_not_toml_exits_2_naming_the_file(
    tmp_path: Path, spec: Path, formatted: list[list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_file(tmp_path / "pyproject.toml", "[tool]\ncodegen = [1\n")
    args = ["--spec", str(spec), "--out", str(tmp_path / "out"), "--config", str(path)]
    status, out, err = run(args, capsys)
    assert (status, out) == (2, "")
    assert err.startswith(f"codegen: {path}: not valid TOML: ") and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_a_refused_spec_exits_2_with_the_pointer_and_writes_nothing(
    tmp_path: Path, formatted: list[list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write_file(tmp_path / "bad.yaml", SPEC.replace("type: string", "not: {}"))
    args = ["--spec", str(bad), "--out", str(tmp_path / "out")]
    args += ["--config", str(tmp_path / "none.toml")]
    status, out, err = run(args, capsys)
    assert (status, out) == (2, "")
    assert err == (
        "codegen: bad.yaml#/components/schemas/Thing/properties/name/not: 'not': "
        "this schema keyword is not supported\n"
    )
    assert not (tmp_path / "out").exists()


def test_a_spec_that_cannot_be_read_exits_2_naming_it(
    tmp_path: Path, formatted: list[list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--spec", str(tmp_path / "absent.yaml"), "--out", str(tmp_path / "out")]
    status, out, err = run([*args, "--config", str(tmp_path / "none.toml")], capsys)
    assert (status, out) == (2, "")
    assert err.startswith("codegen: absent.yaml#/: 'openapi': cannot read the spec: ")
    assert not (tmp_path / "out").exists()


def test_keep_going_prints_each_refusal_and_their_count(
    tmp_path: Path, formatted: list[list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write_file(
        tmp_path / "bad.yaml",
        SPEC.replace("type: string", "not: {}").replace(
            "operationId: listThings", "operationId: 7"
        ),
    )
    args = ["--spec", str(bad), "--out", str(tmp_path / "out")]
    args += ["--config", str(tmp_path / "none.toml"), "--keep-going"]
    status, out, err = run(args, capsys)
    assert (status, out) == (2, "")
    lines = err.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("codegen: bad.yaml#/components/schemas/Thing/properties/name/not")
    assert lines[1].startswith("codegen: bad.yaml#/paths/~1things/get: 'operationId'")
    assert lines[2] == "codegen: 2 refusals"
    assert not (tmp_path / "out").exists()


def test_a_runtime_that_cannot_be_imported_exits_2(
    tmp_path: Path, spec: Path, formatted: list[list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--spec", str(spec), "--out", str(tmp_path / "out"), "--package", "acme"]
    args += ["--runtime", "acme_runtime_missing", "--config", str(tmp_path / "none.toml")]
    status, out, err = run(args, capsys)
    assert (status, out) == (2, "")
    assert err.startswith("codegen: ") and "acme_runtime_missing" in err
    assert not (tmp_path / "out").exists()


#: Each option and what ``--help`` says it does (README: "Regenerating").
OPTIONS = {
    "--spec SPEC": "the OpenAPI document",
    "--out OUT": "output root (default: .)",
    "--package PACKAGE": "import name of the generated package",
    "--runtime RUNTIME": "import name of the runtime package",
    "--docs-dir DOCS_DIR": "folder for the Markdown pages",
    "--check": "write nothing; fail if the output differs",
    "--config CONFIG": "pyproject.toml whose [tool.codegen] table configures the output",
    "--overlay OVERLAY": "an OpenAPI Overlay 1.0 document applied to the spec first "
    "(default: [tool.codegen] overlay of --config)",
    "--no-overlay": "generate from the spec as published",
    "--keep-going": "report every refusal (pointer, keyword, reason), not only the first",
}


def test_help_names_the_command_and_says_what_each_option_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--help"])
    assert caught.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert text.startswith("usage: python -m codegen ")
    assert (
        "``python -m codegen``: regenerate ``together/generated`` and ``docs`` from "
        "``openapi.yaml``. options:"
    ) in text
    for option, description in OPTIONS.items():
        assert f" {option} {description} " in f"{text} ", option


def test_when_ruff_is_missing_or_cannot_start_the_command_exits_2_saying_so(
    tmp_path: Path, spec: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The generator formats with ``python -m ruff``: without ruff (an environment without the
    test extra) it is a message and exit 2, not a traceback, and nothing is written."""
    out_dir = tmp_path / "out"
    args = ["--spec", str(spec), "--out", str(out_dir), "--config", str(tmp_path / "none.toml")]
    no_ruff = write_file(
        tmp_path / "python-without-ruff",
        """\
        #!/bin/sh
        echo "/usr/bin/python3: No module named ruff" >&2
        exit 1
        """,
    )
    no_ruff.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(no_ruff))
    status, out, err = run(args, capsys)
    assert (status, out) == (2, "")
    assert err == (
        "codegen: ruff could not format the generated code:\n"
        "/usr/bin/python3: No module named ruff\n"
    )
    monkeypatch.setattr(sys, "executable", str(tmp_path / "nothing-here"))
    status, out, err = run(args, capsys)
    assert (status, out) == (2, "")
    assert err.startswith("codegen: ruff could not be run: [Errno 2] No such file or directory")
    assert not out_dir.exists()
