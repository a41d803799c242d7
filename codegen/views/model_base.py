"""What every model view has, whatever the kind of its schema."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Self, TypedDict, Unpack

from codegen import ir
from codegen.views.python_types import Imports, TypeRenderer


class ModelNames(TypedDict):
    """The fields every kind of model view takes first."""

    name: str
    module: str
    schema_name: str
    description: str


@dataclass(kw_only=True)
class ModelView:
    """One model module (``model_<kind>.py.j2``) and its docs page (``model.md.j2``)."""

    #: object | enum | union | alias: names the kind's templates.
    kind: ClassVar[str]
    name: str
    module: str
    schema_name: str
    description: str
    imports: list[str] = field(default_factory=list)
    #: "module:Class" of a hand-written mixin (objects only), for the docs page.
    mixin: str | None = None
    #: In an import cycle (a recursive schema): postponed annotations, and these imports
    #: at the end of the module.
    recursive: bool = False
    cycle_imports: list[str] = field(default_factory=list)

    @property
    def template(self) -> str:
        """The Python template of this kind of model."""
        return f"model_{self.kind}.py.j2"

    @property
    def docs_section(self) -> str:
        """The template of this kind's section of the docs page (``model.md.j2``)."""
        return f"docs/model_{self.kind}.md.j2"

    @classmethod
    def accepts(cls, schema: ir.Schema) -> bool:
        """Whether this kind of view is the one for ``schema``."""
        raise NotImplementedError

    @classmethod
    def build(
        cls,
        schema: ir.Schema,
        types: TypeRenderer,
        imports: Imports,
        mixin: str | None,
        **names: Unpack[ModelNames],
    ) -> Self:
        """The view of ``schema`` (which it ``accepts``); ``names`` are the shared fields."""
        raise NotImplementedError
