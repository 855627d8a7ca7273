"""The portfolio over time, from Git (issue 16): accounts placed on past dates, `outcomesite
changes`, the index's "since" section, the month chart, the 90-day cohorts, renewals by day 90
and churned accounts. Every test builds a real Git repository with commits at chosen dates."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import pytest

from outcomesite.build import BuildOptions, build_site
from outcomesite.files import json_parts
from outcomesite.history.versions import read_repository
from outcomesite.i18n import translator
from outcomesite.load.config import load_config
from outcomesite.model.config import SiteConfig
from outcomesite.model.ladder import Rung
from outcomesite.portfolio import history as portfolio
from outcomesite.portfolio.changes import AccountChange, Moved, ResultChange
from outcomesite.portfolio.history import (
    FIRST_LINES,
    Current,
    IndexHistory,
    PortfolioHistory,
    changes_between,
    portfolio_history,
    start_of,
)
from outcomesite.portfolio.kpis import month_ends
from outcomesite.portfolio.past import PastAccount, PastResult
from outcomesite.portfolio.read import LadderCache, place
from outcomesite.portfolio.timeline import State, state_on, states_on, timelines
from outcomesite.render.history import history_view
from tests.conftest import git_at, run_cli

ENV = {"OUTCOMESITE_SECRET": "history-secret-0123456789abcdef0123456789abc"}
SINCE, AS_OF = dt.date(2026, 4, 1), dt.date(2026, 6, 1)


def git(root: Path, *args: str, date: str = "2026-03-01T12:00:00+00:00") -> None:
    git_at(root, *args, date=date)


def account(
    name: str,
    *,
    start: str = "2026-01-05",
    current: int = 60,
    measured: str = "2026-02-20",
    confirmed: str | None = None,
    extra: str = "",
) -> str:
    """An enterprise account with one result (60 days to onboard, target 40): at Activity while
    `current` is 60, Outcome once it moved, Measurable Result once confirmed; moving away above 60."""
    validator = (
        f"    validator:\n      name: Priya Shah\n      role: VP Operations\n"
        f"      confirmed_on: {confirmed}\n"
        if confirmed
        else ""
    )
    return (
        f"---\naccount: {name}\nsegment: enterprise\ncsm: Dana Reyes\nstart_date: {start}\n"
        f"{extra}results:\n  - id: onboarding-time\n    goal: Cut onboarding time\n"
        f"    metric: Days to onboard\n    unit: days\n    direction: decrease\n    baseline: 60\n"
        f"    target: 40\n    current: {current}\n    measured_on: {measured}\n"
        f"    owner: Dana Reyes\n    attribution: Guided onboarding replaced the checklist.\n"
        f"{validator}---\n## What's working\n\nOnboarding is faster.\n"
    )


def write(root: Path, slug: str, text: str) -> None:
    (root / "content" / "accounts" / f"{slug}.md").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two commits, before and after SINCE:

    2026-03-01: climber (Activity), slipper (Measurable Result), leaver, old-name; gone-away.
    2026-05-10: climber confirmed at Measurable Result (renewal churned later), slipper moving
    away (renewed), newbie added, leaver removed, old-name renamed new-name, gone-away churned.
    """
    root = tmp_path_factory.mktemp("book")
    (root / "content" / "accounts").mkdir(parents=True)
    (root / "outcomesite.yaml").write_text("site_name: Book\n", encoding="utf-8")
    git(root, "init", "-q")
    write(root, "climber", account("Climber Co"))
    write(root, "slipper", account("Slipper Inc", current=44, confirmed="2026-02-25"))
    write(root, "leaver", account("Leaver Ltd"))
    write(root, "old-name", account("Renamed Corp", current=50))
    write(root, "gone-away", account("Gone Away", current=50))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first", date="2026-03-01T12:00:00+00:00")
    write(
        root,
        "climber",
        account(
            "Climber Co",
            current=44,
            measured="2026-05-01",
            confirmed="2026-05-05",
            extra="renewals:\n  - date: 2026-05-20\n    outcome: churned\n",
        ),
    )
    write(
        root,
        "slipper",
        account(
            "Slipper Inc",
            current=66,
            measured="2026-05-01",
            confirmed="2026-02-25",
            extra="renewals:\n  - date: 2026-05-02\n    outcome: renewed\n",
        ),
    )
    write(root, "newbie", account("Newbie GmbH", start="2026-04-20", measured="2026-05-01"))
    (root / "content" / "accounts" / "leaver.md").unlink()
    write(root, "gone-away", account("Gone Away", current=50, extra="status: churned\n"))
    git(root, "mv", "content/accounts/old-name.md", "content/accounts/new-name.md")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "second", date="2026-05-10T12:00:00+00:00")
    return root


# --- the state of a file on a day -----------------------------------------------------------

A, B = State(dt.date(2026, 3, 1), "a", "1"), State(dt.date(2026, 5, 10), "b", "2")
GONE = State(dt.date(2026, 5, 10), None, "3")
STATE_CASES = [
    ("before the first commit", [A, B], dt.date(2026, 2, 28), None),
    ("on the day of a commit", [A, B], dt.date(2026, 3, 1), A),
    ("between commits", [A, B], dt.date(2026, 4, 1), A),
    ("after the last commit", [A, B], dt.date(2026, 6, 1), B),
    ("deleted", [A, GONE], dt.date(2026, 6, 1), None),
    ("before its deletion", [A, GONE], dt.date(2026, 5, 9), A),
]


@pytest.mark.parametrize(
    ("case", "states", "day", "expected"), STATE_CASES, ids=[c[0] for c in STATE_CASES]
)
def test_state_on(case: str, states: list[State], day: dt.date, expected: State | None) -> None:
    assert state_on(states, day) == expected


@pytest.mark.parametrize(
    "states",
    [[A], [GONE], [A, B], [A, GONE], []],
    ids=["one", "one deletion", "two", "gone", "none"],
)
def test_states_on_is_state_on_for_each_day(states: list[State]) -> None:
    """Its shortcut for a file with one state gives what the walk gives, on every kind of day."""
    days = [case[2] for case in STATE_CASES] + [A.day, B.day, dt.date(2026, 1, 1)]
    assert states_on(states, days) == tuple(state_on(states, day) for day in days)


def test_rungs_on_past_dates_from_real_git(book: Path) -> None:
    """The file as of the last commit on or before the day, placed by today's rules; renames
    start a new slug; one git log and at most two cat-file, whatever the number of accounts."""
    config, _ = load_config(book)
    repo = read_repository(book)
    lives = timelines(repo.commits)
    assert set(lives) == {
        "climber",
        "slipper",
        "leaver",
        "old-name",
        "new-name",
        "gone-away",
        "newbie",
    }
    days = (dt.date(2026, 2, 1), SINCE, AS_OF)
    placed = place(repo, config, lives, dict.fromkeys(lives, days))

    def rung(slug: str, day: dt.date) -> int | None:
        past = placed[slug][days.index(day)].past
        return past.rung if past else None

    table = {
        # slug: (before any commit, SINCE, AS_OF)
        "climber": (None, 1, 4),
        "slipper": (None, 4, 1),
        "leaver": (None, 1, None),
        "old-name": (None, 3, None),
        "new-name": (None, None, 3),
        "newbie": (None, None, 1),
    }
    for slug, expected in table.items():
        found = tuple(rung(slug, day) for day in sorted(days))
        assert found == expected, slug


def test_changes_json_and_text(book: Path) -> None:
    result = run_cli(
        book, "changes", "--since", "2026-04-01", "--as-of", "2026-06-01", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found == {
        "since": "2026-04-01",
        "as_of": "2026-06-01",
        "moved": [
            {"slug": "climber", "account": "Climber Co", "from_rung": 1, "to_rung": 4},
            {"slug": "slipper", "account": "Slipper Inc", "from_rung": 4, "to_rung": 1},
        ],
        "named": [
            {"slug": s, "account": n, "result": "onboarding-time", "goal": "Cut onboarding time"}
            for s, n in (("new-name", "Renamed Corp"), ("newbie", "Newbie GmbH"))
        ],
        "confirmed": [
            {
                "slug": "climber",
                "account": "Climber Co",
                "result": "onboarding-time",
                "goal": "Cut onboarding time",
            }
        ],
        "worsened": [
            {
                "slug": "slipper",
                "account": "Slipper Inc",
                "result": "onboarding-time",
                "goal": "Cut onboarding time",
            }
        ],
        "added": [
            {"slug": "new-name", "account": "Renamed Corp"},
            {"slug": "newbie", "account": "Newbie GmbH"},
        ],
        "removed": [
            {"slug": "leaver", "account": "Leaver Ltd"},
            {"slug": "old-name", "account": "Renamed Corp"},
        ],
    }
    text = run_cli(book, "changes", "--since", "2026-04-01", "--as-of", "2026-06-01")
    assert text.exit_code == 0
    assert "What moved from 2026-04-01 to 2026-06-01" in text.output
    assert "Climbed (1)\n  - Climber Co: Activity -> Measurable Result" in text.output
    assert "Slipped (1)\n  - Slipper Inc: Measurable Result -> Activity" in text.output
    assert "Accounts removed (2)\n  - Leaver Ltd\n  - Renamed Corp" in text.output


def test_nothing_moved_between_two_quiet_days(book: Path) -> None:
    result = run_cli(book, "changes", "--since", "2026-03-02", "--as-of", "2026-04-30")
    assert result.exit_code == 0
    assert result.output.endswith("Nothing moved.\n")


def test_changes_outside_git_exits_2(tmp_path: Path) -> None:
    (tmp_path / "content" / "accounts").mkdir(parents=True)
    write(tmp_path, "acme", account("Acme"))
    result = run_cli(tmp_path, "changes", "--since", "2026-01-01")
    assert result.exit_code == 2
    assert "is not in a Git repository" in result.output
    assert "Traceback" not in result.output


def test_changes_since_after_as_of_exits_2(book: Path) -> None:
    result = run_cli(book, "changes", "--since", "2026-07-01", "--as-of", "2026-06-01")
    assert result.exit_code == 2
    assert "is after --as-of" in result.output


@pytest.fixture(scope="module")
def built(book: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    build_site(
        book,
        BuildOptions(out=out, pdf=False, environ=ENV, as_of=AS_OF, since=SINCE, use_cache=False),
    )
    return out


def test_the_index_shows_what_changes_computes(book: Path, built: Path) -> None:
    index = json.loads((built / "internal" / "index.json").read_text(encoding="utf-8"))
    cli = run_cli(
        book, "changes", "--since", "2026-04-01", "--as-of", "2026-06-01", "--format", "json"
    )
    assert index["changes"] == json.loads(cli.output)
    html = (built / "internal" / "index.html").read_text(encoding="utf-8")
    assert 'id="since"' in html and "Since Apr 1, 2026" in html
    assert "Climber Co: Activity → Measurable Result" in html
    assert "Slipper Inc: Measurable Result → Activity" in html


def test_month_chart(built: Path) -> None:
    index = json.loads((built / "internal" / "index.json").read_text(encoding="utf-8"))
    months = {m["month"]: m for m in index["months"]}
    assert list(months) == [f"2025-{m:02d}" for m in range(6, 13)] + [
        f"2026-{m:02d}" for m in range(1, 6)
    ]
    assert months["2026-02"]["accounts"] == 0  # before the first commit
    # March and April: climber 1, slipper 4, leaver 1, old-name 3, gone-away 3.
    assert months["2026-03"]["by_rung"] == [0, 2, 0, 2, 1]
    # May: gone-away churned, leaver removed; climber 4, slipper 1, newbie 1, new-name 3.
    assert months["2026-05"]["by_rung"] == [0, 2, 0, 1, 1]
    html = (built / "internal" / "index.html").read_text(encoding="utf-8")
    assert 'class="month-chart"' in html and "<svg" in html
    assert "The numbers, month by month" in html  # the data table


def test_cohorts_and_renewals_by_day_90(built: Path) -> None:
    index = json.loads((built / "internal" / "index.json").read_text(encoding="utf-8"))
    # Day 90 of a 2026-01-05 start is 2026-04-05: climber at Activity, slipper at Measurable
    # Result, gone-away at Outcome; new-name had no file under that name then; newbie's day 90
    # (2026-07-19) is still ahead. Renewals after day 90: slipper renewed, climber churned.
    assert index["cohorts"] == [
        {
            "start_quarter": "2026-Q1",
            "segment": "enterprise",
            "accounts": 3,
            "at_result_on_day_90": 1,
            "share": 0.333,
        }
    ]
    assert index["renewals_by_day_90"] == {
        "at_result": {"renewed": 1, "total": 1},
        "below": {"renewed": 0, "total": 1},
    }
    html = (built / "internal" / "index.html").read_text(encoding="utf-8")
    assert "Renewals by where the account stood on day 90" in html
    assert '<td class="num">1</td><td class="num">1</td><td class="num">100%</td>' in html


def test_a_churned_account_disappears_from_public(book: Path, built: Path) -> None:
    index = json.loads((built / "internal" / "index.json").read_text(encoding="utf-8"))
    entries = {e["slug"]: e for e in index["accounts"]}
    gone = entries["gone-away"]
    assert (gone["status"], gone["report_url"], gone["pdf_url"]) == ("churned", None, None)
    assert "gone-away" not in index["attention"]
    public = built / "public"
    published = [p for p in public.rglob("*") if p.is_file()]
    assert not any("Gone Away" in p.read_text("utf-8", "replace") for p in published)
    links = [p for p in (public / "r").iterdir() if p.is_dir()]
    assert len(links) == 4  # climber, slipper, newbie, new-name
    churned = (built / "internal" / "churned-1.html").read_text(encoding="utf-8")
    assert "Gone Away" in churned and "churned: not published" in churned
    assert "Churned accounts (1)" in (built / "internal" / "index.html").read_text("utf-8")
    listed = run_cli(book, "links", env=ENV)
    assert "gone-away" not in listed.output and "climber" in listed.output


START_CASES = [
    ("quarter", dt.date(2026, 5, 17), dt.date(2026, 4, 1)),
    ("month", dt.date(2026, 5, 17), dt.date(2026, 5, 1)),
    ("year", dt.date(2026, 5, 17), dt.date(2026, 1, 1)),
    ("2026-02-14", dt.date(2026, 5, 17), dt.date(2026, 2, 14)),
    ("quarter", dt.date(2026, 12, 31), dt.date(2026, 10, 1)),
]


@pytest.mark.parametrize(("setting", "as_of", "expected"), START_CASES)
def test_since_setting(setting: str, as_of: dt.date, expected: dt.date) -> None:
    assert start_of(setting, as_of) == expected


def test_month_ends_are_the_last_twelve_whole_months() -> None:
    ends = month_ends(dt.date(2026, 3, 15))
    assert (ends[0], ends[-1], len(ends)) == (dt.date(2025, 3, 31), dt.date(2026, 2, 28), 12)


def test_placements_are_kept_and_reused(book: Path, tmp_path: Path) -> None:
    """The ladder cache gives the same answer as a cold run, without placing anything again."""
    config, _ = load_config(book)
    repo = read_repository(book)
    cold = changes_between(repo, config, SINCE, AS_OF, cache=tmp_path)
    assert list((tmp_path / "ladder").glob("*.json"))
    warm = changes_between(repo, config, SINCE, AS_OF, cache=tmp_path)
    assert warm == cold == changes_between(repo, config, SINCE, AS_OF, cache=None)


def test_a_placements_results_are_kept_as_the_ladder_cache_writes_them(
    book: Path, tmp_path: Path
) -> None:
    """A placement holds its results as one JSON text (PastAccount.packed): the ladder cache
    writes them as arrays of [id, goal, confirmed, moving_away] within it, and reads them back
    to the same placement, results and all."""
    config, _ = load_config(book)
    repo = read_repository(book)
    lives = timelines(repo.commits)
    ladder = LadderCache(tmp_path, config)
    place(repo, config, lives, dict.fromkeys(lives, (SINCE, AS_OF)), cache=ladder)
    ladder.write()
    (kept,) = (tmp_path / "ladder").glob("*.json")
    written = json.loads(kept.read_bytes())
    assert written.keys() == ladder.known.keys()
    confirmed = 0
    for key, past in ladder.known.items():
        if past is None:
            assert written[key] is None
            continue
        assert written[key][:4] == [past.account, past.segment, past.status, past.rung]
        assert written[key][4] == [list(result) for result in past.results]
        assert all(isinstance(result, PastResult) for result in past.results)
        assert PastAccount.of(written[key]) == past
        confirmed += sum(result.confirmed is not None for result in past.results)
    assert confirmed and LadderCache(tmp_path, config).known == ladder.known


def test_git_processes_do_not_grow_with_accounts_or_versions(
    tmp_path: Path, processes: list[list[str]]
) -> None:
    """8 accounts x 4 versions: one cat-file for the versions wanted; for those whose confirmation
    covers a value only an earlier version holds, one for the two versions before, one for the
    rest (here the confirmed value is three versions back)."""
    root = tmp_path
    (root / "content" / "accounts").mkdir(parents=True)
    git(root, "init", "-q")
    for month in range(3, 7):
        measured = "2026-02-20" if month == 3 else f"2026-0{month}-01"
        for i in range(8):
            confirmed = "2026-02-25" if i % 2 else None  # covers the first version's value only
            text = account(f"A{i}", current=60 - month, measured=measured, confirmed=confirmed)
            write(root, f"a{i}", text)
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"m{month}", date=f"2026-0{month}-02T12:00:00+00:00")
    config, _ = load_config(root)
    processes.clear()  # the commits above ran git too
    repo = read_repository(root)
    before = len(processes)
    lives = timelines(repo.commits)
    day = dt.date(2026, 7, 1)  # after the fourth commit
    placed = place(repo, config, lives, dict.fromkeys(lives, (day,)), jobs=1)
    git_calls = [c for c in processes[before:] if c[0] == "git"]
    assert [c[3] for c in git_calls] == ["cat-file"] * 3, git_calls
    assert [c for c in processes[:before] if "log" in c]  # the log: read once, with the repository
    rungs = {slug: past.rung for slug, p in placed.items() if (past := p[0].past)}
    # Confirmed accounts stay at Measurable Result: the confirmed value is in version 1 only.
    assert rungs == {f"a{i}": 4 if i % 2 else 3 for i in range(8)}


def test_a_build_reads_back_from_git_only_the_versions_its_workers_did_not_place(
    book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each worker places the committed file it validated, as the history would (issue 19: a
    cold build in Git read every account back and validated it again). The history then reads
    only older versions, and the ones a confirmation needs earlier measurements for; its answer
    is what the history worked out from Git alone gives."""
    requested: list[str] = []  # every object id asked of `git cat-file --batch`

    class Recording(subprocess.Popen[bytes]):
        def __init__(self, args: list[str], *more: Any, **options: Any) -> None:
            if "cat-file" in args:
                stdin = options["stdin"]
                requested.extend(stdin.read().decode().split())
                stdin.seek(0)
            super().__init__(args, *more, **options)

    monkeypatch.setattr(subprocess, "Popen", Recording)
    out = tmp_path / "out"
    options = BuildOptions(out=out, pdf=False, environ=ENV, as_of=AS_OF, since=SINCE)
    build_site(book, replace(options, use_cache=False))
    repo = read_repository(book)
    head = {
        slug: repo.history(f"content/accounts/{slug}.md").versions[-1].blob
        for slug in ("climber", "slipper", "newbie", "gone-away")
    }
    # Slipper's confirmation covers a value only its first version holds: read, with that one.
    # (new-name's file is old-name's blob, which old-name's past reads: left out here.)
    assert {slug for slug, blob in head.items() if blob in requested} == {"slipper"}

    config, _ = load_config(book)
    currents = [
        Current(slug, dt.date(2026, 1, 5), "enterprise", ())
        for slug in ("climber", "slipper", "gone-away", "new-name")
    ] + [Current("newbie", dt.date(2026, 4, 20), "enterprise", ())]
    renewals = {
        "climber": ((dt.date(2026, 5, 20), "churned"),),
        "slipper": ((dt.date(2026, 5, 2), "renewed"),),
    }
    currents = [c._replace(renewals=renewals.get(c.slug, ())) for c in currents]
    from_git = portfolio_history(repo, config, currents, SINCE, AS_OF)
    worked = {key: json.loads(b"".join(parts)) for key, parts in from_git.json()}
    index = json.loads((out / "internal" / "index.json").read_text(encoding="utf-8"))
    assert {key: index[key] for key in worked} == worked


def test_a_build_lets_the_log_and_its_placements_go_once_used(book: Path) -> None:
    """A build, the last reader of the log and of its workers' placements, has the history let
    them go (`release`): the same history, and neither held after it; without `release` (as
    `changes` reads it) both are kept."""
    config, _ = load_config(book)
    currents = [
        Current(slug, dt.date(2026, 1, 5), "enterprise", ())
        for slug in ("climber", "slipper", "gone-away", "new-name", "newbie")
    ]
    kept, let_go = read_repository(book), read_repository(book)
    lives = timelines(kept.commits)
    today = place(kept, config, lives, dict.fromkeys(lives, (AS_OF,)))  # as a build's workers do
    placements = {
        (slug, state.blob or ""): day.past
        for slug, (day,) in today.items()
        if (state := state_on(lives[slug], AS_OF)) is not None and day.past is not None
    }
    assert placements
    held, handed = dict(placements), dict(placements)
    found = [
        {key: b"".join(parts) for key, parts in history.json()}
        for history in (
            portfolio_history(kept, config, currents, SINCE, AS_OF, placed=held),
            portfolio_history(let_go, config, currents, SINCE, AS_OF, placed=handed, release=True),
            portfolio_history(read_repository(book), config, currents, SINCE, AS_OF),
        )
    ]
    assert found[0] == found[1] == found[2] and json.loads(found[0]["changes"])["moved"]
    assert kept.commits and len(kept.commits) == len(read_repository(book).commits)
    assert held == placements
    assert let_go.commits == [] and handed == {}


def test_a_kept_history_gives_the_same_index(book: Path, tmp_path: Path) -> None:
    """With the cache (placed versions, the worked-out history), a build shows exactly what a
    build without it shows, the first time and the next."""
    cache = tmp_path / "cache"
    options = BuildOptions(pdf=False, environ=ENV, as_of=AS_OF, since=SINCE, cache=cache)
    outputs = []
    for name in ("first", "second"):
        out = tmp_path / name
        build_site(book, replace(options, out=out))
        outputs.append((out / "internal" / "index.json").read_text(encoding="utf-8"))
    assert list((cache / "history").glob("*.json")) and list((cache / "ladder").glob("*.json"))
    bare = tmp_path / "bare"
    build_site(book, replace(options, out=bare, use_cache=False))
    assert outputs == [(bare / "internal" / "index.json").read_text(encoding="utf-8")] * 2


@pytest.mark.parametrize(
    ("ladder", "history"),
    [
        ({"climber:0": [1, 2]}, {"changes": {"moved": [[1, 2]]}}),
        ({"climber:0": {"rung": 4}}, {"changes": []}),
        ([1, 2, 3], {"months": []}),
    ],
    ids=["arrays-too-short", "objects", "not-a-mapping"],
)
def test_kept_caches_of_another_shape_are_worked_out_again(
    book: Path, tmp_path: Path, ladder: object, history: object
) -> None:
    """A ladder or history cache that does not hold what this code writes (another version's,
    or damaged) is not read: the build works its answer out again, the same as without one."""
    cache = tmp_path / "cache"
    options = BuildOptions(pdf=False, environ=ENV, as_of=AS_OF, since=SINCE, cache=cache)
    build_site(book, replace(options, out=tmp_path / "first"))
    for folder, value in (("ladder", ladder), ("history", history)):
        (kept,) = (cache / folder).glob("*.json")
        kept.write_text(json.dumps(value), encoding="utf-8")
    build_site(book, replace(options, out=tmp_path / "again"))
    build_site(book, replace(options, out=tmp_path / "bare", use_cache=False))
    index = [(tmp_path / n / "internal" / "index.json").read_bytes() for n in ("again", "bare")]
    assert index[0] == index[1]


def test_an_edit_without_a_commit_reuses_the_kept_history(book: Path, tmp_path: Path) -> None:
    """The history depends on Git and on every account's start, segment and renewals, never on
    the order a rebuild lists the accounts in: editing one account's numbers (no commit) keeps
    the worked-out history, and the index is still the one a build from scratch makes."""
    site = tmp_path / "site"
    shutil.copytree(book, site)
    options = BuildOptions(pdf=False, environ=ENV, as_of=AS_OF, since=SINCE)
    build_site(site, options)
    kept = sorted((site / ".outcomesite" / "cache" / "history").glob("*.json"))
    assert len(kept) == 1
    climber = site / "content" / "accounts" / "climber.md"
    climber.write_text(
        climber.read_text("utf-8").replace("Guided onboarding", "Guided set-up"), "utf-8"
    )
    assert build_site(site, options).changed == ["climber"]
    assert sorted((site / ".outcomesite" / "cache" / "history").glob("*.json")) == kept
    index = (site / "build" / "internal" / "index.json").read_text("utf-8")
    bare = tmp_path / "bare"
    build_site(site, replace(options, out=bare, use_cache=False))
    assert index == (bare / "internal" / "index.json").read_text("utf-8")


def test_the_since_sections_lines_are_worded_as_a_template_reads_them() -> None:
    """Each group's lines, worded one by one as they are read (the index shows eight of each):
    the same lines in the same order as wording them all, in the site's language."""

    named: list[ResultChange] = [
        {"slug": f"a{n:02}", "account": f"Acme {n}", "result": "r", "goal": f"Goal {n}"}
        for n in range(20)
    ]
    moved: list[Moved] = [
        {"slug": "up", "account": "Up Inc", "from_rung": 1, "to_rung": 3},
        {"slug": "down", "account": "Down Ltd", "from_rung": 2, "to_rung": 1},
    ]
    added: list[AccountChange] = [{"slug": f"a{n:02}", "account": f"Acme {n}"} for n in range(12)]
    history: PortfolioHistory = {
        "changes": {
            "since": "2026-10-01",
            "as_of": "2026-11-23",
            "moved": moved,
            "named": named,
            "confirmed": [],
            "worsened": named[:3],
            "added": added,
            "removed": [],
        },
        "months": [],
        "cohorts": [],
        "renewals_by_day_90": {
            "at_result": {"renewed": 0, "total": 0},
            "below": {"renewed": 0, "total": 0},
        },
    }
    t = translator("fr")
    view = history_view(IndexHistory.of(history), SiteConfig(locale="fr"), dt.date(2026, 11, 23))
    lines = {group["title"]: group["lines"] for group in view["groups"]}
    goals = [
        t.gettext("%(account)s: %(goal)s", account=r["account"], goal=r["goal"]) for r in named
    ]
    named_lines = lines[t.gettext("Results newly named")]
    assert len(named_lines) == 20 and named_lines[:8] == goals[:8] and named_lines[19] == goals[19]
    assert (
        list(named_lines) == goals
        and list(lines[t.gettext("Started moving away from the target")]) == goals[:3]
    )
    assert list(lines[t.gettext("Accounts added")]) == [f"Acme {n}" for n in range(12)]
    labels = [t.gettext(Rung(n).label) for n in (1, 3, 2)]
    assert list(lines[t.gettext("Climbed")]) == [f"Up Inc\u00a0: {labels[0]} → {labels[1]}"]
    assert list(lines[t.gettext("Slipped")]) == [f"Down Ltd\u00a0: {labels[2]} → {labels[0]}"]
    assert not lines[t.gettext("Accounts removed")]
    assert not lines[t.gettext("Newly confirmed by the customer")]


def _a_long_history() -> PortfolioHistory:
    """More changes of some kinds than a kept history has at hand (FIRST_LINES)."""
    moved: list[Moved] = [
        {"slug": f"m{n:02}", "account": f"Mover {n}", "from_rung": n % 4 + 1, "to_rung": 4 - n % 4}
        for n in range(23)
    ]
    named: list[ResultChange] = [
        {"slug": f"a{n:02}", "account": f"Acme {n}", "result": "r", "goal": f"Goal {n} \u00e9\n"}
        for n in range(20)
    ]
    return {
        "changes": {
            "since": "2026-10-01",
            "as_of": "2026-11-23",
            "moved": moved,
            "named": named,
            "confirmed": named[:FIRST_LINES],
            "worsened": named[:3],
            "added": [{"slug": "new", "account": "New Co"}],
            "removed": [],
        },
        "months": [
            {"month": "2026-10", "end": "2026-10-31", "accounts": 3, "by_rung": [1, 1, 0, 1]}
        ],
        "cohorts": [],
        "renewals_by_day_90": {
            "at_result": {"renewed": 1, "total": 2},
            "below": {"renewed": 0, "total": 0},
        },
    }


def test_a_kept_history_reads_back_what_was_worked_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kept history gives what the worked-out one gave: each kind of change item for item
    (its length, its first lines, any line past them, slices, from the end), the small tables,
    and index.json's keys byte for byte; and its lists of changes are read only when a line
    past the first ones is asked for."""
    history = _a_long_history()
    worked = IndexHistory.of(history)
    portfolio._KeptHistory(tmp_path, "key").write(history)
    parsed: list[int] = []
    loads = json.loads

    def counted(text: str | bytes) -> Any:
        parsed.append(len(text))
        return loads(text)

    monkeypatch.setattr(json, "loads", counted)
    kept = portfolio._KeptHistory(tmp_path, "key").read()
    assert kept is not None
    changes_size = len(b"".join(json_parts(history["changes"])))
    assert changes_size not in parsed  # the small lines only
    assert (kept.since, kept.months, kept.cohorts) == (worked.since, worked.months, worked.cohorts)
    assert kept.renewals_by_day_90 == worked.renewals_by_day_90
    before = cast(dict[str, Sequence[Any]], worked.groups)
    after = cast(dict[str, Sequence[Any]], kept.groups)
    for kind, items in before.items():
        shown = after[kind]
        assert len(shown) == len(items) and list(shown[:FIRST_LINES]) == list(items[:FIRST_LINES])
    assert changes_size not in parsed, "the first lines and the counts are at hand"
    for kind, items in before.items():
        shown = after[kind]
        assert list(shown) == list(items) and list(shown[::-3]) == list(items[::-3])
        assert [shown[n] for n in range(-len(items), len(items))] == [*items, *items]
        with pytest.raises(IndexError):
            shown[len(items)]
    assert parsed.count(changes_size) == 1, "read once, for every kind"
    as_json = {key: b"".join(parts) for key, parts in kept.json()}
    assert as_json == {key: b"".join(parts) for key, parts in worked.json()}
    assert list(as_json) == list(history)


@pytest.mark.parametrize("piece", [5, 64, 1 << 20])
def test_a_kept_history_is_read_a_piece_at_a_time_from_the_file_it_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piece: int
) -> None:
    """The kept file is checked and copied into index.json a piece at a time (its lines cross
    pieces), from the file as it was opened: another build keeping another history removes it
    from the folder without taking it from a build still reading it."""
    monkeypatch.setattr(portfolio._KeptFile, "PIECE", piece)
    history = _a_long_history()
    worked = IndexHistory.of(history)
    portfolio._KeptHistory(tmp_path, "key").write(history)
    kept = portfolio._KeptHistory(tmp_path, "key").read()
    assert kept is not None
    portfolio._KeptHistory(tmp_path, "other").write(history)
    assert [path.name for path in (tmp_path / "history").iterdir()] == ["other.json"]
    pieces = {key: list(parts) for key, parts in kept.json()}
    assert all(0 < len(part) <= piece for parts in pieces.values() for part in parts)
    assert {key: b"".join(parts) for key, parts in pieces.items()} == {
        key: b"".join(parts) for key, parts in worked.json()
    }
    assert list(kept.groups["named"]) == list(worked.groups["named"])


def test_a_damaged_kept_history_is_worked_out_again(book: Path, tmp_path: Path) -> None:
    """A kept history whose lists were changed (one byte, which its digests give away) is not
    copied into index.json: the build works the history out again, as without a cache."""
    cache = tmp_path / "cache"
    options = BuildOptions(pdf=False, environ=ENV, as_of=AS_OF, since=SINCE, cache=cache)
    build_site(book, replace(options, out=tmp_path / "first"))
    (kept,) = (cache / "history").glob("*.json")
    data = kept.read_bytes()
    assert b'"climber"' in data.split(b"\n")[0]
    kept.write_bytes(data.replace(b'"climber"', b'"climbex"', 1))
    build_site(book, replace(options, out=tmp_path / "again"))
    assert kept.read_bytes() == data, "worked out and kept again"
    build_site(book, replace(options, out=tmp_path / "bare", use_cache=False))
    index = [(tmp_path / n / "internal" / "index.json").read_bytes() for n in ("again", "bare")]
    assert index[0] == index[1]
