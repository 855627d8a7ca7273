"""Run work over many accounts in forked worker processes that share the parent's data.

Forked workers inherit the state (site, theme, pages) without pickling it; only results travel back.
Small jobs, platforms without fork and callers in threads (the preview server) run in-process.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

# Work below this many items per worker is not worth starting processes for.
PARALLEL_THRESHOLD = 200
_worker_state: Any = None  # set in forked workers only, by _init_worker


def _init_worker(state: Any) -> None:
    global _worker_state
    _worker_state = state


def _run_chunk(task: tuple[Callable[[Any, int, int], Any], int, int]) -> Any:
    function, start, end = task
    return function(_worker_state, start, end)


def workers_for(count: int, jobs: int | None) -> int:
    if not hasattr(os, "fork") or threading.current_thread() is not threading.main_thread():
        return 1
    return max(1, min(jobs or os.cpu_count() or 1, count // PARALLEL_THRESHOLD))


def in_chunks(
    function: Callable[[Any, int, int], T], state: Any, count: int, jobs: int | None
) -> list[T]:
    """function(state, start, end) over [0, count) in chunks; the chunks' results, in order."""
    workers = workers_for(count, jobs)
    if workers <= 1:
        return [function(state, 0, count)]
    size = -(-count // (workers * 4))
    tasks = [(function, start, min(start + size, count)) for start in range(0, count, size)]
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_init_worker, initargs=(state,)) as pool:
        return pool.map(_run_chunk, tasks)
