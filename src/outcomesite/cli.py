"""The command line: a thin layer over the library that prints and picks exit codes.

Exit status: 0 success, 1 validation errors (or warnings with --strict), 2 usage or environment errors.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from outcomesite import __version__
from outcomesite.errors import EXIT_OK, EXIT_VALIDATION, OutcomesiteError, format_diagnostics
from outcomesite.loader import Site, default_as_of, load_site
from outcomesite.scaffold import new_account
from outcomesite.schema import account_json_schema_text

_AS_OF = click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Report date (YYYY-MM-DD). Default: today, or the day of SOURCE_DATE_EPOCH.",
)
_STRICT = click.option("--strict", is_flag=True, help="Treat warnings as errors.")


def _as_of(value: dt.datetime | None) -> dt.date:
    return value.date() if value else default_as_of()


def _root(ctx: click.Context) -> Path:
    return Path(ctx.obj["root"])


class _Group(click.Group):
    """Turns library errors into click errors, so exit codes are decided in this one place."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except OutcomesiteError as exc:
            error = click.ClickException(str(exc))
            error.exit_code = exc.exit_code
            raise error from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-C",
    "--root",
    default=".",
    type=click.Path(file_okay=False),
    help="The site's folder (default: the current folder).",
)
@click.version_option(__version__, prog_name="outcomesite")
@click.pass_context
def cli(ctx: click.Context, root: str) -> None:
    """Customer outcome reports from Markdown + YAML account files."""
    ctx.ensure_object(dict)
    ctx.obj["root"] = root


def _summary(site: Site) -> str:
    errors = sum(d.severity == "error" for d in site.diagnostics)
    warnings = len(site.diagnostics) - errors
    files = len(
        {d.path for d in site.diagnostics if d.path.endswith(".md")}
        | {a.path for a in site.accounts}
    )
    return f"{errors} error(s), {warnings} warning(s) in {files} account file(s)"


@cli.command()
@_STRICT
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "github", "json"]),
    default="text",
    show_default=True,
    help="text for people, github for Actions annotations, json for tools.",
)
@_AS_OF
@click.pass_context
def check(ctx: click.Context, strict: bool, fmt: str, as_of: dt.datetime | None) -> None:
    """Validate every account and the config."""
    site = load_site(_root(ctx), _as_of(as_of))
    output = format_diagnostics(site.diagnostics, fmt)
    if output:
        click.echo(output)
    if fmt != "json":
        click.echo(_summary(site), err=True)
    ctx.exit(EXIT_VALIDATION if site.failed(strict) else EXIT_OK)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of an account's front matter."""
    click.echo(account_json_schema_text(), nl=False)


@cli.command()
@click.argument("slug")
@click.pass_context
def new(ctx: click.Context, slug: str) -> None:
    """Create content/accounts/SLUG.md from a commented template (never overwrites)."""
    for path in new_account(_root(ctx), slug, default_as_of()):
        click.echo(f"created {path.relative_to(_root(ctx)).as_posix()}")


def main() -> None:
    cli(prog_name="outcomesite")
