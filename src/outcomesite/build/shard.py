"""PDFs rendered beyond one machine: `outcomesite build --shard K/N`.

At 10,000 accounts the PDFs are most of a cold build (about 40 minutes on two cores). N CI jobs
(a GitHub Actions matrix, GitLab's `parallel:`) each run `build --shard K/N`, which renders only
the PDFs of shard K into the PDF cache and writes nothing else; each job keeps its cache, and a
final `outcomesite build` with the caches merged finds every PDF there and renders none. The cache
is content-addressed (pdf/cache.py): merging is copying the folders together.

A shard is a stable partition by slug (a hash, not a position in the list): an account stays in
its shard when others are added or removed, and every shard job agrees without talking to the
others. A shard job loads and checks the whole site (a site with errors renders nothing), so it
needs what the final build needs: the same commit, `--as-of` and OUTCOMESITE_SECRET.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path

from outcomesite.build.decide import BuildOptions, setting
from outcomesite.errors import EXIT_USAGE, OutcomesiteError
from outcomesite.layout import CACHE_DIR, DEFAULT_OUT


@dataclass(frozen=True)
class Shard:
    number: int  # 1 to count, as CI numbers its jobs
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """`2/3` -> Shard(2, 3); anything else is a usage error that says what to write."""
        match = re.fullmatch(r"\s*(\d{1,4})\s*/\s*(\d{1,4})\s*", text)
        if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
            raise OutcomesiteError(
                f"--shard {text}: write K/N, this job's number K from 1 to N, the number of jobs "
                "(for example --shard 2/3)",
                EXIT_USAGE,
            )
        return cls(int(match.group(1)), int(match.group(2)))

    def has(self, slug: str) -> bool:
        digest = hashlib.sha256(slug.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.number - 1

    def __str__(self) -> str:
        return f"{self.number}/{self.count}"


@dataclass(frozen=True)
class ShardReport:
    shard: Shard
    pdfs: int  # PDFs of this shard's accounts (latest and permanent versions)
    rendered: int  # of those, rendered now; the others were in the cache already
    site_pdfs: int  # PDFs of the whole site
    cache: Path  # the cache folder to keep for the final build
    seconds: float


def render_shard(root: Path, options: BuildOptions, shard: Shard) -> ShardReport:
    """Render shard `shard`'s PDFs into the cache; the output folder is not touched."""
    from outcomesite.build.run import Run  # the heavy stages
    from outcomesite.build.stamps import Scanner
    from outcomesite.pdf.cache import PdfCache

    started = time.perf_counter()
    now = setting(root, options)
    out = options.out if options.out is not None else root / DEFAULT_OUT  # left untouched
    run = Run(root, out, options, now.as_of, now.secret, now.params, Scanner(root), {}, now.environ)
    cache = PdfCache(options.cache or root / CACHE_DIR)
    written = run.shard(shard, cache)
    if cache.warnings:  # a shard whose PDFs are not kept did its work for nothing
        raise OutcomesiteError(cache.warnings[0], EXIT_USAGE)
    seconds = time.perf_counter() - started
    return ShardReport(
        shard, written.shard_pdfs, written.pdfs_rendered, written.pdfs, cache.folder, seconds
    )
