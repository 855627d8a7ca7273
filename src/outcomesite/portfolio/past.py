"""One old version of an account file on the ladder, by today's rules, as a small typed summary.

A version's place does not depend on the day it is looked at: a rung comes from values,
attribution and confirmations, never from dates (those drive attention and warnings, which the
past does not need). So each version is assessed once, with no date limit: a file committed late
in the evening UTC may carry the next day's local date and is not refused for it.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from typing import Any, NamedTuple

import orjson

from outcomesite.load.account import Recorded, account_data
from outcomesite.model.config import SiteConfig
from outcomesite.model.ladder import Assessment, Rung, assess
from outcomesite.model.schema import AccountData

NO_LIMIT = dt.date.max  # assessed "as of" no particular day: see the module's docstring


class PastResult(NamedTuple):
    id: str
    goal: str
    confirmed: str | None  # the confirmation it carries ("YYYY-MM-DD value"); None: none
    moving_away: bool


class PastAccount(NamedTuple):
    """What an old version says about the account: enough to compare two dates. A tuple, its
    results one JSON text (`packed`, read by `results`): a build holds one for every account
    from its workers until its history is worked out, and most are never compared result by
    result (an account whose file did not change between the two dates). At 100,000 accounts,
    their results as tuples of strings took 30 MB more."""

    account: str
    segment: str
    status: str
    rung: int
    packed: bytes  # [[id, goal, confirmed, moving_away], ...], as the ladder cache writes it

    @property
    def results(self) -> tuple[PastResult, ...]:
        return tuple(PastResult(*result) for result in orjson.loads(self.packed))

    @classmethod
    def of(cls, values: Sequence[Any]) -> PastAccount:
        """One read back as JSON keeps it (a list of its fields, results as lists too), or as
        it arrives from a worker: the few words every account repeats (segment, status) made
        one string each, as each account's own copy they cost a hundred bytes more."""
        account, segment, status, rung, results = values
        packed = results if isinstance(results, bytes) else _packed(results)
        return cls(account, sys.intern(segment), sys.intern(status), rung, packed)


def _packed(results: list[list[Any]]) -> bytes:
    """The results as JSON, in a bytes object of their size: orjson's own is cut down from a
    larger buffer, and ten thousand of them kept left 40 MB of gaps between them."""
    return bytes(memoryview(orjson.dumps(results)))


def read_version(raw: bytes, slug: str, config: SiteConfig) -> AccountData | None:
    """The version's data; None when it fails today's checks (it cannot be placed)."""
    return account_data(raw, slug, config, NO_LIMIT)


def place(data: AccountData, config: SiteConfig, recorded: Recorded | None) -> Assessment:
    """The version on the ladder, `recorded` adding earlier versions' measurements."""
    return assess(data, NO_LIMIT, config.result_check_days, config.stale_after_days, recorded)


def needs_earlier(assessment: Assessment) -> dict[str, dt.date]:
    """The confirmations that may cover a value only an earlier version holds, by result id:
    the version is then placed again with earlier versions' measurements (as load/site.py does
    for today's files)."""
    return {
        r.result.id: r.confirmation.on
        for r in assessment.results
        if r.confirmation is not None and not r.latest_confirmed
    }


def by_itself(
    data: AccountData, config: SiteConfig
) -> tuple[PastAccount | None, dict[str, dt.date]]:
    """The version placed by its own data; or None and the confirmations needs_earlier names,
    when it must be placed again with earlier versions' measurements."""
    assessment = place(data, config, None)
    if needs := needs_earlier(assessment):
        return None, needs
    return summarise(data, assessment), {}


def summarise(data: AccountData, assessment: Assessment) -> PastAccount:
    """Where the version stands: its rung and, per result, its confirmation and direction."""
    results = [
        PastResult(
            item.result.id,
            item.result.goal,
            (
                f"{item.confirmation.on.isoformat()} {item.confirmation.value}"
                if item.confirmation is not None and item.validated
                else None
            ),
            item.moving_away,
        )
        for item in assessment.results
    ]
    packed = _packed([list(result) for result in results])
    return PastAccount(data.account, data.segment, data.status, int(assessment.rung), packed)


def at_result(past: PastAccount | None) -> bool:
    return past is not None and past.rung == Rung.RESULT
