"""Export and import: the journal out as plaintext JSON or Markdown, and entries in from jrnl, Day One or Kraft
JSON.

Exports are plaintext on purpose (a member's own copy, a move to another app); the front ends warn before
writing one. Imports check every item first and then save all valid ones in one transaction through
`Journal.add_many`, so a file lands whole or not at all; items that cannot be used are listed with a reason.

    report = import_jrnl_json(journal, Path("jrnl.json").read_bytes(), source="jrnl.json")
    print(report.imported, report.skipped)
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from app.domain.journal import MAX_ENTRY_CHARS, Entry, utcnow
from app.domain.prompts import TAGS, THEMES, TOOLKIT, get_prompt, tag_label, theme_label, toolkit_label
from app.errors import KraftError, Msg
from app.i18n import Language, _, ngettext, resolve
from app.services.journal import Journal, NewEntry

KRAFT_FORMAT = "kraft-journal"
KRAFT_VERSION = 1
_JRNL_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")  # jrnl writes %H:%M; seconds are accepted too


@dataclass
class ImportReport:
    """How an import went: how many entries were saved, and why each other item was left out."""

    imported: int = 0
    skipped: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # parts of imported entries that Kraft does not keep


# ---- export ----


def iso(value: datetime) -> str:
    """A fixed-width ISO 8601 UTC timestamp: `2026-01-02T17:22:00.000000+00:00`."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def entry_to_dict(entry: Entry) -> dict[str, Any]:
    """One entry as plain data with stable keys (absent values are null, never missing)."""
    return {
        "id": entry.id,
        "created": iso(entry.created),
        "updated": iso(entry.updated),
        "text": entry.text,
        "prompt_id": entry.prompt_id,
        "prompt_text": entry.prompt_text,
        "tags": list(entry.tags),
        "theme": entry.theme,
        "toolkit": entry.toolkit,
    }


def _oldest_first(journal: Journal) -> list[Entry]:
    return sorted(journal.live_entries(), key=lambda e: e.sort_key)


def export_json(journal: Journal, *, now: datetime | None = None) -> str:
    """Every live entry, oldest first, as JSON that `import_kraft_json` reads back."""
    entries = _oldest_first(journal)
    document = {
        "format": KRAFT_FORMAT,
        "version": KRAFT_VERSION,
        "exported": iso(now or utcnow()),
        "entries": [entry_to_dict(e) for e in entries],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def local_time(value: datetime, tz: tzinfo | None = None) -> str:
    """`YYYY-MM-DD HH:MM` in `tz` (default: this machine's local time zone)."""
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def export_markdown(journal: Journal, *, tz: tzinfo | None = None, now: datetime | None = None,
                    lang: Language | None = None) -> str:
    """Every live entry, oldest first, as a Markdown document for reading or printing, in `lang` (default:
    the caller's context's language).

    Each entry is a `##` heading with its local date and time, a list of its details (prompt, tags, theme,
    toolkit section, created and updated in ISO 8601 UTC) and then its text exactly as written.
    """
    lang = resolve(lang)
    _, ngettext = lang.gettext, lang.ngettext
    entries = _oldest_first(journal)
    exported = ngettext("Exported {when}, {count} entry.", "Exported {when}, {count} entries.", len(entries))
    lines = [f"# {_('Journal')}", "", exported.format(when=iso(now or utcnow()), count=len(entries)), ""]
    for entry in entries:
        lines += [f"## {local_time(entry.created, tz)}", ""]
        if entry.prompt_text:
            lines.append(f"- {_('Prompt')}: {entry.prompt_text}")
        if entry.tags:
            lines.append(f"- {_('Tags')}: {', '.join(tag_label(t, lang) for t in entry.tags)}")
        if entry.theme:
            lines.append(f"- {_('Theme')}: {theme_label(entry.theme, lang)}")
        if entry.toolkit:
            lines.append(f"- {_('Toolkit')}: {toolkit_label(entry.toolkit, lang)}")
        lines += [f"- {_('Created')}: {iso(entry.created)}", f"- {_('Updated')}: {iso(entry.updated)}", ""]
        lines += [entry.text.rstrip("\n"), ""]
    return "\n".join(lines)


# ---- import ----


def _load(data: str | bytes, source: str) -> Any:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise KraftError(Msg.IMPORT_BAD_FILE, path=source, detail=_("the file is not UTF-8 text")) from exc
    try:
        return json.loads(data)
    except ValueError as exc:
        raise KraftError(Msg.IMPORT_BAD_FILE, path=source,
                         detail=_("the file is not valid JSON ({error})").format(error=exc)) from exc


def _text_problem(text: str) -> str | None:
    if not text.strip():
        return _("the text is empty")
    if len(text) > MAX_ENTRY_CHARS:
        return _("the text is too long ({size} characters; at most {maximum})").format(
            size=len(text), maximum=MAX_ENTRY_CHARS)
    return None


def _save(journal: Journal, candidates: Iterable[tuple[str, NewEntry]], report: ImportReport) -> list[Entry]:
    """Drop duplicates (same time and text as an entry already there), then save the rest in one go."""
    seen: set[tuple[datetime | None, str]] = {(e.created, e.text) for e in journal.live_entries()}
    items: list[NewEntry] = []
    for label, item in candidates:
        key = (item.created, unicodedata.normalize("NFC", item.text))
        if key in seen:
            report.skipped.append(_("{item}: already in the journal").format(item=label))
            continue
        seen.add(key)
        items.append(item)
    saved = journal.add_many(items) if items else []
    report.imported = len(saved)
    return saved


# jrnl's own tag pattern (jrnl/journals/Entry.py): a tag symbol, then word characters and -+*#/.
_JRNL_TAG_TAIL = r"(?![-+*#/\w])"


def _jrnl_text(title: str, body: str, other_tags: list[str]) -> str:
    # jrnl splits an entry's text into its first line or sentence (title) and the rest (body); its own text
    # format joins them again with a newline, and so do we.
    text = "\n".join(part for part in (title, body) if part.strip())
    missing = [t for t in other_tags if not re.search(rf"(?<!\S){re.escape(t)}{_JRNL_TAG_TAIL}", text, re.I)]
    if missing and text.strip():
        text = f"{text}\n\n{' '.join(missing)}"
    return text


def _jrnl_created(item: dict[str, Any], tz: tzinfo | None) -> datetime | None:
    date, time = item.get("date"), item.get("time", "00:00")
    if not isinstance(date, str) or not isinstance(time, str):
        return None
    for fmt in _JRNL_FORMATS:
        try:
            naive = datetime.strptime(f"{date.strip()} {time.strip()}", fmt)
        except ValueError:
            continue
        try:
            # jrnl writes the exporting machine's wall-clock time without a zone: read it as local time.
            local = naive.astimezone() if tz is None else naive.replace(tzinfo=tz)
            return local.astimezone(UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None


def _jrnl_item(item: Any, tz: tzinfo | None) -> tuple[NewEntry | None, str | None]:
    """One jrnl entry as a NewEntry, or the reason it cannot be imported."""
    if not isinstance(item, dict):
        return None, _("not an entry object")
    title, body = item.get("title", ""), item.get("body", "")
    if not isinstance(title, str) or not isinstance(body, str):
        return None, _("the title or body is not text")
    created = _jrnl_created(item, tz)
    if created is None:
        return None, _("missing or invalid date or time")
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
    problem = _text_problem(text)
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
    document = _load(data, source)
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        raise KraftError(Msg.IMPORT_BAD_FILE, path=source,
                         detail=_('expected a jrnl JSON export: an object with an "entries" list'))
    report = ImportReport()
    candidates = []
    for number, item in enumerate(document["entries"], start=1):
        entry, problem = _jrnl_item(item, tz)
        label = _label(number, item)
        if entry is None:
            report.skipped.append(f"{label}: {problem}")
        else:
            candidates.append((label, entry))
    _save(journal, candidates, report)
    return report


def _kraft_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else None


def _kraft_item(item: Any) -> tuple[NewEntry | None, str | None]:
    """One exported Kraft entry as a NewEntry, or the reason it cannot be imported."""
    if not isinstance(item, dict):
        return None, _("not an entry object")
    text = item.get("text")
    if not isinstance(text, str):
        return None, _("the text is missing or not a string")
    created, updated = _kraft_time(item.get("created")), _kraft_time(item.get("updated"))
    if created is None:
        return None, _("missing or invalid date or time")
    tags = item.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        return None, _("the tags are not a list of names")
    for tag in tags:
        if tag not in TAGS:
            return None, _("unknown tag {tag}").format(tag=tag)
    theme, toolkit = item.get("theme") or None, item.get("toolkit") or None
    if theme is not None and theme not in THEMES:
        return None, _("unknown theme {theme}").format(theme=theme)
    if toolkit is not None and toolkit not in TOOLKIT:
        return None, _("unknown toolkit section {section}").format(section=toolkit)
    problem = _text_problem(text)
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
    document = _load(data, source)
    if (not isinstance(document, dict) or document.get("format") != KRAFT_FORMAT
            or document.get("version") != KRAFT_VERSION or not isinstance(document.get("entries"), list)):
        raise KraftError(Msg.IMPORT_BAD_FILE, path=source,
                         detail=_('expected a Kraft JSON export (format "{format}", version {version})').format(
                             format=KRAFT_FORMAT, version=KRAFT_VERSION))
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
    _save(journal, candidates, report)  # one transaction, toolkit pins included
    return report


# ---- Day One ----

# Day One escapes Markdown punctuation in `text` ("Hej\\!") and stands media in as moment links.
_DAYONE_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|~])")
_DAYONE_MOMENT = re.compile(r"!\[[^\]]*\]\(dayone-moment:/+[^)]*\)\n?")
_DAYONE_MEDIA = ("photos", "videos", "audios", "pdfAttachments")


def _dayone_item(item: Any) -> tuple[NewEntry | None, str | None, list[str]]:
    """One Day One entry as a NewEntry (or the reason it cannot be), and what of it is left out."""
    if not isinstance(item, dict):
        return None, _("not an entry object"), []
    text = item.get("text", "")
    created, updated = _kraft_time(item.get("creationDate")), _kraft_time(item.get("modifiedDate"))
    if not isinstance(text, str):
        return None, _("the text is missing or not a string"), []
    if created is None:
        return None, _("missing or invalid date or time"), []
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
    problem = _text_problem(text)
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
    document = _load(data, source)
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        raise KraftError(Msg.IMPORT_BAD_FILE, path=source,
                         detail=_('expected a Day One JSON export (Journal.json): an object with an "entries" list'))
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
    _save(journal, candidates, report)
    skipped = {line.split(": ", 1)[0] for line in report.skipped}  # duplicates were not imported at all
    report.left_out = [_("{item}: left out {what}").format(item=label, what=", ".join(missing))
                       for label, missing in left_out.items() if missing and label not in skipped]
    return report


# ---- one entry point for the front ends ----

EXPORT_FORMATS = {"markdown": (export_markdown, "md"), "json": (export_json, "json")}
IMPORTERS = {"jrnl-json": import_jrnl_json, "dayone-json": import_dayone_json, "kraft-json": import_kraft_json}


def export_file(journal: Journal, fmt: str, *, now: datetime | None = None) -> tuple[str, bytes]:
    """A plaintext export as a file name and its bytes (the front end warns before making one)."""
    make, suffix = EXPORT_FORMATS[fmt]
    moment = now or utcnow()
    return f"kraft-journal-{moment.date().isoformat()}.{suffix}", make(journal, now=moment).encode("utf-8")


def import_file(journal: Journal, fmt: str, data: str | bytes, *, source: str = "-") -> ImportReport:
    if fmt not in IMPORTERS:
        raise KraftError(Msg.IMPORT_BAD_FILE, path=source, detail=_("unknown format {format}").format(format=fmt))
    return IMPORTERS[fmt](journal, data, source=source)
