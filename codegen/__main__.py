"""``python -m codegen``: regenerate ``together/generated`` and ``docs`` from ``openapi.yaml``.

``--check`` writes nothing and exits 1, naming each file that differs from what the spec
produces (CI runs it). A spec the generator cannot handle exits 2 with the JSON pointer
and keyword at fault (``--keep-going``: every refusal, not only the first). The overlay of
``[tool.codegen] overlay`` (or ``--overlay``) is applied to the spec first.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from codegen.emit.output import FormatError, differences, write
from codegen.emit.render import RuntimeTablesError
from codegen.errors import SpecError, SpecErrors
from codegen.pipeline import (
    Target,
    generate,
    load_mixins,
    load_overlay_setting,
    load_settings,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--spec", type=Path, default=Path("openapi.yaml"), help="the OpenAPI document"
    )
    parser.add_argument("--out", type=Path, default=Path("."), help="output root (default: .)")
    parser.add_argument(
        "--package", default=Target.package, help="import name of the generated package"
    )
    parser.add_argument(
        "--runtime", default=Target.runtime, help="import name of the runtime package"
    )
    parser.add_argument("--docs-dir", default=Target.docs_dir, help="folder for the Markdown pages")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; fail if the output differs"
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=Path("pyproject.toml"),
        help="pyproject.toml whose [tool.codegen] table configures the output",
    )
    parser.add_argument(
        "--overlay",
        type=Path,
        default=None,
        help="an OpenAPI Overlay 1.0 document applied to the spec first "
        "(default: [tool.codegen] overlay of --config)",
    )
    parser.add_argument(
        "--no-overlay", action="store_true", help="generate from the spec as published"
    )
    parser.add_argument(
        "--keep-going",
        action="store_true",
        help="report every refusal (pointer, keyword, reason), not only the first",
    )
    args = parser.parse_args(argv)

    try:
        mixins = load_mixins(args.config)
        settings = load_settings(args.config)
        overlay = None if args.no_overlay else args.overlay or load_overlay_setting(args.config)
    except ValueError as exc:
        print(f"codegen: {exc}", file=sys.stderr)
        return 2
    target = Target(
        package=args.package,
        runtime=args.runtime,
        docs_dir=args.docs_dir,
        mixins=mixins,
        settings=settings,
    )
    try:
        files, warnings = generate(args.spec, target, keep_going=args.keep_going, overlay=overlay)
    except SpecError as exc:
        print(f"codegen: {exc}", file=sys.stderr)
        return 2
    except (RuntimeTablesError, FormatError) as exc:
        print(f"codegen: {exc}", file=sys.stderr)
        return 2
    except SpecErrors as exc:
        for error in exc.errors:
            print(f"codegen: {error}", file=sys.stderr)
        print(f"codegen: {len(exc.errors)} refusals", file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"codegen: warning: {warning}", file=sys.stderr)

    if args.check:
        problems = differences(files, args.out, target.owned_dirs)
        if problems:
            print(
                "codegen: the generated files do not match the spec; run `python -m codegen`:",
                file=sys.stderr,
            )
            for problem in problems:
                print(f"  {problem}", file=sys.stderr)
            return 1
        print(f"codegen: {len(files)} generated files match {args.spec}")
        return 0

    touched = write(files, args.out, target.owned_dirs)
    print(f"codegen: {len(files)} files from {args.spec}, {len(touched)} written or removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
