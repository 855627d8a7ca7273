"""Split an account file into YAML front matter and Markdown body, and compose the YAML into nodes.

We compose instead of load: nodes keep their line marks and their source text, so the schema decides
what `NO`, `on`, `1:30` or `0123` mean (YAML 1.1 would silently turn them into booleans, sexagesimal
numbers or octal), duplicate keys stay visible, and nothing is ever constructed from a tag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

# The C loader is several times faster; the pure-Python one behaves the same for composing.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_PLAIN_TAGS = {
    yaml.ScalarNode: "tag:yaml.org,2002:str",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
    yaml.MappingNode: "tag:yaml.org,2002:map",
}


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Composes without guessing types: the schema decides what `NO` or `1:30` means (load/
    convert.py reads each scalar's text and style), so the resolver's regular expressions, which
    the composer calls for every scalar, would only be thrown away. An explicit tag keeps its own
    name (the resolver is not asked), and is refused below."""

    def resolve(self, kind: type[yaml.Node], value: object, implicit: object) -> str:
        return _PLAIN_TAGS[kind]

    def descend_resolver(self, current_node: object, current_index: object) -> None:
        return None  # no path resolvers: nothing to track on the way down

    def ascend_resolver(self) -> None:
        return None


# Tags the resolver gives plain values by itself; an explicit `!!python/...` or `!custom` is refused.
_IMPLICIT_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq", "merge", "value")
)


class YamlProblem(Exception):
    """Front matter that cannot be read at all; `line` is 1-based within the whole file."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Document:
    """A parsed file: the front matter's root node and the Markdown body with its first line."""

    root: yaml.MappingNode
    body: str
    body_line: int
    line_offset: int  # add to a node's 0-based mark line to get the file's 1-based line
    yaml_text: str = ""  # the front matter as written, for what only the text shows


def split(text: str) -> tuple[str, str, int, int]:
    """Return (yaml_text, body, yaml_first_line, body_first_line); lines are 1-based."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise YamlProblem(
            1,
            "missing front matter: the file must start with a line `---`, then the account "
            "fields (account:, segment:, csm:, ...), then a closing `---` line",
        )
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            yaml_text = "\n".join(lines[1:index]) + "\n"
            body = "\n".join(lines[index + 1 :])
            return yaml_text, body, 2, index + 2
    raise YamlProblem(
        1, "front matter is not closed: add a line `---` after the last field, before the narrative"
    )


def parse_yaml(yaml_text: str, first_line: int = 1) -> yaml.Node | None:
    """Compose YAML text into a node tree, rejecting aliases and non-standard tags."""
    try:
        root = yaml.compose(yaml_text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line if mark else 0) + first_line
        lines = yaml_text.split("\n")
        source_line = lines[line - first_line] if mark and line - first_line < len(lines) else ""
        # YAML's own words are about its grammar; most of the time a person misaligned a line or
        # left a quote open, somewhere before the place YAML gave up. Say that when it is so.
        if (found := layout_problem(lines)) and found[0] + first_line <= line:
            raise YamlProblem(found[0] + first_line, found[1]) from None
        raise YamlProblem(line, _describe_yaml_error(exc, "\t" in source_line)) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(first_line, f"YAML syntax error: {exc}") from None
    # An alias needs an anchor (`&`, or the composer fails above) and an explicit tag a `!`: a
    # text with neither has none, and skips the walk over every node (a tenth of reading a file).
    if root is not None and ("&" in yaml_text or "!" in yaml_text):
        _reject_aliases_and_tags(root, yaml_text, first_line)
    return root


def parse_document(text: str) -> Document:
    yaml_text, body, yaml_line, body_line = split(text)
    root = parse_yaml(yaml_text, yaml_line)
    if root is None:
        raise YamlProblem(
            yaml_line, "the front matter is empty: add the account fields (account:, segment:, ...)"
        )
    if not isinstance(root, yaml.MappingNode):
        raise YamlProblem(
            root.start_mark.line + yaml_line,
            "the front matter must be a list of `key: value` lines (a mapping), "
            "not a single value or a list",
        )
    return Document(
        root=root, body=body, body_line=body_line, line_offset=yaml_line, yaml_text=yaml_text
    )


_BLOCK_SCALAR = re.compile(r":\s+[|>][-+]?\s*(#.*)?$")
_KEY_OPENS = re.compile(r"^[^#'\"]*?:\s*(#.*)?$")  # `key:` with nothing after it: a block follows
_OPEN_QUOTE = re.compile(r"^(?:-\s+)?[\w-]+:\s+([\"'])")


def layout_problem(lines: list[str]) -> tuple[int, str] | None:
    """(0-based line, message) of the first line a person most likely got wrong: a quote opened
    and never closed on its line, or an indentation that matches no open block. None when the
    lines look right (tabs are left to YAML's own message)."""
    levels = [0]  # the indentations of the blocks open at this point, outermost first
    dashes: list[int] = []  # the indentation of each list seen, for a misplaced `- ` line
    opens = False  # the previous line ends in `key:`: a deeper block may start
    text_deeper_than: int | None = None  # inside a `|` or `>` block of text
    for number, raw in enumerate(lines):
        stripped = raw.lstrip(" ")
        if not stripped.strip() or stripped.startswith("#"):
            continue
        if stripped.startswith("\t") or "\t" in raw[: len(raw) - len(stripped)]:
            return None
        indent = len(raw) - len(stripped)
        if text_deeper_than is not None:
            if indent > text_deeper_than:
                continue
            text_deeper_than = None
        if quote := _unclosed_quote(stripped):
            return number, (
                f"the value starts with `{quote}` but its closing `{quote}` is missing on this "
                f"line: add `{quote}` at the end of the value"
            )
        is_item = stripped.startswith("- ")
        if opens and indent > levels[-1]:
            levels.append(indent)
        else:
            deeper = [level for level in levels if level > indent]
            while len(levels) > 1 and indent < levels[-1]:
                levels.pop()
            if indent != levels[-1]:
                if is_item and dashes:
                    expected, what = min(dashes, key=lambda d: abs(d - indent)), "list's items"
                else:
                    expected, what = (deeper[0] if deeper else levels[-1]), "keys it belongs with"
                return number, (
                    f"this line is indented {indent} spaces, but the {what} are indented "
                    f"{expected} (column {expected + 1}): indent it with {expected} spaces"
                )
        content = stripped
        if is_item:
            if indent not in dashes:
                dashes.append(indent)
            item = len(stripped) - len(stripped[1:].lstrip(" "))
            levels.append(indent + item)  # the item's own keys line up after "- "
            content = stripped[item:]
        opens = bool(_KEY_OPENS.match(content))
        if _BLOCK_SCALAR.search(content):
            text_deeper_than, opens = indent, False
    return None


def _unclosed_quote(line: str) -> str | None:
    match = _OPEN_QUOTE.match(line)
    if not match:
        return None
    quote = match.group(1)
    rest = line[match.end() :]
    escapes = ("\\\\", '\\"') if quote == '"' else ("''",)
    for escape in escapes:
        rest = rest.replace(escape, "")
    return None if quote in rest else quote


def _describe_yaml_error(exc: yaml.MarkedYAMLError, tab_on_line: bool = False) -> str:
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    hint = ""
    if "tab" in problem or "'\\t'" in problem or (tab_on_line and "cannot start" in problem):
        problem, context = "a tab character", ""
        hint = "; indent with spaces, not tabs"
    elif "mapping values are not allowed" in problem:
        # The C and Python parsers word this differently; say it once, our way.
        problem, context = "a `: ` inside a value", ""
        hint = '; put the value in quotes, e.g. goal: "Cut cost: 10%"'
    elif "found undefined alias" in problem or "found undefined tag" in problem:
        hint = "; anchors, aliases and tags are not supported"
    elif "could not find expected ':'" in problem:
        hint = "; every line must be `key: value`; check the indentation"
    elif "found character '%'" in problem or "found character '@'" in problem:
        hint = '; put values that start with % or @ in quotes, e.g. unit: "%"'
    text = problem if not context else f"{problem} ({context})"
    return f"YAML syntax error: {text}{hint}"


def _reject_aliases_and_tags(root: yaml.Node, yaml_text: str, first_line: int) -> None:
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            # An alias makes the composer return the anchored node a second time.
            line = _alias_line(yaml_text) + first_line
            raise YamlProblem(
                line,
                "YAML anchors and aliases (&name, *name) are not allowed: write the value out in full",
            )
        seen.add(id(node))
        if node.tag not in _IMPLICIT_TAGS:
            raise YamlProblem(
                node.start_mark.line + first_line,
                f"YAML tags like `{node.tag}` are not allowed: write a plain value",
            )
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _alias_line(yaml_text: str) -> int:
    """0-based line of the first alias event; only called on the rare rejected path."""
    for event in yaml.parse(yaml_text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent) and event.start_mark is not None:
            return int(event.start_mark.line)
    return 0
