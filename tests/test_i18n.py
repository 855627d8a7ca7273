"""Reports in the customer's language: the catalogs are complete and keep every placeholder, plural
forms follow each language's rule, and a German, a French and a Spanish account's report and PDF
carry no English word of the theme's, while the internal index stays in the site's locale."""

from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from pypdf import PdfReader

from outcomesite.build import BuildOptions, BuildReport, build_site
from outcomesite.i18n import LOCALES_DIR, languages, translator
from outcomesite.render import formatting as fmt
from outcomesite.render.theme import Theme
from outcomesite.render.views import html_lang
from outcomesite.serve.preview import _error_banner
from tests.conftest import AS_OF, ROOT, diagnostics_of, edited, make_site
from tests.html_tree import parse

TRANSLATED = ("de", "es", "fr")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_the_languages_are_english_and_the_shipped_catalogs() -> None:
    assert languages() == ("de", "en", "es", "fr")


# --- the catalogs ---------------------------------------------------------------------------------


def extracted() -> set[str]:
    """Every message the code and templates hold now, extracted as scripts/catalogs does."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found = extract_from_dir(
        str(ROOT / "src" / "outcomesite"), method_map, options_map, keywords=keywords
    )
    return {m[2] if isinstance(m[2], str) else m[2][0] for m in found}


def catalog(language: str) -> Catalog:
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def ids(messages: Catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in messages if m.id}


def test_the_template_lists_every_message_of_the_code_and_templates() -> None:
    with (LOCALES_DIR / "messages.pot").open("rb") as pot:
        template = read_po(pot)
    assert ids(template) == extracted(), "run scripts/catalogs extract, then update"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_catalog_is_complete(language: str) -> None:
    messages = catalog(language)
    assert ids(messages) == extracted(), "run scripts/catalogs extract and update"
    untranslated = [
        m.id
        for m in messages
        if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))
    ]
    assert untranslated == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_placeholder_survives_translation(language: str) -> None:
    for m in catalog(language):
        if not m.id:
            continue
        sources = [m.id] if isinstance(m.id, str) else list(m.id)
        wanted = {name for source in sources for name in PLACEHOLDER.findall(source)}
        forms = [m.string] if isinstance(m.string, str) else list(m.string or ())
        for form in forms:
            assert set(PLACEHOLDER.findall(form)) == wanted, (m.id, form)
            form % dict.fromkeys(wanted, "x")  # a stray % would break the message
    page = translator(language).gettext("Page %(page)s of %(pages)s", page="P", pages="N")
    assert page.index("P") < page.index("N")  # print.css puts the two counters in this order


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_compiled_catalog_is_its_po(language: str) -> None:
    """The wheel ships the .mo files: they are compiled from the .po files as they are."""
    compiled = io.BytesIO()
    write_mo(compiled, catalog(language))
    shipped = (LOCALES_DIR / language / "LC_MESSAGES" / "messages.mo").read_bytes()
    assert shipped == compiled.getvalue(), "run scripts/catalogs compile"


# --- plural forms, from CLDR ----------------------------------------------------------------------

TARGETS_MET = {
    "en_US": (
        "0 of 0 targets met",
        "1 of 1 target met",
        "2 of 2 targets met",
        "5 of 5 targets met",
    ),
    "de_DE": (
        "0 von 0 Zielen erreicht",
        "1 von 1 Ziel erreicht",
        "2 von 2 Zielen erreicht",
        "5 von 5 Zielen erreicht",
    ),
    # French: 0 is singular
    "fr_FR": (
        "0 sur 0 objectif atteint",
        "1 sur 1 objectif atteint",
        "2 sur 2 objectifs atteints",
        "5 sur 5 objectifs atteints",
    ),
    "es_ES": (
        "0 de 0 objetivos alcanzados",
        "1 de 1 objetivo alcanzado",
        "2 de 2 objetivos alcanzados",
        "5 de 5 objetivos alcanzados",
    ),
}
POINTS = {
    "en_US": ("+1 percentage point", "+2 percentage points", "+5 percentage points"),
    "de_DE": ("+1 Prozentpunkt", "+2 Prozentpunkte", "+5 Prozentpunkte"),
    "fr_FR": ("+1 point de pourcentage", "+2 points de pourcentage", "+5 points de pourcentage"),
    "es_ES": ("+1 punto porcentual", "+2 puntos porcentuales", "+5 puntos porcentuales"),
}
DAYS = {
    "en_US": ("0 days", "1 day", "2 days", "5 days"),
    "de_DE": ("0 Tage", "1 Tag", "2 Tage", "5 Tage"),
    "fr_FR": ("0 jour", "1 jour", "2 jours", "5 jours"),
    "es_ES": ("0 días", "1 día", "2 días", "5 días"),
}


@pytest.mark.parametrize("locale", list(TARGETS_MET))
def test_plural_forms_for_0_1_2_and_5(locale: str) -> None:
    t = translator(locale)
    for n, expected in zip((0, 1, 2, 5), TARGETS_MET[locale], strict=True):
        said = t.ngettext(
            "%(met)s of %(total)s target met", "%(met)s of %(total)s targets met", n, met=n, total=n
        )
        assert said == expected
    for n, expected in zip((0, 1, 2, 5), DAYS[locale], strict=True):
        said = fmt.quantity(n, "days", locale).replace("\xa0", " ")  # French: a no-break space
        assert said == expected  # CLDR's unit patterns
    for n, expected in zip((1, 2, 5), POINTS[locale], strict=True):  # 50% -> 50+n%
        assert fmt.change(50, 50 + n, "%", "increase", locale).amount.replace("\u202f", "") == (
            expected
        )


# --- a German, a French and a Spanish report -----------------------------------------------------

# Every kind of sentence the report writes: a confirmed win, a value confirmed before the latest
# one, an estimate that is old and moving away, a result not measured yet, money per month, steps
# on both sides, one overdue. The customer's own words are neutral tokens, so that every English
# word left in a translated report is the theme's.
ACCOUNT = """\
---
account: {name}
{locale}segment: smb
csm: Zed Qo
start_date: 2026-03-02
next_steps:
  - step: Zq 1
    owner: Ana Ek
    due: 2026-11-01
  - step: Zq 2
    owner: Bo Ek
    side: customer
    due: 2026-12-15
results:
  - id: r1
    goal: Gx 1
    metric: Mx 1
    unit: days
    direction: decrease
    baseline: 60
    target: 40
    current: 38
    measured_on: 2026-11-01
    owner: Ana Ek
    category: cost
    attribution: Ax 1.
    history:
      - date: 2026-06-01
        value: 50
    validator:
      name: Cy Ek
      role: Vx
      confirmed_on: 2026-11-10
  - id: r2
    goal: Gx 2
    metric: Mx 2
    unit: EUR/month
    baseline: 42000
    target: 31500
    current: 36500
    measured_on: 2026-11-15
    owner: Ana Ek
    category: efficiency
    history:
      - date: 2026-09-01
        value: 39000
    validator:
      name: Di Ek
      confirmed_on: 2026-10-01
  - id: r3
    goal: Gx 3
    metric: Mx 3
    unit: "%"
    baseline: 50
    target: 65
    current: 48
    measured_on: 2026-06-01
    evidence: estimated
    source: Sx 3
    owner: Ana Ek
    category: experience
  - id: r4
    goal: Gx 4
    metric: Mx 4
    baseline: 10
    target: 20
    owner: Ana Ek
---
## Nx 1

Px 1.
"""
LOCALES = {"en": "", "de": "de_DE", "fr": "fr_FR", "es": "es_ES"}
# Words a language shares with English, each checked by hand where the report uses it: French
# "Adoption" is the rung's French name, "En attente de confirmation", "Page 1 sur 2", "Source :",
# "points de pourcentage"; "Version" is German and French; "PDF" and "Logo" are everyone's.
SHARED = {
    "de": {"PDF", "Version", "Logo"},
    "fr": {"PDF", "Version", "Adoption", "confirmation", "Page", "Source", "points"},
    "es": {"PDF"},
}
WORD = re.compile(r"[^\W\d_]{3,}")


@pytest.fixture(scope="module")
def languages_site(tmp_path_factory: pytest.TempPathFactory) -> BuildReport:
    root = make_site(
        tmp_path_factory.mktemp("languages"),
        {
            f"zeta-{lang}": ACCOUNT.format(
                name=f"Zeta {lang.upper()}", locale=f"locale: {locale}\n" if locale else ""
            )
            for lang, locale in LOCALES.items()
        },
        config="vendor: Vendo Qx\nlocale: en_US\n",
    )
    env = {"OUTCOMESITE_SECRET": "languages-secret-0123456789abcdef0123456789ab"}
    return build_site(root, BuildOptions(environ=env, as_of=AS_OF))


SPOKEN = re.compile(r'(?:aria-label|alt|name="description" content)="([^"]*)"')


def report_text(report: BuildReport, slug: str) -> tuple[str, str]:
    """(the page's HTML, everything a reader sees or hears of it: its text, the drawings' titles,
    labels and alternative texts, the description, and its PDF's text)."""
    page = next(p for p in report.pages if p.account.slug == slug)
    folder = report.out / "public" / page.folder
    html = (folder / "index.html").read_text("utf-8")
    pdf = " ".join(p.extract_text() or "" for p in PdfReader(folder / page.pdf_name).pages)
    text = re.sub(r"<[^>]+>", " ", html) + " ".join(SPOKEN.findall(html))
    return html, unescape(text) + " " + pdf


@pytest.mark.parametrize("lang", ["de", "fr", "es"])
def test_a_translated_report_has_no_english_word_of_the_theme(
    languages_site: BuildReport, lang: str
) -> None:
    english_html, english = report_text(languages_site, "zeta-en")
    # The customer's own words, in every report (and in capitals where the PDF prints labels so).
    own = set(WORD.findall(ACCOUNT + "Zeta Vendo"))
    own |= {word.upper() for word in own}
    theme = set(WORD.findall(english)) - own
    assert {"Highlights", "Baseline", "Target", "Confirmed", "Page", "private"} <= theme
    html, text = report_text(languages_site, f"zeta-{lang}")
    months = Locale.parse(LOCALES[lang]).months  # the language's own month names
    local = {
        word.rstrip(".")
        for context in ("format", "stand-alone")
        for width in ("abbreviated", "wide")
        for word in months[context][width].values()
    }
    left = set(WORD.findall(text)) & theme - SHARED[lang] - local
    assert left == set(), sorted(left)
    # The headings and labels of the English report, each whole: none is left either.
    labels = {
        " ".join(node.text.split())
        for node in parse(english_html).iter()
        if node.tag in ("h2", "h3", "dt", "th", "caption", "strong")
        and set(WORD.findall(node.text)) & theme  # not a goal's own words
    }
    assert len(labels) > 10
    assert [label for label in labels if label and label in text] == []
    assert f'<html lang="{LOCALES[lang].replace("_", "-")}">' in html


def test_a_german_report_in_german_words_numbers_and_dates(languages_site: BuildReport) -> None:
    _, text = report_text(languages_site, "zeta-de")
    text = " ".join(text.split())
    for expected in (
        "Datenstand 23.11.2026",
        "Gesunken: vorher 42.000 €, jetzt 36.500 € pro Monat; Ziel 31.500 €",
        "5.500 € weniger pro Monat (-13 %)",
        "Bestätigt von Cy Ek, Vx am 10.11.2026",
        "39.000 € pro Monat bestätigt von Di Ek; der neueste Wert noch nicht",
        "Noch nicht gemessen: Ausgangswert 10, Ziel 20",
        "Ana Ek, Vendo Qx · war fällig am 01.11.2026",
        "Bo Ek, Ihr Team · bis 15.12.2026",
        "Erstellt für Zeta DE von Vendo Qx · Seite 1 von 3",
        "vor 6 Monaten: ein älterer Wert",
    ):
        assert expected in text, expected


def test_the_internal_index_stays_in_the_sites_locale(languages_site: BuildReport) -> None:
    index = (languages_site.out / "internal" / "index.html").read_text("utf-8")
    assert '<html lang="en-US">' in index
    assert "Zeta DE" in index and "Needs a person" in index


# --- check: which locales exist, which have words -----------------------------------------------


def test_an_unknown_account_locale_is_an_error_naming_the_languages(tmp_path: Path) -> None:
    make_site(tmp_path, {"acme": edited("typo", [("segment:", "locale: deutsch\nsegment:")])})
    assert diagnostics_of(tmp_path) == [
        "content/accounts/acme.md:3: error: `locale` `deutsch` is not a known locale: write a "
        "language and country such as en_US or de_DE (the report's words come in de, en, es or fr)"
    ]


def test_a_locale_without_a_catalog_is_a_warning(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {"acme": edited("it", [("segment:", "locale: it_IT\nsegment:")])},
        config="locale: pt_BR\n",
    )
    found = diagnostics_of(tmp_path)
    assert (
        "content/accounts/acme.md:3: warning: `locale` `it_IT` has no translation of the report's "
        "words: the report would show English text with it_IT numbers and dates. Use a locale of "
        "de, en, es or fr, or add a catalog (README: Languages)"
    ) in found
    assert any(
        line.startswith("outcomesite.yaml:1: warning: `locale` `pt_BR` has no translation")
        for line in found
    ), found


def test_an_english_or_translated_locale_is_quiet(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {
            "acme": edited("fr", [("segment:", "locale: fr_CA\nsegment:")]),
            "beta": edited("gb", [("segment:", "locale: en_GB\nsegment:")]),
        },
        config="locale: de_AT\n",
    )
    assert [d for d in diagnostics_of(tmp_path) if "locale" in d] == []


# --- the preview's banner --------------------------------------------------------------------------


def test_the_preview_banner_speaks_the_pages_language() -> None:
    banner = _error_banner(["content/accounts/a.md:3: error: x"], "de_DE")
    assert "<h2>outcomesite check hat Probleme gefunden</h2>" in banner
    assert '<ul lang="en"><li>content/accounts/a.md:3: error: x</li></ul>' in banner


def test_template_messages_are_text_and_their_values_are_escaped(tmp_path: Path) -> None:
    """A translation is text, never HTML, and so is every value put into it; `%%` is a percent
    sign; the page's `locale` chooses the language."""
    env = Theme(tmp_path, "default").env
    page = env.from_string(
        '{{ _("Target") }}|{{ _("Source: %(source)s", source=s) }}|{{ _("1 <b> 100%%") }}|'
        '{{ ngettext("%(num)s day", "%(num)s days", 2) }}'
    )
    said = page.render(locale="de_DE", s="<script>x</script>")
    assert said == "Ziel|Quelle: &lt;script&gt;x&lt;/script&gt;|1 &lt;b&gt; 100%|2 days"
    assert page.render(locale="en_US", s="a").startswith("Target|Source: a|")


MESSAGES = (
    '{{ _("Target") }}|{{ _("Source: %(source)s", source=s) }}|{{ _("1 <b> 100%%") }}|'
    '{{ ngettext("%(num)s day", "%(num)s days", n) }}|{% trans %}Baseline{% endtrans %}|'
    "{% trans who=s %}Source: {{ who }}{% endtrans %}|{{ gettext(word) }}"
)


@pytest.mark.parametrize("locale", ["de_DE", "de_AT", "en_US", "fr_FR", "ja_JP"])
def test_messages_compiled_in_say_what_they_say_at_render_time(tmp_path: Path, locale: str) -> None:
    """`render` compiles each catalog's messages into the templates (theme.py): the page is the
    one the messages translated at render time make, escaping and `%%` included; a message
    that is not a literal (`gettext(word)`) is still translated when rendered."""
    theme = Theme(tmp_path, "default")
    values = {"locale": locale, "s": "<script>x</script>", "n": 2, "word": "Target"}
    compiled_in = theme.for_locale(locale).from_string(MESSAGES).render(values)
    at_render_time = theme.env.from_string(MESSAGES).render(values)
    assert compiled_in == at_render_time
    assert "&lt;script&gt;" in compiled_in and "<script>" not in compiled_in


def test_a_catalogs_messages_are_text_in_the_compiled_template(tmp_path: Path) -> None:
    """No call per message: the German words are in the template's code, and the messages'
    function is called only where the message is not a literal or has plural forms."""
    theme = Theme(tmp_path, "default")
    code = theme.for_locale("de_DE").compile(
        '{{ _("Target") }} {{ _("Source: %(source)s", source=s) }}', raw=True
    )
    assert "Ziel" in code and "Quelle: %(source)s" in code
    assert "context.call" not in code
    # Its values are escaped into the text, then the whole made Markup (not Markup % values).
    assert "Markup('Quelle: %(source)s' % {'source': _escape_text(" in code
    assert "context.call" in theme.env.compile('{{ _("Target") }}', raw=True)


def test_locales_sharing_a_catalog_share_compiled_templates(tmp_path: Path) -> None:
    theme = Theme(tmp_path, "default")
    assert theme.for_locale("de_DE") is theme.for_locale("de_AT")
    assert theme.for_locale("en_US") is theme.for_locale("en_GB") is theme.for_locale("ja_JP")
    assert theme.for_locale("de_DE") is not theme.for_locale("fr_FR")


@pytest.mark.parametrize(
    "template",
    [
        '{% set _ = upper %}{{ _("Target") }}',
        '{% macro label(_) %}{{ _("Target") }}{% endmacro %}{{ label(upper) }}',
        '{% for _ in [upper] %}{{ _("Target") }}{% endfor %}',
    ],
)
def test_a_template_with_its_own_underscore_keeps_it(tmp_path: Path, template: str) -> None:
    """`_` assigned in the template is not the messages' function: nothing is translated."""
    theme = Theme(tmp_path, "default")
    page = theme.for_locale("de_DE").from_string(template)
    assert page.render(locale="de_DE", upper=str.upper) == "TARGET"


def test_compiled_templates_are_kept_per_catalog(tmp_path: Path) -> None:
    """The build's cache keeps each catalog's compiled templates apart, and a template compiled
    with another catalog (as after an upgrade that changed the translations) is compiled again."""
    templates = tmp_path / "themes" / "brand" / "templates"
    templates.mkdir(parents=True)
    (templates / "hello.html").write_text('{{ _("Target") }}', "utf-8")
    cache = tmp_path / "cache"
    first = Theme(tmp_path, "brand", cache)
    assert first.render("hello.html", {"locale": "de_DE"}) == "Ziel"
    assert first.render("hello.html", {"locale": "en_US"}) == "Target"
    first.keep_compiled()
    kept = {path.parent.name: path for path in (cache / "templates").rglob("*.cache")}
    assert sorted(kept) == ["de", "source"]
    kept["de"].write_bytes(kept["source"].read_bytes())  # the English code where German's was
    again = Theme(tmp_path, "brand", cache)
    assert again.render("hello.html", {"locale": "de_DE"}) == "Ziel"
    assert again.render("hello.html", {"locale": "en_US"}) == "Target"


@pytest.mark.parametrize(
    ("locale", "tag"),
    [
        ("en_US", "en-US"),
        ("de_DE", "de-DE"),
        ("zh_Hant_TW", "zh-Hant-TW"),
        ("de_DE@euro", "de-DE"),
        ("fr", "fr"),
    ],
)
def test_the_page_language_is_a_language_tag(locale: str, tag: str) -> None:
    """`<html lang>` and the PDF's /Lang are BCP 47 tags, whatever POSIX spelling `locale` has."""
    assert html_lang(locale) == tag
