"""Words that give a metric away as our team's activity or as product usage, not an outcome.

"We conducted 12 QBRs" and "trained 95% of users" count what the vendor's team did; "logins" and
"active users" count how much the product is used. Neither is what changed in the customer's world,
which is what a result names (the Customer Results Ladder). "Usage" alone is not on the list:
"energy usage" falling is an outcome. The lists are matched as whole words,
case-insensitively, in a result's metric and goal; a site can add to them (`activity_words`,
`usage_words` in outcomesite.yaml) or turn the check off (`check_words: off`), and a result can say
why it is an outcome anyway (`why_an_outcome:`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

ACTIVITY_WORDS: tuple[str, ...] = (
    "qbr",
    "qbrs",
    "quarterly business review",
    "quarterly business reviews",
    "business reviews",
    "workshops",
    "webinars",
    "training hours",
    "hours of training",
    "trainings delivered",
    "training sessions",
    "training delivered",
    "sessions held",
    "sessions delivered",
    "calls made",
    "meetings held",
    "check-ins",
    "touchpoints",
    "emails sent",
    "tickets closed",
    "health checks",
    "health assessment",
    "implementation completed",
    "modules created",
    "trained",
    "users certified",
    "records migrated",
)

USAGE_WORDS: tuple[str, ...] = (
    "logins",
    "log-ins",
    "active users",
    "daily active",
    "weekly active",
    "monthly active",
    "dau",
    "wau",
    "mau",
    "adoption rate",
    "adoption percentage",
    "feature usage",
    "features activated",
    "feature adoption",
    "product usage",
    "platform usage",
    "app usage",
    "license usage",
    "seats used",
    "licenses used",
    "license utilization",
    "seat utilization",
    "page views",
)


@lru_cache(maxsize=64)
def _any_of(words: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for the whole list: most texts contain none of the words, and one search
    says so (a search per word was 40% of validating an account)."""
    alternatives = "|".join(re.escape(word) for word in words)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


@lru_cache(maxsize=64)
def _in_lower_case(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """A pattern that finds any of the words in a lower-cased text, anywhere (not only as whole
    words); None when a word is not ASCII (see first_match)."""
    if not all(map(str.isascii, words)):
        return None
    return re.compile("|".join(re.escape(word.lower()) for word in words))


def first_match(text: str, words: Iterable[str]) -> str | None:
    """The first of `words` that `text` contains as whole words, ignoring case; as written in
    `text` (`QBRs`, not `qbrs`)."""
    words = tuple(words)
    if not words:
        return None
    # ASCII text and words: a text that does not even contain a word in lower case cannot
    # match it. One search of the lower-cased text for all of them (no look-arounds, no case
    # folding) says so sooner than asking for each word in turn: first_match in 0.77 of the
    # time over the benchmark's metrics and goals. (Not beyond ASCII, where a case-insensitive
    # pattern matches more: the Kelvin sign K matches k.)
    lowered = _in_lower_case(words)
    if lowered is not None and text.isascii() and lowered.search(text.lower()) is None:
        return None
    if _any_of(words).search(text) is None:
        return None
    for word in words:
        found = re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.IGNORECASE)
        if found:
            return found.group(0)
    return None
