"""What an old version of an account file says, read leniently: an old version that no longer
passes today's checks still contributes what it clearly says (a measurement, its link version)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import yaml

from outcomesite.load.convert import parse_number
from outcomesite.load.frontmatter import YamlProblem, parse_document


def recorded_measurements(text: str) -> dict[str, tuple[dt.date, float]]:
    """`current` and `measured_on` per result id in an old version of a file, read leniently:
    an old version that no longer passes today's checks still contributes what it clearly says."""
    try:
        document = parse_document(text)
    except YamlProblem:
        return {}
    found: dict[str, tuple[dt.date, float]] = {}
    results = _mapping_get(document.root, "results")
    if not isinstance(results, yaml.SequenceNode):
        return found
    for item in results.value:
        if not isinstance(item, yaml.MappingNode):
            continue
        rid, value, day = (_scalar(_mapping_get(item, k)) for k in ("id", "current", "measured_on"))
        number, date = parse_number(value) if value else None, _date(day)
        if rid and number is not None and date is not None:
            found[rid] = (date, number)
    return found


def merge_recorded(texts: Iterable[str]) -> dict[str, tuple[tuple[dt.date, float], ...]]:
    """The measurements a file's versions recorded (oldest first), by result id and date: a later
    version's value wins on a date both give."""
    points: dict[str, dict[dt.date, float]] = {}
    for text in texts:
        for rid, (day, value) in recorded_measurements(text).items():
            points.setdefault(rid, {})[day] = value
    return {rid: tuple(sorted(days.items())) for rid, days in points.items()}


def _mapping_get(node: yaml.Node, key: str) -> yaml.Node | None:
    for key_node, value_node in node.value if isinstance(node, yaml.MappingNode) else ():
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node if isinstance(value_node, yaml.Node) else None
    return None


def _scalar(node: yaml.Node | None) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if text else None
    except ValueError:
        return None


def link_version_of(raw: bytes | None) -> int:
    """`link_version` of an old file, read leniently (1 when absent or unreadable), so that an
    old link is never considered dead by mistake: a bad value counts as the default."""
    if raw is None:
        return 1
    try:
        document = parse_document(raw.decode("utf-8-sig", "replace").replace("\r\n", "\n"))
    except YamlProblem:
        return 1
    text = _scalar(_mapping_get(document.root, "link_version"))
    if text is None or not text.strip().isdigit():
        return 1
    return max(1, min(int(text.strip()), 10**9))
