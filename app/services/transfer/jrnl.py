"""jrnl JSON import: what `jrnl --format json` writes, entries in with their wall-clock times and tags.

    report = import_jrnl_json(journal, Path("jrnl.json").read_bytes(), source="jrnl.json")
    print(report.imported, report.skipped)
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from typing import Any

from app.domain.prompts import TAGS
from app.domain.text import in_calendar
from app.errors import KraftError, Msg
from app.i18n import N_, _
from app.services.journal import Journal, NewEntry
from app.services.transfer.common import (
    Format,
    ImportReport,
    check_count,
    load_json,
    out_of_calendar,
    save_new,
    text_problem,
)

_JRNL_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")  # jrnl writes %H:%M; seconds are accepted too

# jrnl's own tag pattern (jrnl/journals/Entry.py): a tag symbol, then word characters and -+*#/.
_JRNL_TAG_TAIL = r"(?![-+*#/\w])"

FORMAT_LABEL = N_("jrnl (JSON)")  # also names the format in an error about a file not of it


def _jrnl_text(title: str, body: str, other_tags: list[str]) -> str:
    # jrnl splits an entry's text into its first line or sentence (title) and the rest (body); its own text
    # format joins them again with a newline, and so do we.
    text = "\n".join(part for part in (title, body) if part.strip())
    missing = [t for t in other_tags if not re.search(rf"(?<!\S){re.escape(t)}{_JRNL_TAG_TAIL}", text, re.I)]
    if missing and text.strip():
        text = f"{text}\n\n{' '.join(missing)}"
    return text


def _jrnl_created(item: dict[str, Any], tz: tzinfo | None) -> tuple[datetime | None, str | None]:
    """The entry's time in UTC, or the reason it has none Kraft can keep."""
    date, time = item.get("date"), item.get("time", "00:00")
    if not isinstance(date, str) or not isinstance(time, str):
        return None, _("missing or invalid date or time")
    for fmt in _JRNL_FORMATS:
        try:
            naive = datetime.strptime(f"{date.strip()} {time.strip()}", fmt)
        except ValueError:
            continue
        try:
            # jrnl writes the exporting machine's wall-clock time without a zone: read it as local time.
            local = naive.astimezone() if tz is None else naive.replace(tzinfo=tz)
        except (OverflowError, OSError, ValueError):
            return None, out_of_calendar()
        utc = in_calendar(local)
        return (utc, None) if utc is not None else (None, out_of_calendar())
    return None, _("missing or invalid date or time")


def _jrnl_item(item: Any, tz: tzinfo | None) -> tuple[NewEntry | None, str | None]:
    """One jrnl entry as a NewEntry, or the reason it cannot be imported."""
    if not isinstance(item, dict):
        return None, _("not an entry object")
    title, body = item.get("title", ""), item.get("body", "")
    if not isinstance(title, str) or not isinstance(body, str):
        return None, _("the title or body is not text")
    created, problem = _jrnl_created(item, tz)
    if created is None:
        return None, problem
    raw_tags = item.get("tags")
    kraft_tags: list[str] = []
    other_tags: list[str] = []
    for tag in raw_tags if isinstance(raw_tags, list) else []:
        if not isinstance(tag, str) or not tag.strip():
            continue
        name = re.sub(r"^[^\w]+", "", tag.strip()).casefold()
        if name in TAGS:
            if name not in kraft_tags:
                kraft_tags.append(name)
        elif tag.strip() not in other_tags:
            other_tags.append(tag.strip())
    text = _jrnl_text(title, body, other_tags)
    problem = text_problem(text)
    if problem:
        return None, problem
    return NewEntry(text=text, tags=tuple(kraft_tags), created=created, updated=created), None


def _label(number: int, item: Any) -> str:
    when = " ".join(str(item.get(k, "")) for k in ("date", "time")).strip() if isinstance(item, dict) else ""
    return _("entry {number} ({when})").format(number=number, when=when or "?")


def import_jrnl_json(journal: Journal, data: str | bytes, *, source: str = "-",
                     tz: tzinfo | None = None) -> ImportReport:
    """Import what `jrnl --format json` writes: {"tags": {...}, "entries": [{"title", "body", "date",
    "time", "tags", "starred", ...}]}.

    Title and body become the text; date and time (the exporting machine's wall clock, read in `tz`,
    default this machine's local zone) become the creation time in UTC; jrnl tags that name a Kraft tag
    (`@hope`, `#Meaning`) become tags, and any other tag stays in the text. `starred` has no counterpart
    and is dropped. A file that is not such JSON raises IMPORT_BAD_FILE and nothing is written.
    """
    document = load_json(data, source, FORMAT_LABEL)
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        raise KraftError(Msg.IMPORT_BAD_FILE, path=source,
                         detail=_('expected a jrnl JSON export: an object with an "entries" list'))
    check_count(document["entries"], source)
    report = ImportReport()
    candidates = []
    for number, item in enumerate(document["entries"], start=1):
        entry, problem = _jrnl_item(item, tz)
        label = _label(number, item)
        if entry is None:
            report.skipped.append(f"{label}: {problem}")
        else:
            candidates.append((label, entry))
    save_new(journal, candidates, report)
    return report


FORMAT = Format("jrnl-json", "json", FORMAT_LABEL, importer=import_jrnl_json)
