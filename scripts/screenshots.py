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
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SCREENS = ROOT / "docs" / "screens"
AS_OF = dt.date(2026, 11, 23)  # the example site's report date, as in the tests
WIDTHS = {"desktop": 1280, "phone": 390}


def shrink(png: Path) -> None:
    with Image.open(png) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(png, optimize=True)


def main() -> int:
    with tempfile.TemporaryDirectory() as temp:
        site = Path(temp) / "site"
        shutil.copytree(ROOT / "content", site / "content")
        shutil.copy2(ROOT / "outcomesite.yaml", site / "outcomesite.yaml")
        env = {**os.environ, "OUTCOMESITE_SECRET": "screenshots-" + "0" * 32}
        exe = Path(sys.executable).parent / "outcomesite"
        subprocess.run(
            [str(exe), "-C", str(site), "build", "--as-of", AS_OF.isoformat()], env=env, check=True
        )
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
                shots = []
                for name, width in WIDTHS.items():
                    page = browser.new_page(viewport={"width": width, "height": 900})
                    page.goto((folder / "index.html").as_uri())
                    target = SCREENS / f"{slug}-{name}.png"
                    page.screenshot(path=str(target), full_page=True)
                    page.close()
                    shrink(target)
                    shots.append(f"[{name} ({width} px)]({target.name})")
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
            browser.close()
        (SCREENS / "README.md").write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {len(list(SCREENS.glob('*.png')))} images to {SCREENS.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
