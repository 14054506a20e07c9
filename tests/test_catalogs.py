"""The gettext catalogs: the template matches the code, translations are complete, safe to format, and compile.

A msgid is the English text; plural messages are keyed by (singular, plural). Everything is checked against the
.po sources and freshly compiled copies in tmp_path, so no test depends on `make catalogs` having run.
"""

from __future__ import annotations

import gettext
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "assets" / "locales"
TEMPLATE = LOCALES / "kraft.pot"
DOMAIN = "kraft"
PLURAL_FORMS = "nplurals=2; plural=(n != 1);"  # Swedish, English, Norwegian and Danish alike

# Languages whose catalogs must translate every message (English needs none: its msgids are the text).
TRANSLATED = ("sv", "nb", "da")
CATALOGS = tuple(sorted(p.parent.parent.name for p in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po")))
MsgId = str | tuple[str, ...]


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def po_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def messages(catalog: Catalog) -> dict[MsgId, Message]:
    """Every real message (not the header), keyed by its msgid; plural msgids are (singular, plural)."""
    return {(m.id if isinstance(m.id, str) else tuple(m.id)): m for m in catalog if m.id}


def forms(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, (list, tuple)) else [message.string or ""]


def placeholders(text: str) -> set[str]:
    """The `{name}` fields str.format fills in; `{{` and `}}` are literal braces, not fields."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def template_ids() -> set[MsgId]:
    return set(messages(read_catalog(TEMPLATE)))


def test_catalogs_exist() -> None:
    assert TEMPLATE.is_file()
    assert {"en", *TRANSLATED} <= set(CATALOGS)


def test_template_is_current(tmp_path: Path) -> None:
    """Re-extract exactly as `make messages` does; a difference means someone changed a text without it."""
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
         "-k", "N_", "-k", "ngettext:1,2", "--no-location", "--sort-output", "-o", str(fresh), "app"],
        cwd=ROOT, check=True, capture_output=True, text=True)
    extracted = set(messages(read_catalog(fresh)))
    shipped = template_ids()
    assert extracted, "extraction found no messages at all"
    assert extracted == shipped, (
        "assets/locales/kraft.pot is out of date: run `make messages`.\n"
        f"in the code but not the template: {sorted(map(str, extracted - shipped))}\n"
        f"in the template but not the code: {sorted(map(str, shipped - extracted))}")


@pytest.mark.parametrize("lang", CATALOGS)
def test_catalog_header(lang: str) -> None:
    catalog = read_catalog(po_path(lang))
    assert str(catalog.locale) == lang
    assert catalog.plural_forms == PLURAL_FORMS
    assert catalog.num_plurals == 2
    assert catalog.charset.lower() == "utf-8"
    assert not catalog.fuzzy, f"{lang}: the header is marked fuzzy"


@pytest.mark.parametrize("lang", CATALOGS)
def test_catalog_has_every_template_message(lang: str) -> None:
    ids = set(messages(read_catalog(po_path(lang))))
    missing = template_ids() - ids
    assert not missing, f"{lang} lacks {sorted(map(str, missing))}: run `make messages`"
    stale = ids - template_ids()
    assert not stale, f"{lang} keeps messages no longer in the template: {sorted(map(str, stale))}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated_and_not_fuzzy(lang: str) -> None:
    catalog = read_catalog(po_path(lang))
    found = messages(catalog)
    untranslated, fuzzy = [], []
    for msgid in sorted(template_ids(), key=str):
        message = found.get(msgid)
        if message is None:
            continue  # reported by test_catalog_has_every_template_message
        texts = forms(message)
        expected_forms = catalog.num_plurals if message.pluralizable else 1
        if len(texts) != expected_forms or not all(t.strip() for t in texts):
            untranslated.append(msgid)
        if message.fuzzy:
            fuzzy.append(msgid)
    assert not untranslated, f"{lang}: untranslated (or missing plural forms): {untranslated}"
    assert not fuzzy, f"{lang}: fuzzy: {fuzzy}"


@pytest.mark.parametrize("lang", CATALOGS)
def test_translations_keep_the_placeholders(lang: str) -> None:
    """A renamed, dropped or invented `{name}` would make str.format raise (or show the wrong value)."""
    wrong = []
    for msgid, message in messages(read_catalog(po_path(lang))).items():
        sources = list(msgid) if isinstance(msgid, tuple) else [msgid]
        for index, text in enumerate(forms(message)):
            if not text:
                continue  # untranslated: gettext falls back to the msgid
            expected = placeholders(sources[min(index, len(sources) - 1)])
            try:
                got = placeholders(text)
            except ValueError as exc:  # an unbalanced brace
                wrong.append((msgid, text, str(exc)))
                continue
            if got != expected:
                wrong.append((msgid, text, f"has {sorted(got)}, expected {sorted(expected)}"))
    assert not wrong, f"{lang}: placeholders differ: {wrong}"


def repeated(text: str) -> bool:
    """True when `text` is one sentence written out two or more times in a row (a merge gone wrong)."""
    return any(len(text) % k == 0 and text == text[:len(text) // k] * k for k in range(2, 5)) and len(text) > 40


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_translation_is_its_text_repeated(lang: str) -> None:
    """Seen in nb and da: msgstr lines glued on three times, so a host read the same sentence thrice."""
    doubled = [msgid for msgid, message in messages(read_catalog(po_path(lang))).items()
               if any(repeated(text) for text in forms(message))]
    assert not doubled, f"{lang}: repeated translations: {doubled}"


def test_repeated_sees_a_sentence_written_twice_but_not_once() -> None:
    once = "The group is closed: a newcomer comes in when the members agree."
    assert repeated(once * 2) and repeated(once * 3) and not repeated(once) and not repeated("Ja" * 2)


def test_placeholders_sees_fields_but_not_escaped_braces() -> None:
    assert placeholders("Showing {first}-{last} of {total}") == {"first", "last", "total"}
    assert placeholders("{{literal}} and {name}") == {"name"}
    with pytest.raises(ValueError, match="Single '}'"):
        placeholders("broken }")


@pytest.fixture
def compiled(tmp_path: Path) -> Path:
    """Every catalog compiled into tmp_path, laid out as gettext expects."""
    for lang in CATALOGS:
        catalog = read_catalog(po_path(lang), locale=lang)
        errors = [(m.id, errs) for m, errs in catalog.check()]
        assert not errors, f"{lang}: {errors}"
        target = tmp_path / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
        target.parent.mkdir(parents=True)
        with target.open("wb") as f:
            write_mo(f, catalog)
    return tmp_path


def test_compiled_swedish_catalog_translates(compiled: Path) -> None:
    sv = gettext.translation(DOMAIN, localedir=compiled, languages=["sv"])
    assert sv.gettext("Journal") == "Dagbok"
    assert sv.gettext("Quick exit") == "Snabbstängning"
    assert sv.gettext("My toolkit") == "Min verktygslåda"
    assert sv.ngettext("{n} entry found", "{n} entries found", 1) == "{n} anteckning hittades"
    assert sv.ngettext("{n} entry found", "{n} entries found", 3) == "{n} anteckningar hittades"


def test_compiled_english_catalog_falls_back_to_the_msgids(compiled: Path) -> None:
    """Empty English msgstrs, plural ones included, must give back the English text, never ''."""
    en = gettext.translation(DOMAIN, localedir=compiled, languages=["en"])
    assert en.gettext("Journal") == "Journal"
    assert en.ngettext("{n} entry found", "{n} entries found", 1) == "{n} entry found"
    assert en.ngettext("{n} entry found", "{n} entries found", 3) == "{n} entries found"
