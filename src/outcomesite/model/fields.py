"""A model's fields as the converter and the scaffold read them: the key written in YAML, the type,
whether it is required, its default, its description and its constraints, all from the model's
annotations (model/schema.py, model/config.py), so that they are declared in one place."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any

import msgspec


@dataclass(frozen=True)
class FieldSpec:
    name: str  # the attribute
    key: str  # as written in a file (`mid-market` for `mid_market`)
    annotation: Any  # the type, descriptions and constraints included
    required: bool
    description: str
    strip: bool  # the text is stripped before it is checked and kept
    min_length: int | None
    pattern: str | None
    ge: float | None  # the least number allowed
    _default: Any
    _factory: Any

    @property
    def bare(self) -> Any:
        """The type without its descriptions and constraints: `Literal[...]`, `str | None`."""
        annotation = self.annotation
        while typing.get_origin(annotation) is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        return annotation

    def default(self) -> Any:
        """The value a file that leaves the key out gets (None for a required key)."""
        if self._factory is not msgspec.NODEFAULT:
            return self._factory()
        return None if self._default is msgspec.NODEFAULT else self._default


@cache
def fields_by_key(model: type[msgspec.Struct]) -> dict[str, FieldSpec]:
    """A model's fields by the key written in YAML, in the model's order. Asked for every mapping
    of every account: made once per model (callers only read it)."""
    found: dict[str, FieldSpec] = {}
    for info in msgspec.structs.fields(model):
        metas = _metas(info.type)
        found[info.encode_name] = FieldSpec(
            name=info.name,
            key=info.encode_name,
            annotation=info.type,
            required=info.required,
            description=next((m.description for m in metas if m.description), ""),
            strip=any(strips(m) for m in metas),
            min_length=next((m.min_length for m in metas if m.min_length is not None), None),
            pattern=next((m.pattern for m in metas if m.pattern is not None), None),
            ge=next((m.ge for m in metas if m.ge is not None), None),
            _default=info.default,
            _factory=info.default_factory,
        )
    return found


def strips(meta: object) -> bool:
    """Whether a type's Meta asks for its text stripped (`Text`, model/schema.py): the one
    reading of that mark, for a field here and for any type the converter reads."""
    return isinstance(meta, msgspec.Meta) and bool((meta.extra or {}).get("strip"))


def _metas(annotation: Any) -> list[msgspec.Meta]:
    """Every Meta on a type, outermost first: on the field, inside `X | None`, on an alias."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *extras = typing.get_args(annotation)
        return [e for e in extras if isinstance(e, msgspec.Meta)] + _metas(inner)
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _metas(arg)]
    return []
