"""Render the example site's reports as a customer sees them, for docs/screens/.

Builds this repository's example site (with PDFs) into a temporary folder, then saves, for every
account: the report at 1280 px (desktop) and 390 px (phone) wide, full page, with Debian's
Chromium; and every PDF page at 100 dpi with pdftoppm. PNGs are reduced to 256 colours so the
gallery stays small in Git. docs/screens/README.md lists them all.

Run after a visual change, then look at every image before committing:

    .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SCREENS = ROOT / "docs" / "screens"
AS_OF = dt.date(2026, 11, 23)  # the example site's report date, as in the tests
WIDTHS = {"desktop": 1280, "phone": 390}


def shrink(png: Path) -> None:
    with Image.open(png) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(png, optimize=True)


def build(site: Path, *options: str) -> None:
    env = {**os.environ, "OUTCOMESITE_SECRET": "screenshots-" + "0" * 32}
    env.pop("CI", None)
    exe = Path(sys.executable).parent / "outcomesite"
    command = [str(exe), "-C", str(site), "build", "-q", "--as-of", AS_OF.isoformat(), *options]
    subprocess.run(command, env=env, check=True)


def shoot(browser: Browser, page_file: Path, stem: str) -> list[str]:
    """The page at each width, full length; the links for the gallery."""
    links = []
    for name, width in WIDTHS.items():
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(page_file.as_uri())
        target = SCREENS / f"{stem}-{name}.png"
        page.screenshot(path=str(target), full_page=True)
        page.close()
        shrink(target)
        links.append(f"[{name} ({width} px)]({target.name})")
    return links


def internal_pages(browser: Browser, sample: Path, temp: Path) -> list[str]:
    """The internal index's first page: of the example site, and of a generated portfolio of
    2,000 accounts (bench/generate.py --portfolio) with 40 CSMs, renewal dates and ARR."""
    portfolio = temp / "portfolio"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), str(portfolio), "--accounts",
         "2000", "--portfolio"],
        check=True,
    )  # fmt: skip
    build(portfolio, "--no-pdf")
    lines = ["## The internal index (for the CS team)", ""]
    for title, site, stem in (
        ("The example site", sample, "internal-sample"),
        ("A generated portfolio of 2,000 accounts", portfolio, "internal-2000"),
    ):
        links = shoot(browser, site / "build" / "internal" / "index.html", stem)
        lines += [f"{title}: " + " · ".join(links), ""]
    return lines


HISTORY = (
    "2026-11-24",
    "2026-12-02",
)  # since, as of: the days after this repository's first commit


def history_page(browser: Browser, temp: Path) -> list[str]:
    """The index's "since" and "over time" sections of this repository's own example site, built
    from its Git history (the copy the reports are shot from has none)."""
    out = temp / "history"
    env = {**os.environ, "OUTCOMESITE_SECRET": "screenshots-" + "0" * 32}
    env.pop("CI", None)
    exe = Path(sys.executable).parent / "outcomesite"
    since, as_of = HISTORY
    subprocess.run(
        [str(exe), "-C", str(ROOT), "build", "-q", "--no-pdf", "--no-cache", "--out", str(out),
         "--as-of", as_of, "--since", since],
        env=env,
        check=True,
    )  # fmt: skip
    page = browser.new_page(viewport={"width": WIDTHS["desktop"], "height": 900})
    page.goto((out / "internal" / "index.html").as_uri())
    parts = []
    for section in ("#since", "#over-time"):
        target = temp / f"{section[1:]}.png"
        page.locator(section).screenshot(path=str(target))
        parts.append(Image.open(target).convert("RGB"))
    page.close()
    sheet = Image.new("RGB", (max(p.width for p in parts), sum(p.height for p in parts)), "white")
    y = 0
    for part in parts:
        sheet.paste(part, (0, y))
        y += part.height
    target = SCREENS / "internal-history-desktop.png"
    sheet.save(target)
    shrink(target)
    return [
        f"The example site's history (since {since}, as of {as_of}), from this repository's Git: "
        f"[the since and over-time sections]({target.name})",
        "",
    ]


def main() -> int:
    with tempfile.TemporaryDirectory() as temp:
        site = Path(temp) / "site"
        shutil.copytree(ROOT / "content", site / "content")
        shutil.copy2(ROOT / "outcomesite.yaml", site / "outcomesite.yaml")
        build(site)
        index = json.loads((site / "build" / "internal" / "index.json").read_text("utf-8"))
        if SCREENS.exists():
            shutil.rmtree(SCREENS)
        SCREENS.mkdir(parents=True)
        lines = [
            "# The example site, as customers see it",
            "",
            "Made by `scripts/screenshots.py` from `content/` (data as of "
            f"{AS_OF.isoformat()}): each report at 1280 px and 390 px wide, and every page of "
            "its PDF at 100 dpi.",
            "",
        ]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
            for entry in sorted(index["accounts"], key=lambda a: a["slug"]):
                slug = entry["slug"]
                folder = (
                    site / "build" / "public" / "r" / entry["report_url"].strip("/").split("/")[-1]
                )
                lines += [f"## {entry['account']}", ""]
                shots = shoot(browser, folder / "index.html", slug)
                pdf = next(folder.glob("*.pdf"))
                subprocess.run(
                    ["pdftoppm", "-r", "100", "-png", str(pdf), str(SCREENS / f"{slug}-pdf")],
                    check=True,
                )
                pages = sorted(SCREENS.glob(f"{slug}-pdf-*.png"))
                for number, png in enumerate(pages, 1):
                    shrink(png)
                    shots.append(f"[PDF page {number}]({png.name})")
                lines += [" · ".join(shots), ""]
            lines += internal_pages(browser, site, Path(temp))
            lines += history_page(browser, Path(temp))
            browser.close()
        (SCREENS / "README.md").write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {len(list(SCREENS.glob('*.png')))} images to {SCREENS.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
