"""A rebuild's exports are patched from the last build's files (build/exports.py): the result is
byte for byte what writing them whole gives, whatever moved, and files that are not as the last
build left them are written whole."""

from __future__ import annotations

import datetime as dt
import os
import random
import sqlite3
from pathlib import Path

import pytest

from outcomesite.build.details import AccountRow, Details
from outcomesite.build.exports import FILES, exports_written
from outcomesite.render import exports
from tests.test_details import pieces_of

FRAMES = [
    exports.index_json_frame(dt.date(2026, 11, 23), ["b"]),
    exports.csv_frame(exports.INDEX_COLUMNS),
    exports.csv_frame(exports.RESULT_COLUMNS),
]


def write_exports(
    out: Path, frames: list[exports.Frame], order: list[str], details: Details, last: Path | None
) -> None:
    """The files written and their layout kept, as a build does (build/write.py)."""
    details.keep_layout(exports_written(out, frames, order, details, last))


def texts(slug: str, edition: int = 0) -> dict[str, str]:
    """An account's export lines; `edition` changes them (and their length)."""
    mark = "é" * edition  # not ASCII: sizes are bytes, not characters
    results = "" if slug.endswith("0") else f"{slug},r1{mark}\n{slug},r2\n"
    return {
        "json": f'{{"slug": "{slug}{mark}"}}',
        "csv": f"{slug},{mark}\n",
        "results_csv": results,
    }


def put(details: Details, slug: str, edition: int = 0) -> None:
    details.put(slug, AccountRow(pieces_of(slug, **texts(slug, edition)), [], [], []))


def first_build(tmp_path: Path, slugs: list[str]) -> Path:
    out = tmp_path / "b1"
    out.mkdir()
    details = Details.create(out / "d.sqlite")
    for slug in slugs:
        put(details, slug)
    write_exports(out, FRAMES, slugs, details, None)
    details.finish("b1")
    return out


def whole(tmp_path: Path, rows: dict[str, int], order: list[str]) -> dict[str, bytes]:
    """The files written whole from scratch: what a patch must equal."""
    out = tmp_path / "whole"
    out.mkdir(exist_ok=True)
    details = Details.create(out / "d.sqlite")
    for slug, edition in rows.items():
        put(details, slug, edition)
    write_exports(out, FRAMES, order, details, None)
    details.close()
    return {name: (out / name).read_bytes() for name in FILES}


def rebuild(
    tmp_path: Path, last: Path, count: int, edits: dict[str, int], gone: set[str], order: list[str]
) -> tuple[Path, Details]:
    out = tmp_path / "b2"
    out.mkdir(exist_ok=True)
    details = Details.copy(last / "d.sqlite", out / "d.sqlite", "b1", count)
    for slug, edition in edits.items():
        put(details, slug, edition)
    details.remove(gone)
    write_exports(out, FRAMES, order, details, last)
    return out, details


def contents(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in FILES}


def spoil_unchanged_rows(last: Path) -> None:
    """Change the stored lines of every account in the last build: a patch copies unchanged
    accounts' lines from the last files, so only the rebuilt ones may come from the rows."""
    with sqlite3.connect(last / "d.sqlite") as db:
        db.execute("UPDATE accounts SET json = 'spoilt', csv = 'spoilt', results_csv = 'spoilt'")


SLUGS = [f"a{n:02}" for n in range(12)]

CASES = {
    "one edited, same place": ({"a05": 1}, set(), SLUGS),
    "one edited, moved first": ({"a05": 2}, set(), ["a05", *SLUGS[:5], *SLUGS[6:]]),
    "one edited, moved last": ({"a00": 1}, set(), [*SLUGS[1:], "a00"]),
    "one added in the middle": ({"new": 1}, set(), [*SLUGS[:6], "new", *SLUGS[6:]]),
    "one removed": ({}, {"a03"}, [s for s in SLUGS if s != "a03"]),
    "all removed": ({}, set(SLUGS), []),
    "reversed, none edited": ({}, set(), SLUGS[::-1]),
    "two edited far apart": ({"a01": 3, "a10": 1}, set(), SLUGS),
}


@pytest.mark.parametrize("case", CASES)
def test_a_patch_equals_the_files_written_whole(tmp_path: Path, case: str) -> None:
    edits, gone, order = CASES[case]
    last = first_build(tmp_path, SLUGS)
    spoil_unchanged_rows(last)
    out, details = rebuild(tmp_path, last, len(SLUGS), edits, gone, order)
    details.close()
    rows = {slug: edits.get(slug, 0) for slug in order}
    assert contents(out) == whole(tmp_path, rows, order)


def test_random_rebuilds_patch_to_the_same_bytes(tmp_path: Path) -> None:
    """Many rebuilds in a row, each patching the one before (edits, additions, removals and
    reorders at random): every time, the files written whole."""
    rng = random.Random(7)
    last = first_build(tmp_path, SLUGS)
    rows = dict.fromkeys(SLUGS, 0)
    build_id = "b1"
    for step in range(25):
        slugs = list(rows)  # the last build's accounts
        edits = {slug: rng.randint(0, 3) for slug in rng.sample(slugs, rng.randint(0, 3))}
        edits |= {f"n{step}": rng.randint(0, 2)} if rng.random() < 0.4 else {}
        gone = set(rng.sample(slugs, 1)) - edits.keys() if rng.random() < 0.3 else set()
        rows = {slug: n for slug, n in {**rows, **edits}.items() if slug not in gone}
        order = list(rows)
        if rng.random() < 0.5:
            mover = order.pop(rng.randrange(len(order)))
            order.insert(rng.randrange(len(order) + 1), mover)
        out = tmp_path / f"s{step}"
        out.mkdir()
        details = Details.copy(last / "d.sqlite", out / "d.sqlite", build_id, len(slugs))
        for slug, edition in edits.items():
            put(details, slug, edition)
        details.remove(gone)
        write_exports(out, FRAMES, order, details, last)
        build_id = f"b{step + 2}"
        details.finish(build_id)
        rows = dict(zip(order, [rows[slug] for slug in order], strict=True))
        assert contents(out) == whole(tmp_path, rows, order), f"step {step}"
        last = out


@pytest.mark.parametrize("change", ["edited", "removed", "touched"])
def test_last_files_changed_by_hand_are_written_whole(tmp_path: Path, change: str) -> None:
    last = first_build(tmp_path, SLUGS)
    target = last / "index.csv"
    if change == "edited":
        target.write_bytes(target.read_bytes().replace(b"a04", b"zz4"))  # same size
    elif change == "removed":
        target.unlink()
    else:
        os.utime(target, ns=(0, 0))
    spoil_unchanged_rows(last)
    out, details = rebuild(tmp_path, last, len(SLUGS), {"a05": 1}, set(), SLUGS)
    details.close()
    assert (out / "index.csv").read_bytes().count(b"spoilt") == len(SLUGS) - 1  # from the rows


def test_a_damaged_layout_means_the_files_are_written_whole(tmp_path: Path) -> None:
    last = first_build(tmp_path, SLUGS)
    with sqlite3.connect(last / "d.sqlite") as db:
        db.execute("UPDATE build SET value = x'7b7d' WHERE key = 'exports'")  # {}
    out, details = rebuild(tmp_path, last, len(SLUGS), {"a05": 1}, set(), SLUGS)
    details.close()
    rows = {slug: 1 if slug == "a05" else 0 for slug in SLUGS}
    assert contents(out) == whole(tmp_path, rows, SLUGS)
