"""Split an account file into YAML front matter and Markdown body, and compose the YAML into nodes.

We compose instead of load: nodes keep their line marks and their source text, so the schema decides
what `NO`, `on`, `1:30` or `0123` mean (YAML 1.1 would silently turn them into booleans, sexagesimal
numbers or octal), duplicate keys stay visible, and nothing is ever constructed from a tag.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

# The C loader is several times faster; the pure-Python one behaves the same for composing.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

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
        raise YamlProblem(line, _describe_yaml_error(exc, "\t" in source_line)) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(first_line, f"YAML syntax error: {exc}") from None
    if root is not None:
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
    return Document(root=root, body=body, body_line=body_line, line_offset=yaml_line)


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
