"""The domain speaks the language it is handed: the same value, two languages, side by side."""

from __future__ import annotations

import gettext

from app.domain.attendance import Totals
from app.domain.journal import Entry, searchable_text, utcnow
from app.domain.prompts import get_prompt, tag_label, theme_label, toolkit_label
from app.i18n import DOMAIN, LOCALES_DIR, language


def _catalog(code: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, localedir=LOCALES_DIR, languages=[code])


def test_labels_are_in_the_language_passed_in() -> None:
    da, sv = _catalog("da"), _catalog("sv")
    da_hope, sv_hope = tag_label("hope", language("da")), tag_label("hope", language("sv"))
    assert (da_hope, sv_hope) == (da.gettext("Hope"), sv.gettext("Hope")) and da_hope != sv_hope
    assert theme_label("relationships", language("sv")) == sv.gettext("Relationships")
    assert toolkit_label("coping", language("da")) == da.gettext("My coping strategies")
    prompt = get_prompt("hopes")
    assert prompt is not None and prompt.label(language("sv")) == sv.gettext(prompt.text)
    assert tag_label("my-own-tag", language("da")) == "my-own-tag"  # a tag of one's own stays as written


def test_totals_and_search_text_follow_the_language_passed_in() -> None:
    totals = Totals(groups_running=1, meetings_held=21, attendances=140)
    sv = _catalog("sv")
    running = sv.ngettext("{n} group running", "{n} groups running", 1).format(n=1)
    assert totals.describe(language("sv")).startswith(running + ", ")
    assert totals.describe(language("en")) == "1 group running, 21 meetings held, 140 attendances."
    now = utcnow()
    entry = Entry(id="e1", text="En dag", created=now, updated=now, tags=("hope",), theme="relationships")
    assert "Håb" in searchable_text(entry, language("da")) and "Hopp" in searchable_text(entry, language("sv"))
