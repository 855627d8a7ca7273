"""`outcomesite import`: account files from a team's spreadsheet, one row per result.

All or nothing: every file is generated as text, run through the same validator as `check`, and
only written when no file has an error. Each generated line remembers the spreadsheet row whose
value produced it, so that `check`'s message (same wording, same fix) is reported at the row a CSM
has to correct, as `FILE:ROW: error: ...`. Warnings (no validator, placeholders in the narrative)
do not stop an import: the summary counts them and `check` lists them, as after `outcomesite new`.

`--update` edits existing files the way `record` does: a value the sheet holds replaces the value
on its line (the rest of the line, comment included, and every other line stay byte for byte),
a field the file lacks is added on a new line, and new results go to the end of `results:`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

from outcomesite.data import DataResult
from outcomesite.data.spreadsheet import Cell, column_key, read_columns, read_table
from outcomesite.errors import EXIT_USAGE, OutcomesiteError
from outcomesite.files import replace_file
from outcomesite.layout import ACCOUNTS, ACCOUNTS_DIR
from outcomesite.load.account import validate_text
from outcomesite.load.config import load_config
from outcomesite.load.convert import suggest
from outcomesite.load.frontmatter import YamlProblem, parse_document
from outcomesite.model.config import SiteConfig
from outcomesite.model.schema import SLUG, slugify
from outcomesite.scaffold import placeholders

ACCOUNT_COLUMNS = ("account", "slug", "segment", "csm", "start_date", "renewal_date", "arr")
RESULT_COLUMNS = (
    "result_id",
    "goal",
    "metric",
    "unit",
    "direction",
    "baseline",
    "target",
    "current",
    "measured_on",
    "due",
    "owner",
    "category",
    "attribution",
)
VALIDATOR_COLUMNS = ("validator_name", "validator_role", "validator_level", "confirmed_on")
COLUMNS = ACCOUNT_COLUMNS + RESULT_COLUMNS + VALIDATOR_COLUMNS
REQUIRED_FOR_NEW = ("segment", "csm", "start_date")
REQUIRED_FOR_RESULT = ("goal", "metric", "baseline", "target", "owner")
# Fields whose cell text is written as the CSM typed it, unquoted when YAML allows, so that
# `check` judges (and quotes back) exactly that text: "write `65` and `unit: "%"` (found `65%`)".
LITERAL = {
    "segment", "start_date", "renewal_date", "arr", "direction", "baseline", "target",
    "current", "measured_on", "due", "category", "validator_level", "confirmed_on",
}  # fmt: skip
# The key each column becomes in the file (the validator's keys sit under `validator:`).
KEY = {"result_id": "id", "validator_name": "name", "validator_role": "role"}
KEY |= {"validator_level": "level"}
COMMENT_COLUMN = 31  # where the comments start, as in `outcomesite new`'s scaffold
COMMENTS = {
    "account": "the customer's name, as they write it",
    "segment": "smb | mid-market | enterprise",
    "csm": "the internal account owner",
    "start_date": "start of the relationship (YYYY-MM-DD); the 90-day check counts from it",
    "renewal_date": "internal only, never shown to the customer: the next renewal",
    "arr": "internal only, never shown to the customer: annual recurring revenue in {currency}",
    "result_id": "lowercase letters, digits, hyphens; unique in this file",
    "unit": 'free text; "%" and currency codes such as USD format specially',
    "direction": "increase | decrease",
    "baseline": "the value before our product: a plain number",
    "target": "the value the customer wants to reach",
    "current": "the latest measured value ...",
    "measured_on": "... and the day it was measured (required together)",
    "due": "when the customer expects to reach the target",
    "owner": "who on our side owns this result",
    "category": "revenue | cost | risk | efficiency | experience",
    "attribution": "how our product caused the change; needed for the top rung",
    "validator_level": "user | team-lead | manager | executive",
    "confirmed_on": "the day they confirmed it; it covers the latest value measured by then",
}
ID_LENGTH = 40

Line = tuple[str, int]  # a line of a file and the spreadsheet row it came from
Problem = tuple[int, str]  # a spreadsheet row and what is wrong there


@dataclass
class Row:
    """One spreadsheet row: its number and its non-empty cells by column."""

    number: int
    cells: dict[str, Cell]

    def has_result(self) -> bool:
        return any(c in self.cells for c in RESULT_COLUMNS + VALIDATOR_COLUMNS)


@dataclass
class Group:
    """The rows of one account, and each account-level value with the row that gave it."""

    rows: list[Row] = field(default_factory=list)
    values: dict[str, tuple[Cell, int]] = field(default_factory=dict)

    @property
    def first(self) -> int:
        return self.rows[0].number

    @property
    def name(self) -> str:
        value = self.values.get("account")
        return str(value[0]) if value else str(self.values["slug"][0])


# --- columns -------------------------------------------------------------------------------------


def resolve_header(
    header: list[str], mapping: dict[str, str | None]
) -> tuple[list[str | None], list[str]]:
    """The column each header names (None: ignored) and the problems with the header row: an
    unknown name (with the closest known one), a column given twice."""
    known = {column_key(c): c for c in COLUMNS}
    columns: list[str | None] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for name in header:
        key = column_key(name)
        column = mapping[key] if key in mapping else known.get(key)
        if not name or (key in mapping and column is None):
            columns.append(None)
            continue
        if column is None:
            guess = suggest(key, list(known))
            if guess:
                hint = f"did you mean `{known[guess]}`? (or map it with --columns: `{name}: {known[guess]}`)"
            else:
                hint = f"the columns are {', '.join(COLUMNS)} (or map yours with --columns: `{name}: account`)"
            problems.append(f"unknown column `{name}`: {hint}")
            columns.append(None)
            continue
        if column in seen:
            problems.append(
                f"the columns `{seen[column]}` and `{name}` are both `{column}`: keep one"
            )
        seen[column] = name
        columns.append(column)
    return columns, problems


def missing_columns(present: set[str], update: bool, creates: bool = True) -> list[str]:
    """What the header lacks: a name for each account and, unless --update (which may change
    one field), what a new account and a result need. A new account or result that --update
    adds without them gets `check`'s message at its row instead."""
    problems = []
    if not present & {"account", "slug"}:
        problems.append("missing column `account`: add a column with each customer's name")
    needed = list(REQUIRED_FOR_NEW) if creates and not update else []
    if creates and not update and present & set(RESULT_COLUMNS + VALIDATOR_COLUMNS):
        needed += REQUIRED_FOR_RESULT  # an update may change one field of existing results
    for column in needed:
        if column not in present:
            problems.append(
                f"missing column `{column}`: every new account file needs it; add the column "
                "(or map yours to it with --columns)"
                if column in REQUIRED_FOR_NEW
                else f"missing column `{column}`: every result needs it; add the column "
                "(or map yours to it with --columns)"
            )
    return problems


# --- rows to accounts ------------------------------------------------------------------------


def group_rows(rows: list[Row]) -> tuple[list[Group], list[Problem]]:
    """Rows with the same account name (any case) or the same slug make one account; an
    account-level value must be the same in every row that gives it."""
    groups: list[Group] = []
    by_name: dict[str, Group] = {}
    by_slug: dict[str, Group] = {}
    problems: list[Problem] = []
    for row in rows:
        name = row.cells.get("account")
        slug = row.cells.get("slug")
        if name is None and slug is None:
            problems.append((row.number, "the row has no `account`: write the customer's name"))
            continue
        named = by_name.get(str(name).casefold()) if name is not None else None
        slugged = by_slug.get(str(slug)) if slug is not None else None
        if named is not None and slugged is not None and named is not slugged:
            problems.append(
                (
                    row.number,
                    f"the account `{name}` is on row {named.first} and the slug `{slug}` on "
                    f"row {slugged.first} belongs to another account: correct one of them",
                )
            )
            continue
        group = slugged or named
        if group is None:
            group = Group()
            groups.append(group)
        group.rows.append(row)
        if name is not None:
            by_name.setdefault(str(name).casefold(), group)
        if slug is not None:
            by_slug.setdefault(str(slug), group)
        for column in ACCOUNT_COLUMNS:
            if column not in row.cells:
                continue
            value = row.cells[column]
            if column not in group.values:
                group.values[column] = (value, row.number)
            elif not same(group.values[column][0], value):
                earlier, at = group.values[column]
                problems.append(
                    (
                        row.number,
                        f"account `{group.name}`: `{column}` is `{value}` here but `{earlier}` "
                        f"on row {at}: every row of an account must give the same `{column}` "
                        "(or leave it empty)",
                    )
                )
    return groups, problems


def same(a: Cell, b: Cell) -> bool:
    """Account-level values compare as text, a name without case: `Acme` and `ACME` agree."""
    return str(a).casefold() == str(b).casefold()


def result_id(row: Row) -> str:
    """The result's id: the `result_id` cell, or made from the goal (else the metric), cut at a
    hyphen to stay short."""
    given = row.cells.get("result_id")
    if given is not None:
        return str(given)
    base = slugify(str(row.cells.get("goal") or row.cells.get("metric") or "")) or "result"
    if len(base) > ID_LENGTH:
        base = base[:ID_LENGTH].rsplit("-", 1)[0]
    return base


def assign_slugs(groups: list[Group], taken: set[str]) -> tuple[list[str], list[Problem]]:
    """Each group's slug: its `slug` cell, or its name transliterated (`Müller` -> `mueller`),
    with `-2`, `-3`, ... when another account (or a file in `taken`) already has it."""
    slugs: list[str] = []
    problems: list[Problem] = []
    used = set(taken) | {str(g.values["slug"][0]) for g in groups if "slug" in g.values}
    for group in groups:
        if "slug" in group.values:
            slug, row = str(group.values["slug"][0]), group.values["slug"][1]
            if not SLUG.match(slug):
                problems.append(
                    (
                        row,
                        f"`slug` `{slug}` is not a valid slug: write `{slugify(slug) or 'acme'}` "
                        "(lowercase letters, digits and hyphens, starting with a letter or digit)",
                    )
                )
            slugs.append(slug)
            continue
        base = slugify(group.name) or "account"
        slug, n = base, 1
        while slug in used:
            n += 1
            slug = f"{base}-{n}"
        used.add(slug)
        slugs.append(slug)
    return slugs, problems


# --- values as YAML ------------------------------------------------------------------------------


def yaml_value(column: str, cell: Cell) -> str:
    """A cell as YAML that reads back as exactly that cell: numbers as numbers (65.0 -> 65),
    dates as YYYY-MM-DD, texts quoted when YAML would read them as something else ("yes",
    "2026", "Save #1"). Number, date and choice columns keep a CSV cell's text as typed, so that
    `check` says what is wrong with it in its own words."""
    if isinstance(cell, dt.date):
        text = cell.isoformat()
        return text if column in LITERAL else quoted(text)
    if isinstance(cell, bool) or cell is None:  # not produced by the reader; kept total
        return quoted(str(cell))
    if isinstance(cell, int | float):
        text = number_text(cell)
        return text if column in LITERAL else quoted(text)
    if plain_reads(cell, exact=column not in LITERAL):
        return cell
    return quoted(cell)


def number_text(number: int | float) -> str:
    """A number as YAML writes it plainly: 65, 3.2, 0.00001 (never `1e-05`, a string in YAML)."""
    if isinstance(number, int) or number.is_integer():
        return str(int(number))
    text = repr(number)
    return format(Decimal(text), "f") if "e" in text else text


def plain_reads(text: str, *, exact: bool) -> bool:
    """Whether `key: text` reads back as one plain value: the same text when `exact`, else any
    scalar (a number or date is what a literal column wants)."""
    if "\n" in text or " #" in text or text != text.strip() or text[:1] in "&*!|>'\"%@`{[":
        return False
    try:
        loaded = yaml.safe_load(f"key: {text}")
    except yaml.YAMLError:
        return False
    if not isinstance(loaded, dict) or list(loaded) != ["key"]:
        return False
    value = loaded["key"]
    if exact:
        return value == text and isinstance(value, str)
    return isinstance(value, str | int | float | dt.date) and (
        not isinstance(value, str) or value == text
    )


def cell_text(cell: Cell) -> str:
    """A cell as the text YAML holds for it (dates ISO, 65.0 as 65)."""
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return number_text(cell)
    return str(cell)


def quoted(text: str) -> str:
    """A double-quoted YAML string (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def key_line(indent: str, column: str, cell: Cell, currency: str, comment: bool) -> str:
    """`key: value`, with the scaffold's comment for that key lined up at COMMENT_COLUMN."""
    text = f"{indent}{KEY.get(column, column)}: {yaml_value(column, cell)}"
    note = COMMENTS.get(column) if comment else None
    if note is None:
        return text
    return text + " " * max(2, COMMENT_COLUMN - len(text)) + "# " + note.format(currency=currency)


# --- a new account file -------------------------------------------------------------------------


def result_lines(row: Row, dash: int, currency: str, comment: bool = True) -> list[Line]:
    """One result block, every line tagged with its row."""
    indent = " " * (dash + 2)
    cells = {"result_id": result_id(row), **row.cells}
    lines: list[Line] = []
    for column in RESULT_COLUMNS:
        if column in cells:
            text = key_line(indent, column, cells[column], currency, comment)
            if column == "result_id":
                text = " " * dash + "- " + text[dash + 2 :]
            lines.append((text, row.number))
    lines += validator_lines(row, indent, currency, comment)
    return lines


def validator_lines(row: Row, indent: str, currency: str, comment: bool) -> list[Line]:
    if not any(c in row.cells for c in VALIDATOR_COLUMNS):
        return []
    lines = [(f"{indent}validator:", row.number)]
    for column in VALIDATOR_COLUMNS:
        if column in row.cells:
            line = key_line(indent + "  ", column, row.cells[column], currency, comment)
            lines.append((line, row.number))
    return lines


def account_lines(group: Group, source: str, currency: str) -> list[Line]:
    """A new account file, commented like `outcomesite new`'s scaffold, with the scaffold's
    narrative placeholders (check warns at each until they are replaced)."""
    first = group.first
    rows = [r.number for r in group.rows]
    span = f"row {rows[0]}" if len(rows) == 1 else f"rows {min(rows)}-{max(rows)}"
    lines: list[Line] = [
        ("---", first),
        (f"# Imported from {source} ({span}) by `outcomesite import`. Lines starting with # are", first),
        ("# comments. Run `outcomesite check` after editing.", first),
    ]  # fmt: skip
    for column in ACCOUNT_COLUMNS:
        if column in group.values and column != "slug":
            value, at = group.values[column]
            lines.append((key_line("", column, value, currency, True), at))
    lines += [
        ("# link_version: 1              # bump to revoke the customer's old link", first),
        ("# usage: adoption              # activity (default) | adoption", first),
    ]
    results = [r for r in group.rows if r.has_result()]
    if results:
        lines.append(("results:", first))
        for row in results:
            lines += result_lines(row, 2, currency)
    lines.append(("---", first))
    for heading, text in (
        ("What's working", placeholders.WORKING),
        ("What's not working", placeholders.NOT_WORKING),
        ("Next step", placeholders.NEXT_STEP),
    ):
        lines += [(f"## {heading}", first), ("", first), (text, first), ("", first)]
    return [*lines[:-1], ("", first)]  # one newline at the end


# --- updating an existing file ------------------------------------------------------------------


@dataclass
class Edit:
    """An existing file as lines with rows, edits in place and lines to insert after a line."""

    lines: list[str]
    rows: list[int]
    after: dict[int, list[Line]] = field(default_factory=dict)

    def set(self, node: yaml.Node, offset: int, text: str, row: int) -> bool:
        """Put `text` where the value `node` is, on its line; False when it spans lines."""
        start, end = node.start_mark, node.end_mark
        if start.line != end.line:
            return False
        index = start.line + offset - 1
        line = self.lines[index]
        if line[start.column : end.column] != text:
            self.lines[index] = line[: start.column] + text + line[end.column :]
            self.rows[index] = row
        return True

    def insert(self, index: int, lines: list[Line]) -> None:
        self.after.setdefault(index, []).extend(lines)

    def result(self) -> list[Line]:
        out: list[Line] = []
        for index, (line, row) in enumerate(zip(self.lines, self.rows, strict=True)):
            out.append((line, row))
            out += self.after.get(index, [])
        return out


def last_line(node: yaml.Node, offset: int) -> int:
    """The 0-based file line of a node's last character (a block ends at the next line's start)."""
    end = node.end_mark
    return (end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line) + (
        offset - 1
    )


def pairs(node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    return {str(k.value): (k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def update_lines(text: str, group: Group, rel: str, currency: str) -> list[Line] | list[Problem]:
    """The existing file with the group's values: see the module's docstring. Problems when a
    value to change is not a one-line value (edit those by hand)."""
    first = group.first
    try:
        document = parse_document(text.replace("\r\n", "\n"))
    except YamlProblem as exc:
        return [(first, f"{rel} has an error at line {exc.line} ({exc.message}): fix it first")]
    offset = document.line_offset
    lines = text.split("\n")
    edit = Edit(lines, [first] * len(lines))
    problems: list[Problem] = []
    top = pairs(document.root)
    anchor = next(
        (
            v.start_mark.line + offset - 1
            for _, v in top.values()
            if isinstance(v, yaml.ScalarNode) and v.start_mark.line == v.end_mark.line
        ),
        offset - 2,  # after the opening ---
    )

    def put(
        where: dict[str, tuple[yaml.Node, yaml.Node]], column: str, cell: Cell, row: int
    ) -> bool:
        key = KEY.get(column, column)
        if key not in where:
            return False
        node = where[key][1]
        if isinstance(node, yaml.ScalarNode) and node.value == cell_text(cell):
            return True  # the same value, however it is written: the line stays as it is
        if not isinstance(node, yaml.ScalarNode) or not edit.set(
            node, offset, yaml_value(column, cell), row
        ):
            problems.append(
                (row, f"`{key}` in {rel} is not a one-line value: change it there by hand")
            )
        return True

    for column in ACCOUNT_COLUMNS:
        if column in group.values and column != "slug":
            value, at_row = group.values[column]
            if not put(top, column, value, at_row):
                edit.insert(anchor, [(key_line("", column, value, currency, False), at_row)])

    results = top.get("results", (None, None))[1]
    items = [i for i in results.value if isinstance(i, yaml.MappingNode)] if results else []
    existing: dict[str, yaml.MappingNode] = {}
    for item in items:
        fields = pairs(item)
        for key in ("id", "goal"):
            if key in fields and isinstance(fields[key][1], yaml.ScalarNode):
                existing.setdefault(str(fields[key][1].value).casefold(), item)
    new: list[Row] = []
    for row in (r for r in group.rows if r.has_result()):
        goal = str(row.cells.get("goal", "")).casefold()
        found = existing.get(result_id(row).casefold()) or existing.get(goal)
        if found is None:
            new.append(row)
            continue
        fields = pairs(found)
        id_key, id_value = fields.get("id", next(iter(fields.values())))
        indent = " " * id_key.start_mark.column
        at = id_value.start_mark.line + offset - 1
        for column in RESULT_COLUMNS:
            if column in row.cells and not put(fields, column, row.cells[column], row.number):
                line = key_line(indent, column, row.cells[column], currency, False)
                edit.insert(at, [(line, row.number)])
        validator = fields.get("validator", (None, None))[1]
        if isinstance(validator, yaml.MappingNode) and validator.value:
            inner = pairs(validator)
            first_key = validator.value[0][0]
            inner_at = first_key.start_mark.line + offset - 1
            for column in VALIDATOR_COLUMNS:
                if column in row.cells and not put(inner, column, row.cells[column], row.number):
                    line = key_line(
                        " " * first_key.start_mark.column,
                        column,
                        row.cells[column],
                        currency,
                        False,
                    )
                    edit.insert(inner_at, [(line, row.number)])
        elif validator is None:
            edit.insert(at, validator_lines(row, indent, currency, False))
        elif any(c in row.cells for c in VALIDATOR_COLUMNS):
            problems.append(
                (row.number, f"`validator` in {rel} is not a block of lines: change it by hand")
            )
    if new:
        if isinstance(results, yaml.SequenceNode) and items and not results.flow_style:
            dash = items[0].start_mark.column - 2
            blocks = [line for row in new for line in result_lines(row, dash, currency, False)]
            edit.insert(last_line(results, offset), blocks)
        elif results is None:
            blocks = [line for row in new for line in result_lines(row, 2, currency, False)]
            edit.insert(last_line(document.root, offset), [("results:", new[0].number), *blocks])
        else:
            problems.append(
                (new[0].number, f"`results` in {rel} is not a list of blocks: add results by hand")
            )
    return problems or edit.result()


# --- the command ---------------------------------------------------------------------------------


@dataclass
class Planned:
    """One file to write: its path relative to the site, text, rows and whether it is new."""

    rel: str
    text: str
    created: bool


def existing_names(folder: Path) -> dict[str, str]:
    """The `account` name of each existing account file, by slug (best effort: a file that does
    not read is matched by its slug only)."""
    names: dict[str, str] = {}
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        try:
            text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
            data = yaml.safe_load(text.split("\n---", 1)[0].removeprefix("---\n"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and isinstance(data.get("account"), str):
            names[path.stem] = data["account"]
    return names


def import_file(
    root: Path,
    source: Path,
    *,
    dry_run: bool,
    update: bool,
    sheet: str | None,
    columns: Path | None,
    as_of: dt.date,
) -> DataResult:
    """Import `source` into the site at `root`: see the module's docstring."""
    config, config_problems = load_config(root)
    if config_problems:
        raise OutcomesiteError(
            f"{config_problems[0].format_text()}: fix outcomesite.yaml first", EXIT_USAGE
        )
    table = read_table(source, sheet)
    mapping = read_columns(columns, list(COLUMNS)) if columns is not None else {}
    shown = str(source)

    def report(problems: list[Problem]) -> DataResult:
        ordered = sorted(dict.fromkeys(problems), key=lambda p: p[0])
        errors = [f"{shown}:{row}: error: {message}" for row, message in ordered]
        noun = "error" if len(errors) == 1 else "errors"
        return DataResult(errors=errors, summary=f"{len(errors)} {noun}: nothing written")

    names, header_problems = resolve_header(table.header, mapping)
    present = {n for n in names if n is not None}
    # A misspelt column is one problem, not two: its suggestion is not also reported missing.
    meant = {
        p.split("`")[3]
        for p in header_problems
        if p.startswith("unknown column") and "did you mean" in p
    }
    header_problems += [
        p for p in missing_columns(present, update, creates=False) if p.split("`")[1] not in meant
    ]
    if header_problems:
        return report([(1, p) for p in header_problems])
    rows = [
        Row(number, {n: c for n, c in zip(names, cells, strict=False) if n and c is not None})
        for number, cells in table.rows
    ]
    groups, problems = group_rows(rows)
    folder = root / ACCOUNTS_DIR
    on_disk = existing_names(folder)
    files = {p.stem for p in folder.glob("*.md")} if folder.is_dir() else set()
    by_name = {name.casefold(): slug for slug, name in on_disk.items()}
    targets: list[tuple[Group, str | None]] = []
    for group in groups:
        slug_cell = group.values.get("slug")
        match = str(slug_cell[0]) if slug_cell else by_name.get(group.name.casefold())
        targets.append((group, match if match in files else None))
    new_groups = [g for g, match in targets if match is None]
    # What only a new account needs is asked for once one is made: a sheet of existing accounts
    # without --update gets "already exists", the message that helps.
    missing = [
        p
        for p in missing_columns(present, update, creates=bool(new_groups))
        if p.split("`")[1] not in meant
    ]
    if missing:
        return report([(1, p) for p in missing])
    taken = files | {m for _, m in targets if m is not None}
    new_slugs, slug_problems = assign_slugs(new_groups, taken)
    problems += slug_problems
    slugs = dict(zip(map(id, new_groups), new_slugs, strict=True))

    planned: list[Planned] = []
    warnings = 0
    for group, match in targets:
        problems += duplicate_results(group)
        slug = match or slugs[id(group)]
        rel = f"{ACCOUNTS}/{slug}.md"
        if match is not None and not update:
            problems.append(
                (
                    group.first,
                    f"{rel} already exists (account `{on_disk.get(match, group.name)}`): it was left "
                    "untouched; give --update to change the fields this spreadsheet holds",
                )
            )
            continue
        if match is None:
            lines = account_lines(group, source.name, config.currency)
        else:
            old = (folder / f"{slug}.md").read_text(encoding="utf-8")
            edited = update_lines(old, group, rel, config.currency)
            if edited and isinstance(edited[0][0], int):
                problems += [(int(r), str(m)) for r, m in edited]
                continue
            lines = [(str(t), int(r)) for t, r in edited]
            if "\n".join(t for t, _ in lines) == old:
                continue
        checked, count = check_lines(lines, rel, slug, root, config, as_of, group.first)
        problems += checked
        warnings += count
        planned.append(Planned(rel, "\n".join(t for t, _ in lines), match is None))
    if problems:
        return report(problems)
    return finish(root, planned, dry_run, len(rows), warnings)


def duplicate_results(group: Group) -> list[Problem]:
    """Two rows of one account giving the same result (the same id, from the goal)."""
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    for row in (r for r in group.rows if r.has_result()):
        rid = result_id(row)
        if rid in seen:
            problems.append(
                (
                    row.number,
                    f"account `{group.name}`: the result `{rid}` is already on row {seen[rid]}: "
                    "one row per result (merge the two rows, or give this one another goal or "
                    "`result_id`)",
                )
            )
        seen.setdefault(rid, row.number)
    return problems


def check_lines(
    lines: list[Line],
    rel: str,
    slug: str,
    root: Path,
    config: SiteConfig,
    as_of: dt.date,
    first: int,
) -> tuple[list[Problem], int]:
    """`check`'s errors for the file, each at the row that produced its line; and how many
    warnings it gives."""
    raw = "\n".join(t for t, _ in lines).encode("utf-8")
    loaded = validate_text(raw, rel, slug, root, config, as_of)
    problems: list[Problem] = []
    for diagnostic in loaded.diagnostics:
        # Two rows giving one result are reported at the second row, in the sheet's terms.
        if diagnostic.severity == "error" and not diagnostic.message.startswith(
            "duplicate result id"
        ):
            index = diagnostic.line - 1
            row = lines[index][1] if 0 <= index < len(lines) else first
            problems.append((row, diagnostic.message))
    return problems, sum(d.severity == "warning" for d in loaded.diagnostics)


def finish(
    root: Path, planned: list[Planned], dry_run: bool, rows: int, warnings: int
) -> DataResult:
    """Write (or, with --dry-run, show) every planned file; each is written whole, atomically."""
    out: list[str] = []
    for plan in planned:
        action = "created" if plan.created else "updated"
        if dry_run:
            out.append(f"--- {plan.rel} (would be {action})")
            out.append(plan.text.rstrip("\n"))
        else:
            write_atomic(root / plan.rel, plan.text, exclusive=plan.created)
            out.append(f"{action} {plan.rel}")
    created = sum(p.created for p in planned)
    would = "would be " if dry_run else ""
    summary = (
        f"{created} account {'file' if created == 1 else 'files'} {would}created, "
        f"{len(planned) - created} {would}updated, from {rows} {'row' if rows == 1 else 'rows'}"
    )
    if warnings:
        summary += (
            f"; {warnings} {'warning' if warnings == 1 else 'warnings'}: run `outcomesite check`"
        )
    return DataResult(
        report="\n".join(out) + "\n" if out else "",
        summary=summary,
        written=[] if dry_run else [p.rel for p in planned],
    )


def write_atomic(path: Path, text: str, *, exclusive: bool) -> None:
    """Write whole (files.replace_file); a new file never replaces one that appeared meanwhile."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if exclusive and path.exists():
        raise OutcomesiteError(f"{path}: appeared during the import; nothing replaced", EXIT_USAGE)
    replace_file(path, text.encode("utf-8"))
