"""Trust, part 1: nothing leaves an account's own folder, and only images are published from it.

Each test performs an attack on a real site (links committed as folders or images, hostile files
named like images, files that would replace the report) and asserts what a user sees: the exit
status, the message at its line, and the files in build/.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from outcomesite.build import BuildOptions, BuildRefused, build_site
from outcomesite.links import link_id
from tests.conftest import AS_OF, ROOT, VALID, diagnostics_of, make_site, run_cli

ENV = {"OUTCOMESITE_SECRET": "trust-secret-0123456789abcdef0123456789abcdef"}
CHART = ROOT / "content" / "accounts" / "northwind-logistics" / "chart.png"
P = "content/accounts/acme.md"
IMAGE_LINE = 25  # the narrative line of VALID that the tests replace with an image


def with_image(markdown: str) -> str:
    return VALID.replace("Onboarding is faster.", markdown)


def build(root: Path, pdf: bool = False) -> None:
    build_site(root, BuildOptions(pdf=pdf, environ=ENV, as_of=AS_OF, jobs=1))


def built_files(root: Path) -> dict[str, bytes]:
    out = root / "build"
    return {
        p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
    }


def report_folder(root: Path, slug: str = "acme") -> Path:
    return root / "build" / "public" / "r" / link_id(ENV["OUTCOMESITE_SECRET"].encode(), slug, 1)


def image_bytes(kind: str) -> bytes:
    if kind == "PNG":
        return CHART.read_bytes()
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format=kind)
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# 1. files from outside the site


def git_repository(root: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".git" / "config").write_text(
        "[core]\n\trepositoryformatversion = 0\n[http]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n",
        encoding="utf-8",
    )
    return root


LINKED_FOLDERS = {
    # name: (link target relative to content/accounts/, the file the narrative asks for)
    ".git": ("../../.git", "config"),
    "/etc": ("/etc", "hostname"),
    "local secret": ("../../.outcomesite", "secret"),
    "sibling account": ("northwind", "chart.png"),
}


@pytest.mark.parametrize("case", LINKED_FOLDERS)
def test_an_account_folder_that_is_a_link_is_refused_and_nothing_is_published(
    tmp_path: Path, case: str
) -> None:
    target, asked = LINKED_FOLDERS[case]
    root = git_repository(tmp_path)
    make_site(root, {"acme": with_image(f"![status]({asked})"), "northwind": VALID})
    (root / ".outcomesite").mkdir()
    (root / ".outcomesite" / "secret").write_text("local-secret-value\n", encoding="utf-8")
    (root / "content/accounts/northwind").mkdir()
    shutil.copyfile(CHART, root / "content/accounts/northwind/chart.png")
    (root / "content/accounts/acme").symlink_to(target, target_is_directory=True)

    result = run_cli(root, "check", "--as-of", AS_OF.isoformat())
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"{P}:1: error: the account's folder `content/accounts/acme` is a link (symlink), not a "
        "folder: nothing is published from it; commit the folder and its images themselves, "
        "not a link"
    )
    built = run_cli(root, "build", "--as-of", AS_OF.isoformat(), env=ENV)
    assert built.exit_code == 1
    assert not (root / "build").exists()


def test_nothing_of_a_linked_folder_reaches_a_build_even_unreferenced(tmp_path: Path) -> None:
    """The folder link alone fails the account: its files are never read or published."""
    root = git_repository(tmp_path)
    make_site(root, {"acme": VALID, "globex": VALID.replace("Acme Corp", "Globex")})
    build(root)
    before = built_files(root)
    (root / "content/accounts/acme").symlink_to("../../.git", target_is_directory=True)
    with pytest.raises(BuildRefused):
        build(root)
    assert built_files(root) == before
    assert not any(b"extraheader" in data for data in before.values())


def test_an_image_that_is_a_link_is_refused_at_its_line(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": with_image("![status](status.png)")})
    (tmp_path / "content/accounts/acme").mkdir()
    (tmp_path / "content/accounts/acme/status.png").symlink_to("/etc/hostname")
    assert diagnostics_of(tmp_path) == [
        f"{P}:{IMAGE_LINE}: error: image `status.png` is reached through a link (symlink) in "
        "content/accounts/acme/: commit the image itself, not a link; nothing outside the "
        "account's own folder is published"
    ]


def test_an_image_below_a_linked_folder_inside_the_account_is_refused(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": with_image("![status](shots/chart.png)"), "globex": VALID})
    (tmp_path / "content/accounts/globex").mkdir()
    shutil.copyfile(CHART, tmp_path / "content/accounts/globex/chart.png")
    (tmp_path / "content/accounts/acme").mkdir()
    (tmp_path / "content/accounts/acme/shots").symlink_to(
        tmp_path / "content/accounts/globex", target_is_directory=True
    )
    assert diagnostics_of(tmp_path)[0].startswith(
        f"{P}:{IMAGE_LINE}: error: image `shots/chart.png` is reached through a link (symlink)"
    )


def test_a_symlink_loop_in_an_account_folder_is_not_a_crash(tmp_path: Path) -> None:
    """`ln -s . loop` once sent the build's file scan round in circles until it crashed."""
    make_site(tmp_path, {"acme": with_image("![chart](chart.png)")})
    folder = tmp_path / "content/accounts/acme"
    folder.mkdir()
    shutil.copyfile(CHART, folder / "chart.png")
    (folder / "loop").symlink_to(".", target_is_directory=True)
    result = run_cli(tmp_path, "build", "--no-pdf", "--as-of", AS_OF.isoformat(), env=ENV)
    assert result.exit_code == 0, result.output
    published = sorted(p.name for p in report_folder(tmp_path).iterdir())
    assert published == ["chart.png", "index.html"]
    # Asking for a file through the loop is refused like any link.
    make_site(tmp_path, {"acme": with_image("![chart](loop/chart.png)")})
    result = run_cli(tmp_path, "check", "--as-of", AS_OF.isoformat())
    assert result.exit_code == 1
    assert "image `loop/chart.png` is reached through a link (symlink)" in result.output


def test_an_account_file_that_is_a_link_is_refused(tmp_path: Path) -> None:
    make_site(tmp_path, {"globex": VALID})
    (tmp_path / "elsewhere.md").write_text(VALID, encoding="utf-8")
    (tmp_path / "content/accounts/acme.md").symlink_to(tmp_path / "elsewhere.md")
    assert diagnostics_of(tmp_path) == [
        f"{P}:1: error: `content/accounts/acme.md` is a link (symlink) to another file: commit the "
        "account file itself, not a link"
    ]


def test_a_linked_accounts_folder_is_an_environment_error(tmp_path: Path) -> None:
    make_site(tmp_path / "real", {"acme": VALID})
    (tmp_path / "site" / "content").mkdir(parents=True)
    (tmp_path / "site/content/accounts").symlink_to(tmp_path / "real/content/accounts")
    result = run_cli(tmp_path / "site", "check")
    assert result.exit_code == 2
    assert "content/accounts is a link (symlink)" in result.output


def test_a_theme_with_a_link_is_refused_by_check(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID}, config="theme: brand\n")
    assets = tmp_path / "themes/brand/assets"
    assets.mkdir(parents=True)
    (assets / "theme.css").symlink_to("/etc/hostname")
    assert diagnostics_of(tmp_path) == [
        "outcomesite.yaml:1: error: `theme` `brand`: themes/brand/assets/theme.css is a link "
        "(symlink): commit the file itself"
    ]


def test_a_logo_that_is_a_link_or_not_an_image_is_refused(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID}, config="logo: assets/logo.png\n")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets/logo.png").symlink_to("/etc/hostname")
    assert diagnostics_of(tmp_path) == [
        "outcomesite.yaml:1: error: `logo` file `assets/logo.png` is a link (symlink), not a "
        "file: commit the file itself, not a link"
    ]
    (tmp_path / "assets/logo.png").unlink()
    (tmp_path / "assets/logo.png").write_text("<html><script>alert(1)</script>", encoding="utf-8")
    assert diagnostics_of(tmp_path) == [
        "outcomesite.yaml:1: error: `logo` file `assets/logo.png` is not a PNG image (its "
        "content is HTML): export it again as PNG"
    ]


# --------------------------------------------------------------------------------------------
# 2. only images are published


NOT_IMAGES = [
    # (file name, content, the message after "image `<name>` ")
    (
        "index.html",
        b"<html><script>alert(1)</script></html>",
        "is not a PNG, JPEG, GIF, WebP or SVG file: only images are published next to a report; "
        "export it as PNG and write `![description](image.png)`",
    ),
    (
        "acme.pdf",
        b"%PDF-1.7",
        "is not a PNG, JPEG, GIF, WebP or SVG file: only images are published next to a report; "
        "export it as PNG and write `![description](image.png)`",
    ),
    (
        "chart.png",
        b"<!DOCTYPE html><html><script>alert(document.cookie)</script>",
        "is not a PNG image (its content is HTML): only images are published next to a report; "
        "export it again as PNG",
    ),
    (
        "photo.jpg",
        CHART.read_bytes(),
        "is not a JPEG image (its content is a PNG image): only images are published next to a "
        "report; export it again as PNG",
    ),
    (
        "script.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "contains a `<script>` element: only images are published next to a report; export it "
        "again as PNG",
    ),
    (
        "handler.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
        "contains an event handler (`onload`): only images are published next to a report; "
        "export it again as PNG",
    ),
    (
        "foreign.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>',
        "contains a `<foreignObject>` element: only images are published next to a report; "
        "export it again as PNG",
    ),
    (
        "external.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<image xlink:href="https://tracker.example/p.png"/></svg>',
        'contains a reference to another file or address (`href="https://tracker.example/p.png"`): '
        "only images are published next to a report; export it again as PNG",
    ),
    (
        "styled.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>rect { fill: url(https://x.example/a) }'
        b"</style><rect/></svg>",
        "contains a reference to another file or address (`url(https://x.example/a)`): only "
        "images are published next to a report; export it again as PNG",
    ),
    (
        "entity.svg",
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
        "contains a DOCTYPE declaration: only images are published next to a report; export it "
        "again as PNG",
    ),
    (
        "page.svg",
        b'<html xmlns="http://www.w3.org/1999/xhtml"><body>hi</body></html>',
        "is not an SVG image (it starts with `<html>`): only images are published next to a "
        "report; export it again as PNG",
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "message"), NOT_IMAGES, ids=[n for n, _, _ in NOT_IMAGES]
)
def test_only_images_are_published(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    make_site(tmp_path, {"acme": with_image(f"![x]({name})")})
    (tmp_path / "content/accounts/acme").mkdir()
    (tmp_path / "content/accounts/acme" / name).write_bytes(content)
    assert diagnostics_of(tmp_path) == [f"{P}:{IMAGE_LINE}: error: image `{name}` {message}"]
    result = run_cli(tmp_path, "build", "--no-pdf", "--as-of", AS_OF.isoformat(), env=ENV)
    assert result.exit_code == 1
    assert not (tmp_path / "build").exists()


def test_an_image_cannot_replace_the_report_of_a_good_build(tmp_path: Path) -> None:
    """`![x](index.html)` once copied the author's page over the customer's report."""
    make_site(tmp_path, {"acme": VALID})
    build(tmp_path)
    before = built_files(tmp_path)
    make_site(tmp_path, {"acme": with_image("![x](index.html)")})
    (tmp_path / "content/accounts/acme").mkdir()
    (tmp_path / "content/accounts/acme/index.html").write_text("<script>evil()</script>")
    with pytest.raises(BuildRefused):
        build(tmp_path)
    assert built_files(tmp_path) == before


def test_a_folder_named_like_a_version_is_refused(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": with_image("![x](v2/chart.png)")})
    (tmp_path / "content/accounts/acme/v2").mkdir(parents=True)
    shutil.copyfile(CHART, tmp_path / "content/accounts/acme/v2/chart.png")
    assert diagnostics_of(tmp_path) == [
        f"{P}:{IMAGE_LINE}: error: image `v2/chart.png` is in a folder named `v2`, which is where "
        "version 2 of the report is published: rename that folder, e.g. `images/`"
    ]


@pytest.mark.parametrize("kind", ["PNG", "JPEG", "GIF", "WebP"])
def test_real_images_of_every_kind_are_published_as_they_are(tmp_path: Path, kind: str) -> None:
    name = {"PNG": "a.png", "JPEG": "a.jpeg", "GIF": "a.gif", "WebP": "a.webp"}[kind]
    make_site(tmp_path, {"acme": with_image(f"![x](./shots/{name})")})
    (tmp_path / "content/accounts/acme/shots").mkdir(parents=True)
    data = image_bytes(kind)
    (tmp_path / "content/accounts/acme/shots" / name).write_bytes(data)
    assert diagnostics_of(tmp_path) == []
    build(tmp_path)
    assert (report_folder(tmp_path) / "shots" / name).read_bytes() == data


def test_a_plain_svg_is_published(tmp_path: Path) -> None:
    svg = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
        b'viewBox="0 0 10 10"><defs><linearGradient id="g"><stop offset="0"/></linearGradient>'
        b'</defs><rect width="10" height="10" style="fill: url(#g)"/><use href="#g"/></svg>'
    )
    make_site(tmp_path, {"acme": with_image("![x](chart.svg)")})
    (tmp_path / "content/accounts/acme").mkdir()
    (tmp_path / "content/accounts/acme/chart.svg").write_bytes(svg)
    assert diagnostics_of(tmp_path) == []
    build(tmp_path, pdf=True)
    assert (report_folder(tmp_path) / "chart.svg").read_bytes() == svg


def test_an_image_over_the_size_limit_is_named_with_its_size(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": with_image("![x](big.png)")})
    (tmp_path / "content/accounts/acme").mkdir()
    with (tmp_path / "content/accounts/acme/big.png").open("wb") as file:
        file.write(CHART.read_bytes())
        file.truncate(12_345_678)
    assert diagnostics_of(tmp_path) == [
        f"{P}:{IMAGE_LINE}: error: image `big.png` is 12.3 MB, over the 10 MB limit for images: "
        "make it smaller, e.g. export it at a lower resolution"
    ]


# --------------------------------------------------------------------------------------------
# 5. input that passed check and crashed build; 7. narratives that cannot render sensibly


CRASHERS = [
    (
        "a NUL byte in an image name",
        with_image("![x](a%00.png)"),
        [
            f"{P}:{IMAGE_LINE}: error: image `a%00.png` is not a file in content/accounts/acme/: "
            "put the image in content/accounts/acme/ and write `![description](a%00.png)`"
        ],
    ),
    (
        "numbers at the ends of the float range",
        VALID.replace("baseline: 60", "baseline: -1e308")
        .replace("target: 40", "target: 1e308")
        .replace("direction: decrease", "direction: increase")
        .replace(
            "    owner: Dana Reyes\n",
            "    owner: Dana Reyes\n    history:\n      - {date: 2026-05-01, value: 1}\n",
        ),
        [
            f"{P}:12: error: result `onboarding-time`: `baseline` is out of range: write a number "
            "between -1000000000000000 and 1000000000000000, a million billion (found `-1e308`)",
            f"{P}:13: error: result `onboarding-time`: `target` is out of range: write a number "
            "between -1000000000000000 and 1000000000000000, a million billion (found `1e308`)",
        ],
    ),
    (
        "a date in year 1",
        VALID.replace("start_date: 2026-09-01", "start_date: 0001-01-01"),
        [
            f"{P}:5: error: `start_date` 0001-01-01 is before 1900: check the year (found `0001-01-01`)"
        ],
    ),
    (
        "a table 5,000 columns wide",
        VALID
        + "\n| "
        + " | ".join(f"c{n}" for n in range(5000))
        + " |\n|"
        + "---|" * 5000
        + "\n| "
        + " | ".join("1" for _ in range(5000))
        + " |\n",
        [
            f"{P}:27: error: this table has 5000 columns; a report shows at most 12 (a wider "
            "table cannot be read on a page or in the PDF): split it into smaller tables"
        ],
    ),
    (
        "a table of 30,000 rows",
        VALID + "\n| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * 30_000,
        [
            f"{P}:27: error: the narrative's tables have more than 500 rows in all: a report is "
            "not a spreadsheet; keep the rows that matter"
        ],
    ),
    (
        "40,000 links",
        VALID + "\n" + "[x](https://a.example) " * 40_000 + "\n",
        [
            f"{P}:23: error: the narrative has 40000 links and images, more than 500: keep the "
            "ones a reader needs"
        ],
    ),
]


@pytest.mark.parametrize(("case", "text", "expected"), CRASHERS, ids=[c[0] for c in CRASHERS])
def test_input_that_crashed_build_is_a_located_check_error(
    tmp_path: Path, case: str, text: str, expected: list[str]
) -> None:
    make_site(tmp_path, {"acme": text})
    assert len(text.encode()) < 1_000_000
    assert diagnostics_of(tmp_path) == expected
    result = run_cli(tmp_path, "build", "--as-of", AS_OF.isoformat(), env=ENV)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output


def test_a_theme_error_names_the_template_and_line(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": VALID}, config="theme: brand\n")
    templates = tmp_path / "themes/brand/templates"
    templates.mkdir(parents=True)
    (templates / "report.html").write_text(
        '{% extends "default/report.html" %}\n{% block meta %}\n{{ 1 / 0 }}\n{% endblock %}\n',
        encoding="utf-8",
    )
    result = run_cli(tmp_path, "build", "--no-pdf", "--as-of", AS_OF.isoformat(), env=ENV)
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "Error: theme `brand`, template report.html:3: ZeroDivisionError: division by zero"
    )
    (templates / "report.html").write_text(
        '{% extends "default/report.html" %}\n{% macro again(n) %}{{ again(n + 1) }}{% endmacro %}\n'
        "{% block meta %}{{ again(1) }}{% endblock %}\n",
        encoding="utf-8",
    )
    result = run_cli(tmp_path, "build", "--no-pdf", "--as-of", AS_OF.isoformat(), env=ENV)
    assert result.exit_code == 1
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Error: theme `brand`, template report.html:2: ")
    assert last.endswith("a macro or include calls itself without end")
    assert not (tmp_path / "build").exists()
