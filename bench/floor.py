"""The Python floor of a static build: what any Python generator of these reports must at least do.

For every account file: read it, split the front matter, load the YAML (PyYAML's C loader), render
the narrative (markdown-it-py, CommonMark, raw HTML off), render a page with Jinja (autoescape; the
account's name, each result's numbers, the narrative) and write it to OUT/<slug>/index.html; in
`--jobs` forked workers, as outcomesite does. No validation, no ladder, no index, no history:
`bench/build.py` times it against `outcomesite build` in the same run, alternated, so that the
ratio says how much outcomesite adds on top of the unavoidable.

    python bench/floor.py SITE OUT [--jobs 2]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
from pathlib import Path
from typing import Any

import jinja2
import yaml
from markdown_it import MarkdownIt
from markupsafe import Markup

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ data.account }}</title></head>
<body><h1>{{ data.account }}</h1>
{% for r in data.results or [] %}<section><h2>{{ r.goal }}</h2><p>{{ r.metric }}</p>
<dl><dt>Baseline</dt><dd>{{ r.baseline }} {{ r.unit or "" }}</dd><dt>Target</dt><dd>{{ r.target }}</dd>
<dt>Current</dt><dd>{{ r.current }}</dd><dt>Owner</dt><dd>{{ r.owner }}</dd></dl></section>
{% endfor %}{% for s in data.next_steps or [] %}<p>{{ s.step }}: {{ s.owner }}</p>{% endfor %}
<main>{{ narrative }}</main></body></html>
"""

_files: list[Path] = []
_out = Path()


def _render(chunk: tuple[int, int]) -> int:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    markdown = MarkdownIt("commonmark", {"html": False})
    template = jinja2.Environment(autoescape=True).from_string(PAGE)
    for path in _files[chunk[0] : chunk[1]]:
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        data: Any = yaml.load(front, Loader=loader)  # the C safe loader
        narrative = Markup(markdown.render(body))
        folder = _out / path.stem
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(
            template.render(data=data, narrative=narrative), encoding="utf-8"
        )
    return chunk[1] - chunk[0]


def main() -> int:
    global _files, _out
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    _files = sorted((args.site / "content" / "accounts").glob("*.md"))
    _out = args.out
    size = max(1, -(-len(_files) // (args.jobs * 4)))
    chunks = [(start, min(start + size, len(_files))) for start in range(0, len(_files), size)]
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        done = sum(pool.map(_render, chunks))
    print(f"{done} pages -> {_out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
