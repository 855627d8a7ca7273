"""Themes: a search path of template and asset folders, the site's theme before the default one.

`theme: brand` in outcomesite.yaml uses `themes/brand/` in the site; any template or asset with the
same name overrides the default's, the rest falls back. A template can extend the one it replaces
with `{% extends "default/report.html" %}`.
"""

from __future__ import annotations

import contextlib
import gettext
import hashlib
import re
import traceback
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.visitor import NodeTransformer
from markupsafe import Markup, escape

from outcomesite.errors import EXIT_VALIDATION, OutcomesiteError
from outcomesite.files import links_under, replacing
from outcomesite.i18n import Translator, translator
from outcomesite.layout import DEFAULT_LOCALE, THEMES_DIR

try:  # the C function markupsafe's escape() wraps, and its pure-Python twin where it has no C
    from markupsafe import _escape_inner as _escaped  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - an older MarkupSafe

    def _escaped(text: str, /) -> str:
        return str(escape(text))


class ThemeError(OutcomesiteError):
    """A theme template that cannot render; the build stops and the old site stays."""

    exit_code = EXIT_VALIDATION


DEFAULT_THEME = Path(__file__).parent.parent / "themes" / "default"


# The names a template calls for a message: `_()`, and `gettext()` (which `{% trans %}` calls).
_GETTEXT_NAMES = frozenset({"_", "gettext"})


class _TranslatedMessages(NodeTransformer):
    """Replaces each `_("literal")` with its translation, escaped, as a constant: Jinja then
    writes it into the compiled page as text. A report says forty of them, and a call from a
    template (Jinja's `Context.call`, our lookup of the context's locale) cost more than the
    rest of the sentence around it. A message with values, `_("%(n)s days", n=...)`, becomes
    the escaped translation `%` those values, which is what `_gettext` returns."""

    def __init__(self, catalog: gettext.NullTranslations) -> None:
        self.catalog = catalog

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        self.generic_visit(node)
        callee, args = node.node, node.args
        if not (
            isinstance(callee, nodes.Name)
            and callee.name in _GETTEXT_NAMES
            and len(args) == 1
            and isinstance(args[0], nodes.Const)
            and isinstance(args[0].value, str)
            and node.dyn_args is None
            and node.dyn_kwargs is None
        ):
            return node
        message = escape(self.catalog.gettext(args[0].value))
        if not node.kwargs:  # formatted all the same: "%%" is "%"
            return nodes.MarkSafe(nodes.Const(str(message % {})), lineno=node.lineno)
        values = [nodes.Pair(nodes.Const(k.key), k.value, lineno=k.lineno) for k in node.kwargs]
        text = nodes.MarkSafe(nodes.Const(str(message)), lineno=node.lineno)
        return nodes.Mod(text, nodes.Dict(values, lineno=node.lineno), lineno=node.lineno)


# Text whose only conversions are `%(name)s`: its Markup % values is the text % escaped values.
_ONLY_NAMED_TEXT = re.compile(r"(?:[^%]|%%|%\(\w+\)s)*")


def escape_text(value: Any) -> str:
    """markupsafe.escape(value) as a str: the same characters, for text that is only joined into
    the page. escape() wraps each value in Markup, whose Python-level __new__ cost more than the
    escaping itself; a report writes about 150 values."""
    if type(value) is str:
        return _escaped(value)
    if type(value) is Markup:
        return value
    html = getattr(value, "__html__", None)
    if html is not None:
        return str(html())
    return _escaped(str(value))


def _names_gettext_itself(template: nodes.Template) -> bool:
    """Whether the template assigns `_` or `gettext` (a `set`, a loop, a macro's parameter, an
    import): its calls of them are not the messages', so nothing is folded."""
    for name in template.find_all(nodes.Name):
        if name.name in _GETTEXT_NAMES and name.ctx != "load":
            return True
    for imported in template.find_all(nodes.FromImport):
        for item in imported.names:
            if (item[1] if isinstance(item, tuple) else item) in _GETTEXT_NAMES:
                return True
    return any(i.target in _GETTEXT_NAMES for i in template.find_all(nodes.Import))


class _CodeGenerator(CodeGenerator):
    """Jinja's code generator, folding the messages of an environment with a `catalog`, and
    escaping what a page writes with `escape_text`."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        catalog = getattr(self.environment, "catalog", None)
        if catalog is not None and not _names_gettext_itself(node):
            _TranslatedMessages(catalog).visit(node)
        self.writeline(f"from {__name__} import escape_text as _escape_text")
        super().visit_Template(node, frame)

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        """`{{ value }}` goes into the page (or a block's buffer, which Jinja makes Markup when
        it is used as a value), so its escaped text need not be Markup itself."""
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write("_escape_text(")
            if finalize.src is not None:
                self.write(finalize.src)
        else:
            super()._output_child_pre(node, frame, finalize)

    def visit_Getattr(self, node: nodes.Getattr, frame: Frame) -> None:
        """`row.account` reads a view's key in the compiled code itself, and calls
        `_Environment.getattr` only for what is not a plain dict holding the key: a report
        reads about 200 keys, and the call for each was 4 % of rendering its pages (measured
        against the call, same process, alternated). The object is evaluated once, into a
        local of the render function; Jinja writes no comprehension an expression could land
        in, where such an assignment would not compile."""
        if self.environment.is_async:
            super().visit_Getattr(node, frame)
            return
        key = repr(node.attr)
        self.write(f"(_held[{key}] if type(_held := ")
        self.visit(node.node, frame)
        self.write(f") is dict and {key} in _held else environment.getattr(_held, {key}))")

    def visit_Mod(self, node: nodes.BinExpr, frame: Frame) -> None:
        """A message with values (`_TranslatedMessages`) is Markup(text) % {values}: formatted
        as the text % the escaped values, then made Markup, it is the same string without
        Markup's escaping helper around each value."""
        text, values = node.left, node.right
        if not (
            isinstance(text, nodes.MarkSafe)
            and isinstance(text.expr, nodes.Const)
            and isinstance(text.expr.value, str)
            and _ONLY_NAMED_TEXT.fullmatch(text.expr.value)
            and isinstance(values, nodes.Dict)
        ):
            super().visit_Mod(node, frame)
            return
        self.write(f"Markup({text.expr.value!r} % {{")
        for pair in values.items:
            self.visit(pair.key, frame)
            self.write(": _escape_text(")
            self.visit(pair.value, frame)
            self.write("), ")
        self.write("})")


class _Environment(jinja2.Environment):
    """Templates read plain dicts (views.py and index.py build them): `row.account` looks the key
    up first.

    Jinja tries the attribute first, so every `dict.key` in a template would raise and catch an
    AttributeError before finding the key: a fifth of a report's render time on a large site.

    With a `catalog` (Theme.for_locale), the messages are translated when a template is compiled.
    """

    code_generator_class = _CodeGenerator
    catalog: gettext.NullTranslations | None = None

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals as one dict, not Jinja's ChainMap over the environment's: each
        render copies them into its context, and a ChainMap is read key by key in Python (three
        renders per account). The theme sets its globals before any template is loaded."""
        return {**self.globals, **(d or {})}


@lru_cache(maxsize=8192)
def _message(locale: str, message: str) -> Markup:
    """The translation as markup: escaped once (a translation is text, never HTML)."""
    return Markup(escape(translator(locale).catalog.gettext(message)))


@lru_cache(maxsize=8192)
def _plain_message(locale: str, message: str) -> Markup:
    return _message(locale, message) % {}  # a message is always formatted: "%%" is "%"


@jinja2.pass_context
def _gettext(context: jinja2.runtime.Context, message: str, **values: Any) -> Markup:
    """`_()`, `gettext()` and `{% trans %}` in a template, in the page's `locale` (a report: its
    account's), formatted with `values`, which Markup escapes. A report calls this forty times:
    the translation is looked up and escaped once per locale and message."""
    locale = context.get("locale", DEFAULT_LOCALE)
    if not values:
        return _plain_message(locale, message)
    return _message(locale, message) % values


@jinja2.pass_context
def _ngettext(
    context: jinja2.runtime.Context, singular: str, plural: str, n: int, **values: Any
) -> Markup:
    catalog = translator(context.get("locale", DEFAULT_LOCALE)).catalog
    return Markup(escape(catalog.ngettext(singular, plural, n))) % {"num": n, **values}


def _template_line(exc: BaseException, template: str) -> str:
    """`name:line` of the innermost template frame of a render error (Jinja gives template code
    frames the template's file name and line)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".html")]
    if not frames:
        return template
    frame = frames[-1]
    return f"{Path(frame.filename).name}:{frame.lineno}"


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept between builds: compiling the theme is a fifth of a one-account
    rebuild. Jinja checks each against its template's source, so an edited theme is compiled
    again. What is compiled now waits in memory until the build succeeded (`keep`): a refused
    build writes nothing, and a cache that cannot be written is simply not kept."""

    def __init__(self, folder: Path, salt: bytes) -> None:
        self.folder = folder
        self.salt = salt  # what else the compiled code depends on (`_salt`)
        self.fresh: dict[str, bytes] = {}

    def get_source_checksum(self, source: str) -> str:
        return hashlib.sha1(self.salt + source.encode("utf-8")).hexdigest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            bucket.bytecode_from_string((self.folder / f"{bucket.key}.cache").read_bytes())
        except OSError:
            return

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.fresh[bucket.key] = bucket.bytecode_to_string()

    def keep(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for key, data in self.fresh.items():
                with replacing(self.folder / f"{key}.cache", "wb") as file:
                    file.write(data)
        except OSError:
            pass
        self.fresh.clear()


def _salt(catalog: Path | None) -> bytes:
    """What a compiled template depends on besides its source: the catalog whose messages it
    holds, and this module, which folds them in (an upgrade that changes either compiles the
    theme again)."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    if catalog is not None:
        digest.update(catalog.read_bytes())
    return digest.digest()


class Theme:
    def __init__(self, site_root: Path, name: str, cache: Path | None = None) -> None:
        """`cache`: a folder for compiled templates (the build's cache), or None."""
        self.name = name
        self.site_root = site_root
        # A committed link could make the build publish or print any file of the machine.
        if name != "default" and (links := links_under(site_root / THEMES_DIR / name)):
            where = links[0].relative_to(site_root).as_posix()
            raise ThemeError(
                f"theme `{name}`: {where} is a link (symlink): commit the file itself, not a link"
            )
        folders = [] if name == "default" else [site_root / THEMES_DIR / name]
        self.folders: list[Path] = [*folders, DEFAULT_THEME]
        loaders: list[jinja2.BaseLoader] = [
            jinja2.FileSystemLoader(str(folder / "templates")) for folder in self.folders
        ]
        # "default/<name>" always reaches the packaged template, so overrides can extend it.
        loaders.append(
            jinja2.PrefixLoader(
                {"default": jinja2.FileSystemLoader(str(DEFAULT_THEME / "templates"))}
            )
        )
        self._asset_names: set[str] | None = None
        self._cache = cache
        self._by_locale: dict[str, jinja2.Environment] = {}
        self._by_catalog: dict[Path | None, jinja2.Environment] = {}
        self._compiled: list[_CompiledTemplates] = []
        # Messages translated at render time, in the context's `locale`; `render` uses one
        # environment per catalog instead, with them translated when compiled (`for_locale`).
        self.env = _Environment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            extensions=["jinja2.ext.i18n"],
            # A theme is read once per build (the preview makes a new one for each rebuild):
            # no template changes under a build, so none is looked at again on each render.
            auto_reload=False,
        )
        # Every message a template writes is formatted (newstyle: a literal percent is %%), and
        # a {% trans %} block's whitespace is folded, as scripts/catalogs extracts it.
        self.env.policies["ext.i18n.trimmed"] = True
        self.env.install_gettext_callables(  # type: ignore[attr-defined]
            _gettext, _ngettext, newstyle=True
        )
        # Called directly: they format and escape themselves, as newstyle gettext does, without
        # its wrapper's work on every call.
        self.env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext)

    def for_locale(self, locale: str) -> jinja2.Environment:
        """The environment whose templates have `locale`'s messages compiled in. Locales that
        read the same catalog share one (`en_US` and `en_GB`; `de_DE` and `de_AT`)."""
        env = self._by_locale.get(locale)
        if env is None:
            translated = translator(locale)
            env = self._by_catalog.get(translated.source)
            if env is None:
                env = self._by_catalog[translated.source] = self._translated(translated)
            self._by_locale[locale] = env
        return env

    def _translated(self, translated: Translator) -> jinja2.Environment:
        compiled = None
        if self._cache is not None:
            language = translated.source.parent.parent.name if translated.source else "source"
            compiled = _CompiledTemplates(
                self._cache / "templates" / language, _salt(translated.source)
            )
            self._compiled.append(compiled)
        env = self.env.overlay(bytecode_cache=compiled, cache_size=400)
        env.catalog = translated.catalog
        return env

    def compile_all(self, locale: str) -> None:
        """Compile every template for `locale` (the site's) now, before the build forks its
        workers: they inherit them compiled instead of each compiling its own. Reports in other
        locales are compiled by the workers that render them. A template that does not compile
        is left for its render to report, with its line. The packaged templates under their
        second name, `default/...`, only matter to a site theme, which may extend them."""
        env = self.for_locale(locale)
        for name in env.list_templates(extensions=["html"]):
            if self.name == "default" and name.startswith("default/"):
                continue
            with contextlib.suppress(jinja2.TemplateError):
                env.get_template(name)

    def keep_compiled(self) -> None:
        """After a build succeeded: keep what it compiled in the cache for the next one."""
        for compiled in self._compiled:
            compiled.keep()

    def render(self, template: str, context: Mapping[str, Any]) -> str:
        """Render in the context's `locale`, turning template mistakes (a theme author's bad
        input) into a clear error."""
        env = self.for_locale(context.get("locale", DEFAULT_LOCALE))
        try:
            return env.get_template(template).render(context)
        except Exception as exc:
            raise self._error(exc, template) from None

    def render_blocks(
        self,
        template: str,
        context: Mapping[str, Any],
        blocks: Sequence[str],
        made: Mapping[str, str] | None = None,
    ) -> tuple[str, dict[str, str]]:
        """render(), with each of `blocks` written as `made` holds it (those blocks' output for
        another page whose values in them are the same), or, without `made`, recorded: the page
        and its blocks' output. Jinja calls a block through the context's table of blocks, so
        the table is where one is replaced or watched."""
        env = self.for_locale(context.get("locale", DEFAULT_LOCALE))
        recorded: dict[str, str] = {}
        try:
            compiled = env.get_template(template)
            state = compiled.new_context(dict(context))
            for name in blocks:
                table = state.blocks[name]
                if made is None:
                    table[0] = _recording(table[0], name, recorded)
                elif name in made:  # else it did not run on that page: it renders here
                    table[0] = _written(made[name])
            try:
                return env.concat(compiled.root_render_func(state)), recorded
            except Exception:
                env.handle_exception()  # as Template.render does: the template's own line
                raise
        except Exception as exc:
            raise self._error(exc, template) from None

    def packaged(self, *templates: str) -> bool:
        """Whether these templates are the packaged theme's (no site theme replaces them)."""
        return self.name == "default" or not any(
            (self.folders[0] / "templates" / name).exists() for name in templates
        )

    def _error(self, exc: Exception, template: str) -> ThemeError:
        """A template mistake (a theme author's bad input) as a clear error."""
        if isinstance(exc, jinja2.TemplateSyntaxError):
            where = f"{exc.filename or exc.name or template}:{exc.lineno}"
            return ThemeError(f"theme template {where}: {exc.message}")
        if isinstance(exc, jinja2.TemplateError):
            return ThemeError(f"theme `{self.name}`, template {template}: {exc}")
        # a template's own bug: 1/0, a macro calling itself forever
        where = _template_line(exc, template)
        what = (
            "a macro or include calls itself without end"
            if isinstance(exc, RecursionError)
            else f"{type(exc).__name__}: {exc}"
        )
        return ThemeError(f"theme `{self.name}`, template {where}: {what}")

    def asset_dirs(self) -> list[Path]:
        return [folder / "assets" for folder in self.folders]

    def asset_sources(self) -> Iterator[tuple[str, Path, tuple[str, ...]]]:
        """Every asset: (its name, a folder we trust, the parts from it to the asset), the site
        theme's copy winning over the default's. Read with files.read_inside, so that no link on
        the way is followed: the site's theme is reached from the site root."""
        seen: set[str] = set()
        for folder in self.asset_dirs():
            if not folder.is_dir():
                continue
            site_theme = folder.parent != DEFAULT_THEME
            for path in sorted(folder.rglob("*")):
                name = path.relative_to(folder).as_posix()
                if name in seen or path.is_symlink() or not path.is_file():
                    continue
                seen.add(name)
                if site_theme:
                    yield name, self.site_root, path.relative_to(self.site_root).parts
                else:
                    yield name, folder, tuple(name.split("/"))

    def has_asset(self, name: str) -> bool:
        """Asked once per report: answered from a listing made once per theme."""
        if self._asset_names is None:
            self._asset_names = {name for name, _, _ in self.asset_sources()}
        return name in self._asset_names


BlockFunction = Callable[[Any], Iterator[str]]


def _written(text: str) -> BlockFunction:
    def block(_: Any) -> Iterator[str]:
        yield text

    return block


def _recording(block: BlockFunction, name: str, into: dict[str, str]) -> BlockFunction:
    def watched(context: Any) -> Iterator[str]:
        text = into[name] = "".join(block(context))
        yield text

    return watched
