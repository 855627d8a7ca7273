"""How many processes work for a command, and running work over many accounts in forked ones.

Validating and rendering run in forked workers that inherit the state (site, theme, pages) without
pickling it; only results travel back. Small jobs, platforms without fork and callers in threads
(the preview server) run in-process. PDFs have their own pool (pdf/pool.py) because each render
also needs a time and a memory limit; both take their size from `cpus`.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

# Work below this many items per worker is not worth starting processes for.
PARALLEL_THRESHOLD = 200
# Account files a worker takes through one step together (build/worker.py, load/site.py). What
# waits between two steps (parsed narratives, rendered reports) is tens of times the files' size:
# typical accounts (a few kB) go a chunk at a time, a few large ones (up to MAX_FILE_BYTES) one
# or two at a time.
STEP_BYTES = 1_000_000
# The state of the work a forked worker was started for: set once in each worker by _init_worker
# (fork gives it the parent's objects for free), never in the parent.
_worker_state: Any = None


def cpus(jobs: int | None) -> int:
    """The processes `--jobs` asks for, by default one per CPU."""
    return max(1, jobs or os.cpu_count() or 1)


def _init_worker(state: Any) -> None:
    global _worker_state
    _worker_state = state
    # Ctrl-C reaches every process of the group: the parent stops the workers, which must not
    # each print a traceback first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_chunk(task: tuple[Callable[[Any, int, int], Any], int, int]) -> Any:
    function, start, end = task
    return function(_worker_state, start, end)


def _can_fork() -> bool:
    return hasattr(os, "fork") and threading.current_thread() is threading.main_thread()


def workers_for(count: int, jobs: int | None) -> int:
    if not _can_fork():
        return 1
    return max(1, min(cpus(jobs), count // PARALLEL_THRESHOLD))


def chunk_spans(count: int, workers: int, most: int | None = None) -> list[tuple[int, int]]:
    """[start, end) spans over [0, count): `workers` x 4 chunks of at most `most` items, in order.

    With several workers, the last `workers` chunks' worth of items goes in chunks a quarter of
    that size. Chunks are handed out as workers free up, so the build ends when the last one is
    done; one worker finishing a whole chunk while the others have nothing left to take was up
    to a chunk's time (about 0.8 s at 10,000 accounts) lost at the end of every build.
    """
    if count <= 0:
        return []
    if workers <= 1:
        return _cut(0, count, min(count, most or count))
    size = min(-(-count // (workers * 4)), most or count)
    small_from = count - min(count, workers * size)
    return _cut(0, small_from, size) + _cut(small_from, count, -(-size // 4))


def by_size(
    paths: Sequence[Path], most: int = STEP_BYTES, count: int | None = None
) -> list[list[Path]]:
    """`paths`, in order, in groups of files that together hold at most `most` bytes (and, with
    `count`, are at most that many); a larger file is a group of its own. A file that cannot be
    looked at counts as empty (reading it reports why)."""
    groups: list[list[Path]] = []
    held = 0
    for path in paths:
        try:
            size = os.lstat(path).st_size
        except OSError:
            size = 0
        if groups and held + size <= most and (count is None or len(groups[-1]) < count):
            groups[-1].append(path)
            held += size
        else:
            groups.append([path])
            held = size
    return groups


def _cut(start: int, end: int, size: int) -> list[tuple[int, int]]:
    return [(first, min(first + size, end)) for first in range(start, end, size)]


def each_chunk(
    function: Callable[[Any, int, int], T],
    state: Any,
    count: int,
    jobs: int | None,
    most: int | None = None,
) -> Iterator[T]:
    """function(state, start, end) over [0, count) in chunks of at most `most` items (which
    bounds what one call holds at once); each chunk's result, in order, as soon as it (and those
    before it) are done: the caller can put results away as they come instead of holding them
    all."""
    workers = workers_for(count, jobs)
    spans = chunk_spans(count, workers, most)
    if workers <= 1:
        for start, end in spans:
            yield function(state, start, end)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_init_worker, initargs=(state,)) as pool:
        yield from pool.imap(_run_chunk, [(function, start, end) for start, end in spans])


def run_tasks(tasks: Sequence[Callable[[], T]], jobs: int | None) -> list[T]:
    """Each task's result, in order. The tasks run in up to `jobs` forked workers, each task
    taken by the first worker free; fork hands the workers the tasks and whatever they hold, and
    only the results travel back. For a few large, unequal pieces of work (the internal index's
    files), where each_chunk's many small items do not fit; in-process where each_chunk would be
    (and for one task, or `jobs` 1)."""
    workers = min(cpus(jobs), len(tasks)) if _can_fork() else 1
    if workers <= 1:
        return [task() for task in tasks]
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_init_worker, initargs=(tasks,)) as pool:
        return pool.map(_run_task, range(len(tasks)), chunksize=1)


def _run_task(index: int) -> Any:
    return _worker_state[index]()
