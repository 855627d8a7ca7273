"""Edit an account file's front matter in place, byte for byte, using the YAML node marks.

A measurement changes two or three values of one result; the pull request that records it must show
exactly those lines. So the file is never dumped again: the composed nodes say where each value is
(line and column, in characters), and only those spans are replaced or new lines inserted. Every
other byte stays: comments, key order, quoting, indentation, line endings (CRLF stays CRLF) and a
byte-order mark.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import yaml

from outcomesite.load.frontmatter import Document, parse_document

BOM = "\ufeff"
_LINE_BREAK = re.compile("\n")
# A text that YAML reads back as itself when written plainly, and that no ` #` or `: ` can cut.
_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ,.()/_+&'-]*$")


@dataclass
class Span:
    """A replacement of text[start:end] (start == end: an insertion)."""

    start: int
    end: int
    text: str


@dataclass
class Measurement:
    """What to write into one result: the new current value (None: keep it), the source, and the
    history points to add or correct (outside Git only), by ISO date."""

    value: str | None = None
    date: str | None = None
    source: str | None = None
    history: dict[str, str] = field(default_factory=dict)


class AccountText:
    """One account file as text, its nodes, and the edits made to it so far."""

    def __init__(self, raw: bytes) -> None:
        """Raises UnicodeDecodeError or frontmatter.YamlProblem for a file that cannot be read."""
        text = raw.decode("utf-8")
        self.bom = text.startswith(BOM)
        self.text = text[1:] if self.bom else text
        # The validator reads CRLF as LF; so do the marks: only the line breaks differ, so a
        # (line, column) from the LF text is the same place in the original.
        self.document: Document = parse_document(self.text.replace("\r\n", "\n"))
        self.starts = [0, *(found.end() for found in _LINE_BREAK.finditer(self.text))]
        self.spans: list[Span] = []

    # -- reading ---------------------------------------------------------------------------

    def offset(self, mark: yaml.Mark) -> int:
        """The character offset in `text` of a mark of the front matter's YAML."""
        line = mark.line + self.document.line_offset - 1  # 0-based line of the whole file
        return self.starts[line] + mark.column

    def newline_at(self, offset: int) -> str:
        """The line ending of the line holding `offset`: new lines follow their neighbours."""
        end = self.text.find("\n", offset)
        return "\r\n" if end > 0 and self.text[end - 1] == "\r" else "\n"

    def line_end(self, offset: int) -> int:
        """The offset just after the line break of the line holding `offset`."""
        end = self.text.find("\n", offset)
        return len(self.text) if end < 0 else end + 1

    def scalar(self, key: str) -> str | None:
        """A top-level key's plain text (`start_date`), or None."""
        for key_node, value_node in self.document.root.value:
            if key_node.value == key and isinstance(value_node, yaml.ScalarNode):
                return str(value_node.value)
        return None

    def results(self) -> dict[str, yaml.MappingNode]:
        """Each result's mapping node by its id, as written."""
        found: dict[str, yaml.MappingNode] = {}
        for key_node, value_node in self.document.root.value:
            if key_node.value != "results" or not isinstance(value_node, yaml.SequenceNode):
                continue
            for item in value_node.value:
                if isinstance(item, yaml.MappingNode):
                    ident = _get(item, "id")
                    if isinstance(ident, yaml.ScalarNode):
                        found.setdefault(str(ident.value), item)
        return found

    # -- editing ---------------------------------------------------------------------------

    def record(self, node: yaml.MappingNode, change: Measurement) -> None:
        """Write `change` into the result `node`: replace the values that exist, insert the rest
        after `target:` (or after `measured_on:` / `current:` when those exist)."""
        values: list[tuple[str, str]] = []
        if change.value is not None and change.date is not None:
            values += [("current", change.value), ("measured_on", change.date)]
        if change.source is not None and change.value is not None:
            values.append(("source", yaml_text(change.source)))
        missing: list[tuple[str, str]] = []
        for key, text in values:
            pair = _pair(node, key)
            if pair is None:
                missing.append((key, text))
            else:
                self.replace_value(pair[0], pair[1], text)
        new_points: list[tuple[str, str]] = []
        if change.history:
            history = _pair(node, "history")
            if history is None:
                new_points = sorted(change.history.items())
                missing.append(("history", ""))
            elif isinstance(history[1], yaml.SequenceNode):
                self.history(history[1], change.history)
            else:  # `history:` with nothing after it
                self.replace_value(history[0], history[1], _flow(sorted(change.history.items())))
        if not missing:
            return
        if node.flow_style:
            self.insert_flow(node, missing, new_points)
        else:
            self.insert_block(node, missing, new_points)

    def replace_value(self, key: yaml.Node, value: yaml.Node, text: str) -> None:
        if isinstance(value, yaml.ScalarNode) and not value.style and value.value == "":
            # `current:` with nothing after it: the value goes right after the colon.
            colon = self.text.index(":", self.offset(key.end_mark))
            self.spans.append(Span(colon + 1, colon + 1, " " + text))
            return
        start, end = self.offset(value.start_mark), self.offset(value.end_mark)
        if isinstance(value, yaml.ScalarNode) and value.style in ("|", ">"):
            # A block of text ends after its last line break: write the value on the key's line.
            self.spans.append(Span(start, end, text + self.newline_at(start)))
        else:
            self.spans.append(Span(start, end, text))

    def history(self, node: yaml.SequenceNode, points: dict[str, str]) -> None:
        """Correct the history points already on a date (the newer reading wins), append the
        others after the last point."""
        adding = dict(points)
        for item in node.value:
            if not isinstance(item, yaml.MappingNode):
                continue
            date, value = _pair(item, "date"), _pair(item, "value")
            if date is None or value is None or not isinstance(date[1], yaml.ScalarNode):
                continue
            day = str(date[1].value).strip()
            if day in adding:
                self.replace_value(value[0], value[1], adding.pop(day))
        if adding:
            self.append_points(node, sorted(adding.items()))

    def append_points(self, node: yaml.SequenceNode, points: list[tuple[str, str]]) -> None:
        items = [f"{{date: {day}, value: {value}}}" for day, value in points]
        if node.flow_style:
            close = self.offset(node.end_mark) - 1  # just before `]`
            lead = ", " if node.value else ""
            self.spans.append(Span(close, close, lead + ", ".join(items)))
            return
        dash = self.offset(node.start_mark)
        indent = " " * (dash - self.starts[self.text.count("\n", 0, dash)])
        at = self._after(_end(node))
        newline = self.newline_at(max(at - 1, 0))
        self.spans.append(Span(at, at, "".join(f"{indent}- {i}{newline}" for i in items)))

    def insert_block(
        self, node: yaml.MappingNode, missing: list[tuple[str, str]], points: list[tuple[str, str]]
    ) -> None:
        """New `key: value` lines, indented like the result's keys, after the last of `target`,
        `current` and `measured_on` (the result's last key when it has none of them)."""
        key_node, value_node = _anchor(node)
        indent = " " * key_node.start_mark.column
        at = self._after(_end(value_node))
        newline = self.newline_at(max(at - 1, 0))
        lines = []
        for key, text in missing:
            if key == "history":
                lines.append(f"{indent}history:")
                lines += [f"{indent}  - {{date: {d}, value: {v}}}" for d, v in points]
            else:
                lines.append(f"{indent}{key}: {text}")
        self.spans.append(Span(at, at, "".join(line + newline for line in lines)))

    def insert_flow(
        self, node: yaml.MappingNode, missing: list[tuple[str, str]], points: list[tuple[str, str]]
    ) -> None:
        """`- {id: x, target: 40}`: the new keys go inside the braces, at the same place."""
        at = self.offset(_end(_anchor(node)[1]))
        parts = []
        for key, text in missing:
            if key == "history":
                text = _flow(points)
            parts.append(f", {key}: {text}")
        self.spans.append(Span(at, at, "".join(parts)))

    def _after(self, end: yaml.Mark) -> int:
        """Where a line goes after a value that ends at `end`: the start of the next line (after
        any comment on the value's own line). A value that ends at a line's start (a block)
        already ends there."""
        offset = self.offset(end)
        if end.column == 0:
            return offset
        return self.line_end(offset)

    def edited(self) -> bytes:
        """The file with every edit applied, as bytes (the byte-order mark kept)."""
        text = self.text
        for span in sorted(self.spans, key=lambda s: s.start, reverse=True):
            text = text[: span.start] + span.text + text[span.end :]
        return ((BOM if self.bom else "") + text).encode("utf-8")


@functools.lru_cache(maxsize=1024)  # an export repeats its few sources on every row
def yaml_text(value: str) -> str:
    """A text as a YAML value: plain when it reads back as itself, else double-quoted."""
    if _PLAIN.match(value) and not value.endswith(" ") and value == value.strip():
        try:
            if yaml.safe_load(value) == value:
                return value
        except yaml.YAMLError:
            pass
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{escaped}"'


def _anchor(node: yaml.MappingNode) -> tuple[yaml.Node, yaml.Node]:
    """The key new keys go after: the last of `target`, `current` and `measured_on`, or the
    result's last key when it has none of them."""
    anchor = None
    for key_node, value_node in node.value:
        if key_node.value in ("target", "current", "measured_on") and (
            anchor is None or value_node.end_mark.index >= anchor[1].end_mark.index
        ):
            anchor = (key_node, value_node)
    return anchor or node.value[-1]


def _flow(points: list[tuple[str, str]]) -> str:
    return "[" + ", ".join(f"{{date: {d}, value: {v}}}" for d, v in points) + "]"


def _end(node: yaml.Node) -> yaml.Mark:
    """Where a node's text ends. A block collection's own end mark is where the next token
    starts (possibly lines later, after comments): its last scalar's end is exact."""
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        return node.end_mark
    if isinstance(node, yaml.MappingNode) and node.value:
        return _end(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and node.value:
        return _end(node.value[-1])
    return node.end_mark


def _pair(node: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return key_node, value_node
    return None


def _get(node: yaml.MappingNode, key: str) -> yaml.Node | None:
    pair = _pair(node, key)
    return pair[1] if pair else None
