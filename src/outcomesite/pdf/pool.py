"""PDF workers whose limits hold whatever thread asks: time and memory, enforced from outside.

A hostile or broken narrative must fail its own PDF with a clear message, never hang or exhaust the
machine. So every render runs in a worker process: the operating system caps the worker's memory
(`RLIMIT_AS`, set when the worker starts), and the parent stops a worker that runs over its time
(pebble's process pool kills it). This works from the preview's HTTP threads as well as from the
command line, and Ctrl-C stops every worker.

Workers come from a fork server, not from the build itself: a worker forked from the build would
inherit its memory (a large site's loaded accounts) and with it most of its memory limit. The fork
server is a fresh process that has imported WeasyPrint once, so a new worker starts in milliseconds.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import TimeoutError as FutureTimeout

from pebble import ProcessExpired, ProcessPool

from outcomesite.layout import DEFAULT_PDF_MEMORY_MB
from outcomesite.pdf.jobs import PdfError, PdfJob, RenderTimeout
from outcomesite.pdf.renderer import render_pdf


def _limit_memory(limit_bytes: int) -> None:
    """Runs first in each worker: its address space may not grow beyond the limit."""
    import resource

    if limit_bytes > 0:
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        if hard != resource.RLIM_INFINITY:
            limit_bytes = min(limit_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, hard))


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["outcomesite.pdf.renderer", "weasyprint"])
    _start_fork_server()
    return context


def _start_fork_server() -> None:
    """Start the fork server deaf to Ctrl-C and with its standard error going nowhere.

    The build stops its workers itself on Ctrl-C; left to themselves, the fork server (while it
    imports WeasyPrint) and a worker being started at that moment would print tracebacks. Every
    error a worker meets comes back to the build as an exception, and a worker that dies is
    reported by its exit code, so nothing is lost.
    """
    from multiprocessing import forkserver

    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main_thread else None
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        forkserver.ensure_running()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


class PdfPool:
    """A few worker processes that render PDFs in order, each job under its time limit and every
    worker under `memory_mb`. Use as a context manager; the first failure stops the others."""

    def __init__(self, workers: int, memory_mb: int = DEFAULT_PDF_MEMORY_MB) -> None:
        self.workers = max(1, workers)
        self.memory_mb = memory_mb
        self._pool: ProcessPool | None = None

    def __enter__(self) -> PdfPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(stop=exc[0] is not None)

    def _started(self) -> ProcessPool:
        if self._pool is None:
            self._pool = ProcessPool(
                max_workers=self.workers,
                initializer=_limit_memory,
                initargs=(self.memory_mb * 1024 * 1024,),
                context=_context(),
            )
        return self._pool

    def render(self, jobs: Sequence[PdfJob]) -> Iterator[bytes]:
        """Each job's PDF, in order. Raises PdfError (after stopping every worker) on the first
        job that fails, runs over its time or its worker's memory."""
        if not jobs:
            return
        pool = self._started()
        futures = [pool.schedule(render_pdf, args=(job,), timeout=job.timeout) for job in jobs]
        try:
            for job, future in zip(jobs, futures, strict=True):
                yield self._result(job, future)
        except BaseException:
            self.close(stop=True)
            raise

    def render_one(self, job: PdfJob) -> bytes:
        return next(iter(self.render([job])))

    def _result(self, job: PdfJob, future: object) -> bytes:
        try:
            return future.result()  # type: ignore[attr-defined,no-any-return]
        except FutureTimeout:
            raise RenderTimeout(
                f"{job.key}: the PDF took longer than {job.timeout:g} s to render and was "
                "stopped; shorten the narrative or its tables"
            ) from None
        except ProcessExpired as expired:
            raise PdfError(
                f"{job.key}: the PDF renderer stopped (exit code {expired.exitcode}); it may have "
                f"needed more than the {self.memory_mb} MB a PDF worker may use (`pdf_memory_mb` "
                "in outcomesite.yaml); shorten the narrative or its tables"
            ) from None
        except MemoryError:
            raise PdfError(
                f"{job.key}: the PDF needed more than the {self.memory_mb} MB a PDF worker may use "
                "(`pdf_memory_mb` in outcomesite.yaml); shorten the narrative or its tables"
            ) from None

    def close(self, stop: bool = False) -> None:
        if self._pool is None:
            return
        if stop:
            self._pool.stop()  # type: ignore[no-untyped-call]
        else:
            self._pool.close()  # type: ignore[no-untyped-call]
        self._pool.join()
        self._pool = None
