"""Kraft's own JSON: the export that moves a journal to another device or app, and its import.

The export is `--format json` and the import `--format kraft-json` (both names as since the first release),
so this module declares two formats, one per direction.

    text = export_json(journal)
    report = import_kraft_json(other_journal, text, source="kraft-journal.json")
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from app.domain.journal import utcnow
from app.domain.prompts import TAGS, THEMES, TOOLKIT, get_prompt
from app.errors import KraftError, Msg
from app.i18n import N_, _
from app.services.journal import Journal, NewEntry
from app.services.transfer.common import (
    Format,
    ImportReport,
    check_count,
    entry_to_dict,
    iso,
    load_json,
    oldest_first,
    optional_time,
    read_time,
    save_new,
    text_problem,
)

KRAFT_FORMAT = "kraft-journal"
KRAFT_VERSION = 1

FORMAT_LABEL = N_("Kraft (JSON)")  # also names the format in an error about a file not of it


def export_json(journal: Journal, *, now: datetime | None = None) -> str:
    """Every live entry, oldest first, as JSON that `import_kraft_json` reads back."""
    document = {
        "format": KRAFT_FORMAT,
        "version": KRAFT_VERSION,
        "exported": iso(now or utcnow()),
        "entries": [entry_to_dict(e) for e in oldest_first(journal)],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _kraft_item(item: Any) -> tuple[NewEntry | None, str | None]:
    """One exported Kraft entry as a NewEntry, or the reason it cannot be imported."""
    if not isinstance(item, dict):
        return None, _("not an entry object")
    text = item.get("text")
    if not isinstance(text, str):
        return None, _("the text is missing or not a string")
    created, problem = read_time(item.get("created"))
    updated, late = optional_time(item.get("updated"))
    if created is None or late:
        return None, problem or late
    tags = item.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        return None, _("the tags are not a list of names")
    for tag in tags:
        if tag not in TAGS:
            return None, _("unknown tag {tag}").format(tag=tag)
    theme, toolkit = item.get("theme") or None, item.get("toolkit") or None
    if not all(isinstance(v, str | None) for v in (theme, toolkit, item.get("prompt_id"), item.get("prompt_text"))):
        return None, _("the theme, toolkit section or prompt is not text")
    if theme is not None and theme not in THEMES:
        return None, _("unknown theme {theme}").format(theme=theme)
    if toolkit is not None and toolkit not in TOOLKIT:
        return None, _("unknown toolkit section {section}").format(section=toolkit)
    problem = text_problem(text)
    if problem:
        return None, problem
    prompt_id, prompt_text = item.get("prompt_id"), item.get("prompt_text")
    prompt_text = prompt_text if isinstance(prompt_text, str) and prompt_text else None
    if not isinstance(prompt_id, str) or get_prompt(prompt_id) is None:
        prompt_id = None  # a prompt this version does not know: keep the question as it was asked
    new = NewEntry(text=text, prompt_id=prompt_id, prompt_text=prompt_text, tags=tuple(tags), theme=theme,
                   created=created, updated=updated or created, toolkit=toolkit)
    return new, None


def import_kraft_json(journal: Journal, data: str | bytes, *, source: str = "-") -> ImportReport:
    """Read back what `export_json` wrote (a backup, or a move to another device); ids are new."""
    document = load_json(data, source, FORMAT_LABEL)
    if (not isinstance(document, dict) or document.get("format") != KRAFT_FORMAT
            or document.get("version") != KRAFT_VERSION or not isinstance(document.get("entries"), list)):
        raise KraftError(Msg.IMPORT_BAD_FILE, path=source,
                         detail=_('expected a Kraft JSON export (format "{format}", version {version})').format(
                             format=KRAFT_FORMAT, version=KRAFT_VERSION))
    check_count(document["entries"], source)
    report = ImportReport()
    candidates = []
    for number, item in enumerate(document["entries"], start=1):
        label = _("entry {number} ({when})").format(
            number=number, when=item.get("created") if isinstance(item, dict) else "?")
        new, problem = _kraft_item(item)
        if new is None:
            report.skipped.append(f"{label}: {problem}")
        else:
            candidates.append((label, new))
    save_new(journal, candidates, report)  # one transaction, toolkit pins included
    return report


EXPORT = Format("json", "json", N_("JSON (to move to another app)"), exporter=export_json)
IMPORT = Format("kraft-json", "json", FORMAT_LABEL, importer=import_kraft_json)
