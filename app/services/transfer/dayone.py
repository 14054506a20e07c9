"""Day One JSON import: the `Journal.json` of Day One's JSON export, text and tags in, media left out.

    report = import_dayone_json(journal, Path("Journal.json").read_bytes(), source="Journal.json")
    print(report.imported, report.left_out)
"""

from __future__ import annotations

import re
from typing import Any

from app.domain.prompts import TAGS
from app.errors import KraftError, Msg
from app.i18n import N_, _, ngettext
from app.services.journal import Journal, NewEntry
from app.services.transfer.common import (
    Format,
    ImportReport,
    check_count,
    load_json,
    optional_time,
    read_time,
    save_new,
    text_problem,
)

# Day One escapes Markdown punctuation in `text` ("Hej\\!") and stands media in as moment links.
_DAYONE_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|~])")
_DAYONE_MOMENT = re.compile(r"!\[[^\]]*\]\(dayone-moment:/+[^)]*\)\n?")
_DAYONE_MEDIA = ("photos", "videos", "audios", "pdfAttachments")

FORMAT_LABEL = N_("Day One (Journal.json)")  # also names the format in an error about a file not of it


def _dayone_item(item: Any) -> tuple[NewEntry | None, str | None, list[str]]:
    """One Day One entry as a NewEntry (or the reason it cannot be), and what of it is left out."""
    if not isinstance(item, dict):
        return None, _("not an entry object"), []
    text = item.get("text", "")
    created, problem = read_time(item.get("creationDate"))
    updated, late = optional_time(item.get("modifiedDate"))
    if not isinstance(text, str):
        return None, _("the text is missing or not a string"), []
    if created is None or late:
        return None, problem or late, []
    text = _DAYONE_ESCAPE.sub(r"\1", _DAYONE_MOMENT.sub("", text)).strip()
    kraft_tags: list[str] = []
    other_tags: list[str] = []
    raw_tags = item.get("tags")
    for tag in raw_tags if isinstance(raw_tags, list) else []:
        if isinstance(tag, str) and tag.strip():
            name = tag.strip().casefold()
            target = kraft_tags if name in TAGS else other_tags
            if (name if name in TAGS else tag.strip()) not in target:
                target.append(name if name in TAGS else tag.strip())
    if other_tags and text:
        text += "\n\n" + " ".join("#" + re.sub(r"\s+", "-", t) for t in other_tags)
    problem = text_problem(text)
    if problem:
        return None, problem, []
    media = sum(len(item.get(kind) or []) for kind in _DAYONE_MEDIA if isinstance(item.get(kind) or [], list))
    left_out = [ngettext("{n} photo or other attachment", "{n} photos or other attachments", media).format(n=media)
                ] if media else []
    left_out += [what for key, what in (("location", _("the place")), ("weather", _("the weather")))
                 if item.get(key)]
    return NewEntry(text=text, tags=tuple(kraft_tags), created=created, updated=updated or created), None, left_out


def import_dayone_json(journal: Journal, data: str | bytes, *, source: str = "-") -> ImportReport:
    """Import the `Journal.json` of Day One's JSON export: {"metadata": {...}, "entries": [{"uuid", "text",
    "creationDate", "modifiedDate", "tags", "photos", "location", "weather", ...}]}.

    The Markdown text comes in without Day One's escapes and media links; tags that name a Kraft tag become
    tags, others stay in the text as #tags; the times keep their instant (UTC). Photos, audio, the place and
    the weather are not kept (Kraft keeps text only): the report says so per entry. Nothing is written when
    the file is not such JSON.
    """
    document = load_json(data, source, FORMAT_LABEL)
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        raise KraftError(Msg.IMPORT_BAD_FILE, path=source,
                         detail=_('expected a Day One JSON export (Journal.json): an object with an "entries" list'))
    check_count(document["entries"], source)
    report = ImportReport()
    candidates = []
    left_out: dict[str, list[str]] = {}
    for number, item in enumerate(document["entries"], start=1):
        label = _("entry {number} ({when})").format(
            number=number, when=item.get("creationDate", "?") if isinstance(item, dict) else "?")
        entry, problem, missing = _dayone_item(item)
        if entry is None:
            report.skipped.append(f"{label}: {problem}")
            continue
        candidates.append((label, entry))
        left_out[label] = missing
    save_new(journal, candidates, report)
    skipped = {line.split(": ", 1)[0] for line in report.skipped}  # duplicates were not imported at all
    report.left_out = [_("{item}: left out {what}").format(item=label, what=", ".join(missing))
                       for label, missing in left_out.items() if missing and label not in skipped]
    return report


FORMAT = Format("dayone-json", "json", FORMAT_LABEL, importer=import_dayone_json)
