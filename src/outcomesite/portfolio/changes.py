"""What moved in the portfolio between two dates: pure functions over two days' placements.

`outcomesite changes` prints it and the internal index shows it; both take it from here, so they
agree. Every list is sorted by slug (then result id), so two runs diff cleanly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TypedDict

from outcomesite.model.ladder import Rung
from outcomesite.portfolio.past import PastAccount, PastResult
from outcomesite.portfolio.read import Placed


class Moved(TypedDict):
    """An account on another rung than on `since` (climbed when `to_rung` is higher)."""

    slug: str
    account: str
    from_rung: int
    to_rung: int


class ResultChange(TypedDict):
    """A result newly named, newly confirmed, or that started moving away from its target."""

    slug: str
    account: str
    result: str  # its id
    goal: str


class AccountChange(TypedDict):
    slug: str
    account: str


class Changes(TypedDict):
    since: str
    as_of: str
    moved: list[Moved]
    named: list[ResultChange]
    confirmed: list[ResultChange]
    worsened: list[ResultChange]
    added: list[AccountChange]
    removed: list[AccountChange]


def compare(
    since: dt.date, as_of: dt.date, placed: Iterable[tuple[str, Sequence[Placed]]]
) -> Changes:
    """`placed`: each account (by slug, in slug order) on `since`, then on `as_of` (then any
    other days). Accounts added and removed by their file; the rest compared where both days
    place them (an account whose file fails today's checks on either day is not compared).
    One account at a time: a build hands each over as it goes (portfolio/history.py)."""
    changes: Changes = {
        "since": since.isoformat(),
        "as_of": as_of.isoformat(),
        "moved": [],
        "named": [],
        "confirmed": [],
        "worsened": [],
        "added": [],
        "removed": [],
    }
    for slug, days in placed:
        old, new = days[:2]
        if not old.existed and not new.existed:
            continue
        if not new.existed:
            name = old.past.account if old.past else slug
            changes["removed"].append({"slug": slug, "account": name})
            continue
        if not old.existed:
            name = new.past.account if new.past else slug
            changes["added"].append({"slug": slug, "account": name})
        if new.past is None or (old.existed and old.past is None):
            continue
        _compare_account(changes, slug, old.past, new.past)
    return changes


def _compare_account(
    changes: Changes, slug: str, old: PastAccount | None, new: PastAccount
) -> None:
    name = new.account
    if old is not None and old.rung != new.rung:
        changes["moved"].append(
            {"slug": slug, "account": name, "from_rung": old.rung, "to_rung": new.rung}
        )
    if old is not None and old.packed == new.packed:
        return  # the same results, confirmed and moving as they were: nothing else changed
    earlier: dict[str, PastResult] = {r.id: r for r in old.results} if old else {}
    for result in sorted(new.results, key=lambda r: r.id):
        item: ResultChange = {
            "slug": slug,
            "account": name,
            "result": result.id,
            "goal": result.goal,
        }
        then = earlier.get(result.id)
        if then is None:
            changes["named"].append(item)
        if result.confirmed is not None and (then is None or then.confirmed != result.confirmed):
            changes["confirmed"].append(item)
        if result.moving_away and (then is None or not then.moving_away):
            changes["worsened"].append(item)


def climbed(changes: Changes) -> list[Moved]:
    return [m for m in changes["moved"] if m["to_rung"] > m["from_rung"]]


def slipped(changes: Changes) -> list[Moved]:
    return [m for m in changes["moved"] if m["to_rung"] < m["from_rung"]]


def _rung(number: int) -> str:
    return Rung(number).label


def changes_text(changes: Changes) -> str:
    """For a leader's Monday email: a heading, then one short section per kind of change."""
    sections: list[tuple[str, list[str]]] = [
        (
            "Climbed",
            [
                f"{m['account']}: {_rung(m['from_rung'])} -> {_rung(m['to_rung'])}"
                for m in climbed(changes)
            ],
        ),
        (
            "Slipped",
            [
                f"{m['account']}: {_rung(m['from_rung'])} -> {_rung(m['to_rung'])}"
                for m in slipped(changes)
            ],
        ),
        ("Results newly named", [f"{r['account']}: {r['goal']}" for r in changes["named"]]),
        (
            "Newly confirmed by the customer",
            [f"{r['account']}: {r['goal']}" for r in changes["confirmed"]],
        ),
        (
            "Started moving away from the target",
            [f"{r['account']}: {r['goal']}" for r in changes["worsened"]],
        ),
        ("Accounts added", [a["account"] for a in changes["added"]]),
        ("Accounts removed", [a["account"] for a in changes["removed"]]),
    ]
    lines = [f"What moved from {changes['since']} to {changes['as_of']}"]
    if not any(items for _, items in sections):
        return "\n".join([*lines, "", "Nothing moved."]) + "\n"
    for title, items in sections:
        lines += ["", f"{title} ({len(items)})"]
        lines += [f"  - {item}" for item in items] or ["  none"]
    return "\n".join(lines) + "\n"
