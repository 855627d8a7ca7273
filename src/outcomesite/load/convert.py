"""Convert composed YAML nodes into typed data, guided by a model (model/schema.py), with line numbers.

Types, lines and duplicate keys come from one place: each key's node says where it is, and the model's
field says what its text must mean. What the field's constraints ask beyond its type (present, not
empty, a slug, at least some number) is checked here too, with the line of the offending key and in
words for someone who is not an engineer; the checked data then becomes the model (msgspec).
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import msgspec
import yaml

from outcomesite.layout import EARLIEST_DATE, MAX_NUMBER
from outcomesite.model.fields import FieldSpec, fields_by_key, strips
from outcomesite.model.schema import slugify

Loc = tuple[str | int, ...]

_NULLS = {"", "~", "null", "Null", "NULL"}
NUMBER = re.compile(r"^[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")
_INTEGER = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9]+(?::[0-5]?[0-9])+(?:\.[0-9]*)?$")
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9]+(?:\.[0-9]*)?$")
_CURRENCY = re.compile(r"^([$€£¥]|[A-Z]{3}\s?)?\s*([-+]?[0-9][0-9,. ]*)\s*([$€£¥]|\s?[A-Z]{3})?$")
_SYMBOL_CODES = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}


@dataclass
class Conversion:
    """Typed data plus what is needed to report problems at the right line."""

    data: dict[str, Any]
    lines: dict[Loc, int] = field(default_factory=dict)
    problems: list[tuple[int, str]] = field(default_factory=list)
    bad: set[Loc] = field(default_factory=set)
    ids: dict[Loc, str] = field(default_factory=dict)  # raw `id` of each mapping, for labels
    model: msgspec.Struct | None = None  # when nothing was wrong

    def line_of(self, loc: Loc) -> int:
        """The line of `loc`, or of its nearest parent we know (the key that is missing has none)."""
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 1)


# A label names where a key sits, for messages: "" at the top, "result `x`: " inside a result.
# It gets the location of the mapping that holds the key and the raw ids of all mappings.
Labeler = Callable[[Loc, dict[Loc, str]], str]


def _no_label(loc: Loc, ids: dict[Loc, str]) -> str:
    return ""


# A key's own reading of its number, for a key whose value means more than a number (`arr`, an
# amount in the site's currency): it gets the text as written and the number it reads as (None
# when it does not read as one), and returns the problem to report, or None: the number is taken,
# or a text that is no number gets the usual hints.
NumberCheck = Callable[[str, float | None], str | None]


def convert(
    root: yaml.MappingNode,
    model: type[msgspec.Struct],
    line_offset: int,
    label: Labeler = _no_label,
    source: str = "",
    number_checks: Mapping[Loc, NumberCheck] | None = None,
) -> Conversion:
    """Convert `root` by `model`, then check its constraints; every problem lands in
    `Conversion.problems`, and the model is made when there is none.

    `source` is the YAML text, for the traps only the text shows (a ` #` that cut a value).
    `number_checks` read the numbers at their locations with what only the caller knows (the
    site's currency), so that the message names it.
    """
    conv = Conversion(data={})
    conv.lines[()] = root.start_mark.line + line_offset
    converter = _Converter(conv, line_offset, label, source.split("\n"), number_checks or {})
    conv.data = converter.mapping(root, model, ())
    _check(conv, conv.data, model, (), label)
    conv.problems.sort(key=lambda p: p[0])
    if not conv.problems:
        try:
            conv.model = msgspec.convert(conv.data, model, strict=True)
        except msgspec.ValidationError as exc:  # a type the converter does not read: our bug
            conv.problems.append((conv.lines[()], f"this could not be read ({exc})"))
    return conv


def _check(conv: Conversion, data: dict[str, Any], model: Any, loc: Loc, label: Labeler) -> None:
    """The constraints of `model`'s fields on converted data, in the model's order, each
    problem at its key's line (a missing key's at its group's). Values the converter already
    refused are not checked again: its message is the more precise."""
    for key, spec, limited, nested, many in _checked_fields(model):
        key_loc = (*loc, key)
        if key_loc in conv.bad:
            continue
        if key not in data:
            if spec.required:
                message = _constraint_message("missing", spec, key, label(loc, conv.ids), None)
                conv.problems.append((conv.line_of(key_loc), message))
            continue
        value = data[key]
        if nested is None:
            if limited and (problem := _broken(spec, value)):
                message = _constraint_message(problem, spec, key, label(loc, conv.ids), value)
                conv.problems.append((conv.line_of(key_loc), message))
        elif not many:
            _check(conv, value, nested, key_loc, label)
        else:
            for index, item in enumerate(value):
                if (*key_loc, index) not in conv.bad:
                    _check(conv, item, nested, (*key_loc, index), label)


@cache
def _checked_fields(model: Any) -> tuple[tuple[str, FieldSpec, bool, Any, bool], ...]:
    """The fields `_check` has something to check in, in the model's order: (key, field,
    whether its value has a constraint to meet, the model of a group or of a list's items,
    whether a list). Made once per model: the check runs on every mapping of every account.
    A text's least length is not checked here: the models ask for it only with `strip` (`Text`),
    and the converter omits a blank text, so what it keeps is never empty; any other length
    limit would be refused by msgspec (a problem at the file's first line, not a traceback)."""
    found = []
    for key, spec in fields_by_key(model).items():
        kind, inner = _kind(spec.annotation)
        many = kind == "list"
        if many:
            kind, inner = _kind(inner)  # the items' kind
        nested = inner if kind == "model" else None
        limited = spec.pattern is not None or spec.ge is not None
        if spec.required or limited or nested is not None:
            found.append((key, spec, limited, nested, many))
    return tuple(found)


class _Converter:
    def __init__(
        self,
        conv: Conversion,
        line_offset: int,
        label: Labeler,
        lines: list[str],
        number_checks: Mapping[Loc, NumberCheck],
    ) -> None:
        self.conv = conv
        self.offset = line_offset
        self.label = label
        self.source = lines
        self.number_checks = number_checks

    def line(self, node: yaml.Node) -> int:
        return node.start_mark.line + self.offset

    def problem(self, loc: Loc, node: yaml.Node, message: str) -> None:
        self.conv.bad.add(loc)
        self.conv.problems.append((self.line(node), self.label(loc[:-1], self.conv.ids) + message))

    def mapping(
        self, node: yaml.MappingNode, model: type[msgspec.Struct], loc: Loc
    ) -> dict[str, Any]:
        fields = fields_by_key(model)
        conv, offset = self.conv, self.offset
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        empty_groups: dict[str, yaml.Node] = {}  # `validator:` with nothing indented below it
        # Keys are read first so that labels ("result `x`") can use the id wherever it is.
        for key_node, value_node in node.value:
            if key_node.value == "id" and isinstance(value_node, yaml.ScalarNode):
                conv.ids[loc] = value_node.value
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(loc, key_node, "a key must be a plain word such as `owner`")
                continue
            key = key_node.value
            key_loc = (*loc, key)
            if key in first_line:
                self.problem(
                    key_loc,
                    key_node,
                    f"duplicate key `{key}` (first given on line {first_line[key]}): keep only one",
                )
                continue
            first_line[key] = conv.lines[key_loc] = key_node.start_mark.line + offset
            info = fields.get(key)
            if info is None:
                self.problem(key_loc, key_node, self._unknown(key, fields, empty_groups))
                continue
            if _is_empty(value_node):
                if _kind(info.annotation)[0] == "model":
                    empty_groups[key] = key_node
                if info.required:  # `owner:` or `owner: ""`: there, but empty
                    description = _description(info)
                    self.problem(
                        key_loc, key_node, f"`{key}` is empty: write {description or 'a value'}"
                    )
                continue
            value = self.value(value_node, info.annotation, key_loc)
            if value is not _OMIT:
                out[key] = value
        return out

    def _unknown(self, key: str, fields: dict[str, FieldSpec], groups: dict[str, yaml.Node]) -> str:
        """An unknown key, or one that belongs to an empty group above it (not indented)."""
        for group, group_node in groups.items():
            kind, inner = _kind(fields[group].annotation)
            if kind == "model" and key in fields_by_key(inner):
                column = group_node.start_mark.column + 2
                return (
                    f"`{key}` belongs to `{group}:` above it: indent the lines under `{group}:` "
                    f"by two more spaces (to column {column + 1})"
                )
        return _unknown_key_message(key, list(fields))

    def value(self, node: yaml.Node, annotation: Any, loc: Loc) -> Any:
        kind, inner = _kind(annotation)
        if isinstance(node, yaml.ScalarNode) and not node.style and node.value in _NULLS:
            return _OMIT  # `key:` with nothing after it means "not given"
        if kind == "model":
            if isinstance(loc[-1], int) and not isinstance(node, yaml.MappingNode):
                return self._item_not_a_group(node, inner, loc)
            if isinstance(node, yaml.ScalarNode):
                first = next(iter(fields_by_key(inner)), "name")
                self.problem(
                    loc,
                    node,
                    f"`{loc[-1]}` must be lines indented below it, not a value on its line: write "
                    f"`{loc[-1]}:` alone, and on the next line, two spaces further in, "
                    f"`{first}: {node.value}`",
                )
                return _OMIT
            if not isinstance(node, yaml.MappingNode):
                return self._wrong_shape(node, loc, "a group of `key: value` lines, indented below")
            return self.mapping(node, inner, loc)
        if kind == "list":
            if (
                isinstance(node, yaml.MappingNode)
                and node.value
                and isinstance(node.value[0][0], yaml.ScalarNode)
                and _kind(inner)[0] == "model"
            ):
                # `next_steps:` then `step: ...` without the `- `: show the first line as an item.
                key, first = node.value[0]
                written = (
                    f"{key.value}: {first.value}" if isinstance(first, yaml.ScalarNode) else ""
                )
                return self._wrong_shape(
                    node,
                    loc,
                    "a list, one item per line starting with `- `: write "
                    f"`- {written or key.value + ':'}` and line up the lines below it with "
                    f"`{key.value}`",
                )
            if not isinstance(node, yaml.SequenceNode):
                return self._wrong_shape(node, loc, "a list, one item per line starting with `- `")
            items = []
            item_kind, _ = _kind(inner)
            for index, item in enumerate(node.value):
                item_loc = (*loc, index)
                self.conv.lines[item_loc] = self.line(item)
                if isinstance(item, yaml.ScalarNode) and not item.style and item.value in _NULLS:
                    self.problem(item_loc, item, f"empty item in `{loc[-1]}`: remove the lone `-`")
                    converted = _OMIT
                else:
                    converted = self.value(item, inner, item_loc)
                if converted is not _OMIT:
                    items.append(converted)
                elif item_kind == "model":
                    items.append({})  # keeps later items at their index; its errors are reported
            return tuple(items)
        if not isinstance(node, yaml.ScalarNode):
            shape = "a list" if isinstance(node, yaml.SequenceNode) else "a group of keys"
            name = loc[-1]
            self.problem(loc, node, f"`{name}` must be a single value, not {shape}")
            return _OMIT
        return self.scalar(node, kind, inner, loc)

    def _item_not_a_group(self, node: yaml.Node, model: type[msgspec.Struct], loc: Loc) -> Any:
        """`- Send the deck` where a list's items are groups of keys (`- step: ...` with
        `owner: ...` below it): show the item written out, named like its keys' messages."""
        fields = fields_by_key(model)
        first = next(iter(fields))
        others = [f"`{k}: ...`" for k, info in fields.items() if info.required and k != first]
        text = node.value if isinstance(node, yaml.ScalarNode) else "..."
        below = ""
        if others:
            listed = others[0] if len(others) == 1 else f"{', '.join(others[:-1])} and {others[-1]}"
            where = "the line" if len(others) == 1 else "the lines"
            below = f", then {listed} on {where} below, lined up with `{first}`"
        self.conv.bad.add(loc)
        self.conv.problems.append(
            (
                self.line(node),
                f"{self.label(loc, self.conv.ids)}each item of `{loc[-2]}` is a group of "
                f"`key: value` lines: write `- {first}: {text}`{below}",
            )
        )
        return _OMIT

    def _wrong_shape(self, node: yaml.Node, loc: Loc, expected: str) -> Any:
        self.problem(loc, node, f"`{loc[-1]}` must be {expected}")
        return _OMIT

    def scalar(self, node: yaml.ScalarNode, kind: str, inner: Any, loc: Loc) -> Any:
        text = node.value
        if kind == "str":
            if (cut := self._cut_by_comment(node)) is None:
                if not text.strip():
                    return _OMIT
                return text.strip() if inner == "strip" else text
            name = _name(loc)
            self.problem(
                loc,
                node,
                f"`{name}`: a ` #` starts a comment in YAML, so the text after it is left out "
                f'(the report would show "{text}"): put the value in quotes: '
                f'`{name}: "{text} {cut}"`',
            )
            return _OMIT
        if kind == "enum":
            if text in inner:
                return text
            self.problem(loc, node, _enum_message(_name(loc), text, inner))
            return _OMIT
        name = _name(loc)
        if kind == "date":
            return self._date(node, name, loc)
        if kind in ("float", "int"):
            return self._number(node, name, loc, integer=kind == "int")
        raise AssertionError(f"unsupported field kind {kind}")  # a bug in the model, not input

    def _cut_by_comment(self, node: yaml.ScalarNode) -> str | None:
        """The text a ` #` cut off a plain value, when that is what a person would have meant: a
        comment right after the value, one space away (`goal: Save #1 priority`). A comment set
        apart by two or more spaces (`segment: smb   # or enterprise`) is taken as a comment."""
        if node.style or node.end_mark.line >= len(self.source):
            return None
        rest = self.source[node.end_mark.line][node.end_mark.column :]
        if rest.startswith(" #") and rest[2:].strip():
            return rest[1:].strip()  # "#1 priority"
        return None

    def _date(self, node: yaml.ScalarNode, name: str, loc: Loc) -> Any:
        text = node.value.strip()
        if _DATE.match(text):
            try:
                day = dt.date.fromisoformat(text)
            except ValueError:
                pass
            else:
                if day >= EARLIEST_DATE:
                    return day
                self.problem(
                    loc, node, f"`{name}` {text} is before 1900: check the year (found `{text}`)"
                )
                return _OMIT
        self.problem(
            loc,
            node,
            f"`{name}` must be a date written YYYY-MM-DD, e.g. 2026-11-01 (found `{node.value}`)",
        )
        return _OMIT

    def _number(self, node: yaml.ScalarNode, name: str, loc: Loc, integer: bool) -> Any:
        text = node.value.strip()
        pattern = _INTEGER if integer else NUMBER
        check = self.number_checks.get(loc)
        if not node.style and pattern.match(text):
            value = int(text) if integer or _INTEGER.match(text) else float(text)
            if math.isfinite(value) and abs(value) <= MAX_NUMBER:
                if check is not None and (message := check(text, value + 0)) is not None:
                    self.problem(loc, node, message)
                    return _OMIT
                return value + 0  # -0.0 + 0 is 0.0: a report never says "-0"
            self.problem(
                loc,
                node,
                f"`{name}` is out of range: write a number between -1000000000000000 and "
                f"1000000000000000, a million billion (found `{text}`)",
            )
            return _OMIT
        own = check(text, None) if check is not None else None
        self.problem(loc, node, own or _number_message(name, node, integer))
        return _OMIT


_OMIT: Any = object()


def _name(loc: Loc) -> str:
    """The key a value's messages name: its own, or its list's for a list item."""
    return loc[-1] if isinstance(loc[-1], str) else str(loc[-2])


# By the annotation's id, with the annotation itself (which keeps the id its own): hashing a
# `Literal[...] | None` hashes every part of it, on every key of every account.
_KINDS: dict[int, tuple[Any, tuple[str, Any]]] = {}


def _is_empty(node: yaml.Node) -> bool:
    """`key:` with nothing after it, or an empty quoted text."""
    if not isinstance(node, yaml.ScalarNode):
        return False
    return (not node.style and node.value in _NULLS) or (
        bool(node.style) and not node.value.strip()
    )


def _kind(annotation: Any) -> tuple[str, Any]:
    """`_read_kind`, remembered: a large site asks about the same few annotations for every key."""
    known = _KINDS.get(id(annotation))
    if known is not None and known[0] is annotation:
        return known[1]
    found = _read_kind(annotation)
    _KINDS[id(annotation)] = (annotation, found)
    return found


def _read_kind(annotation: Any) -> tuple[str, Any]:
    """Reduce a field annotation to the kinds of text the converter knows how to read."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *extras = typing.get_args(annotation)
        found = _kind(inner)
        if found[0] == "str" and any(strips(extra) for extra in extras):
            return "str", "strip"  # Text: read as the person means it, without outer spaces
        return found
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _kind(args[0])
    if origin is typing.Literal:
        return "enum", typing.get_args(annotation)
    if origin in (tuple, list):
        return "list", typing.get_args(annotation)[0]
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return "model", annotation
    if annotation is dt.date:
        return "date", None
    if annotation is bool:
        raise AssertionError("booleans are deliberately not part of the schema")
    if annotation is int:
        return "int", None
    if annotation is float:
        return "float", None
    return "str", None


def suggest(word: str, choices: list[str]) -> str | None:
    """The closest known word, compared case-insensitively, for a did-you-mean hint."""
    lowered = {c.lower(): c for c in choices}
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def _unknown_key_message(key: str, known: list[str]) -> str:
    guess = suggest(key, known)
    if guess:
        return f"unknown key `{key}`: did you mean `{guess}`?"
    return f"unknown key `{key}`: the keys allowed here are {', '.join(known)}"


def _enum_message(name: str, text: str, allowed: tuple[str, ...]) -> str:
    options = ", ".join(allowed)
    guess = suggest(text, list(allowed))
    hint = f": did you mean `{guess}`?" if guess else ""
    return f"`{name}` must be one of {options} (found `{text}`){hint}"


@dataclass(frozen=True)
class _Number:
    """What a hint knows about a value that should have been a number."""

    name: str  # the key, e.g. `baseline`
    text: str  # the value as written, stripped
    quoted: bool
    what: str  # "a plain number" or "a whole number"
    integer: bool


def _percent(n: _Number) -> str | None:
    if n.text.endswith("%") and NUMBER.match(n.text[:-1].strip()):
        number = n.text[:-1].strip()
        return f'`{n.name}` must be {n.what}: write `{number}` and `unit: "%"` (found `{n.text}`)'
    return None


def _quoted(n: _Number) -> str | None:
    if n.quoted and NUMBER.match(n.text):
        return f"`{n.name}` must be {n.what}, not text in quotes: write `{n.text}` without quotes"
    return None


def _base_sixty(n: _Number) -> str | None:
    if _SEXAGESIMAL.match(n.text):
        return (
            f"`{n.name}` must be {n.what}: `{n.text}` is not read as a time (YAML 1.1 would turn "
            "it into a base-60 number); write the value in one unit, e.g. `90` and `unit: minutes`"
        )
    return None


def _leading_zero(n: _Number) -> str | None:
    if not _LEADING_ZERO.match(n.text):
        return None
    fixed = n.text.lstrip("+-0") or "0"
    if fixed.startswith("."):
        fixed = "0" + fixed
    return (
        f"`{n.name}` must be {n.what}: `{n.text}` has a leading zero, which YAML 1.1 reads as an "
        f"octal number; write `{fixed}`"
    )


def _money(n: _Number) -> str | None:
    currency = _CURRENCY.match(n.text)
    if not currency or not (currency.group(1) or currency.group(3)):
        return None
    symbol = (currency.group(1) or currency.group(3)).strip()
    code = _SYMBOL_CODES.get(symbol, symbol)
    number = re.sub(r"[, ]", "", currency.group(2))
    return f"`{n.name}` must be {n.what}: write `{number}` and `unit: {code}` (found `{n.text}`)"


def _thousands(n: _Number) -> str | None:
    if re.fullmatch(r"[-+]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?", n.text):
        number = n.text.replace(",", "")
        return f"`{n.name}` must be {n.what} without thousands separators: write `{number}`"
    return None


def _fraction_for_a_whole_number(n: _Number) -> str | None:
    if n.integer and NUMBER.match(n.text):
        return f"`{n.name}` must be a whole number such as 1 or 2 (found `{n.text}`)"
    return None


# Tried in order; the first that recognises the mistake names it and its fix.
_NUMBER_HINTS: tuple[Callable[[_Number], str | None], ...] = (
    _percent,
    _quoted,
    _base_sixty,
    _leading_zero,
    _money,
    _thousands,
    _fraction_for_a_whole_number,
)


def _number_message(name: str, node: yaml.ScalarNode, integer: bool) -> str:
    what = "a whole number" if integer else "a plain number"
    number = _Number(name, node.value.strip(), bool(node.style), what, integer)
    for hint in _NUMBER_HINTS:
        if message := hint(number):
            return message
    return f"`{name}` must be {what} such as 40 or 12.5 (found `{number.text}`)"


def parse_number(text: str) -> float | None:
    """A plain number as the converter reads one (no YAML 1.1 guessing), or None; for lenient
    readers of old files, which must agree with the converter on what a number is."""
    text = text.strip()
    if not NUMBER.match(text):
        return None
    value = float(text)
    return value if math.isfinite(value) and abs(value) <= MAX_NUMBER else None


def _broken(spec: FieldSpec, value: Any) -> str | None:
    """Which of the field's constraints a present value breaks, if any. A pattern must match
    the whole text: `re.search` would let `$` match before a last newline (`id: "abc\\n"`)."""
    if isinstance(value, str):
        if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
            return "pattern"
    elif isinstance(value, int | float) and spec.ge is not None and value < spec.ge:
        return "ge"
    return None


def _constraint_message(problem: str, spec: FieldSpec, name: str, label: str, value: Any) -> str:
    description = _description(spec)
    if problem == "missing":
        hint = f" with {description}" if description else ""
        return f"{label}`{name}` is missing: add a line `{name}: ...`{hint}"
    if problem == "pattern":
        fixed = slugify(str(value)) or "my-result"
        return (
            f"{label}`{name}` `{value}` may only use lowercase letters, digits and hyphens, "
            f"e.g. `{fixed}`"
        )
    ge = spec.ge
    assert ge is not None  # the one constraint left
    return f"{label}`{name}` must be at least {int(ge) if ge == int(ge) else ge}"


def _description(spec: FieldSpec) -> str:
    """The field's description, lower-cased for use mid-sentence."""
    text = spec.description
    return text[0].lower() + text[1:] if text else ""
