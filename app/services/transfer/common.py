"""What every transfer format shares: the import report, timestamps, entry data, reading JSON, saving in one go.

The format modules (jrnl, Day One, Kraft JSON, Markdown) build on these so that every import checks each item
first and then saves all valid ones in one transaction through `Journal.add_many` (a file lands whole or not at
all), and every export writes the same fixed-width timestamps.

    report = ImportReport()
    save_new(journal, [("entry 1 (2024-01-02)", NewEntry(text="Hej"))], report)
    print(report.imported, report.skipped)
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any, Protocol

from app.domain.journal import MAX_ENTRY_CHARS, Entry
from app.domain.text import EARLIEST_YEAR, LATEST_YEAR, in_calendar, is_unicode
from app.errors import KraftError, Msg
from app.i18n import _
from app.services.journal import Journal, NewEntry


class Exporter(Protocol):
    """Writes every live entry of a journal as one document (`now` is the export's own timestamp)."""

    def __call__(self, journal: Journal, *, now: datetime | None = None) -> str: ...


class Importer(Protocol):
    """Reads a file's bytes or text into a journal; `source` names the file in errors and the report."""

    def __call__(self, journal: Journal, data: str | bytes, *, source: str = "-") -> ImportReport: ...


@dataclass(frozen=True)
class Format:
    """One transfer format as the front ends offer it: the CLI's `--format` name and the screen's option.

    `label` is an N_() string (translate it where it is shown); `extension` is the file name's ending without
    the dot. Either function may be None: a format that is only written, or only read.

        Format("markdown", "md", N_("Markdown (to read or print)"), exporter=export_markdown)
    """

    name: str
    extension: str
    label: str
    exporter: Exporter | None = None
    importer: Importer | None = None


@dataclass
class ImportReport:
    """How an import went: how many entries were saved, and why each other item was left out."""

    imported: int = 0
    skipped: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # parts of imported entries that Kraft does not keep


def iso(value: datetime) -> str:
    """A fixed-width ISO 8601 UTC timestamp: `2026-01-02T17:22:00.000000+00:00`."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def local_time(value: datetime, tz: tzinfo | None = None) -> str:
    """`YYYY-MM-DD HH:MM` in `tz` (default: this machine's local time zone); in UTC, marked so, for a time the
    zone cannot hold (an entry imported at the edge of the calendar before such dates were refused)."""
    try:
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, OSError, ValueError):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


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


def oldest_first(journal: Journal) -> list[Entry]:
    """Every live entry, oldest first: the order every export writes."""
    return sorted(journal.live_entries(), key=lambda e: e.sort_key)


# What one import takes (docs/adr/0002-cli-secrets-and-transfer.md, "Bad input"): a phone must hold the file,
# its parsed form and the sealed entries at once. 31.9 MiB of 20,000 entries peaked 101 MB above the process
# and took 7.5 s here; 1,000,000 entries took 4.5 minutes and 1.6 GB. A bigger journal goes in parts.
MAX_IMPORT_BYTES = 32 * 1024 * 1024
MAX_IMPORT_ENTRIES = 20_000


def too_big(size: int, source: str) -> KraftError | None:
    """IMPORT_BAD_FILE for a file of `size` bytes over MAX_IMPORT_BYTES (checked before it is read), else None."""
    if size <= MAX_IMPORT_BYTES:
        return None
    return KraftError(Msg.IMPORT_BAD_FILE, path=source, detail=_(
        "the file is {size} MB; Kraft imports at most {maximum} MB at a time. Split it into smaller files").format(
            size=-(-size // (1024 * 1024)), maximum=MAX_IMPORT_BYTES // (1024 * 1024)))


def check_count(entries: list[Any], source: str) -> None:
    """IMPORT_BAD_FILE when a file lists more than MAX_IMPORT_ENTRIES entries (nothing is saved then)."""
    if len(entries) > MAX_IMPORT_ENTRIES:
        raise KraftError(Msg.IMPORT_BAD_FILE, path=source, detail=_(
            "the file has {count} entries; Kraft imports at most {maximum} at a time. Split it into smaller "
            "files").format(count=len(entries), maximum=MAX_IMPORT_ENTRIES))


def load_json(data: str | bytes, source: str, kind: str = "") -> Any:
    """The JSON document in `data`, or IMPORT_BAD_FILE naming `source` when it is not UTF-8 JSON or is over
    MAX_IMPORT_BYTES: in plain words, where the file stops making sense (line and character, counted from 1),
    never the parser's text.
    `kind` is the label of the format chosen (a msgid: "jrnl (JSON)").

        load_json(b'{"entries": []}', "jrnl.json")  # -> {"entries": []}
    """
    problem = too_big(len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass")), source)
    if problem is not None:
        raise problem
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise KraftError(Msg.IMPORT_BAD_FILE, path=source, detail=_("the file is not UTF-8 text")) from exc
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        where = _("it stops making sense at line {line}, character {column}").format(line=exc.lineno,
                                                                                     column=exc.colno)
        detail = (_("it is not a {kind} file: {where}").format(kind=_(kind), where=where) if kind
                  else _("it is not a file of the kind chosen: {where}").format(where=where))
        raise KraftError(Msg.IMPORT_BAD_FILE, path=source, detail=detail) from exc
    except ValueError as exc:  # a number too long to read, and the like: no position to give
        raise KraftError(Msg.IMPORT_BAD_FILE, path=source,
                         detail=_("it is not a file of the kind chosen")) from exc
    except RecursionError as exc:  # "[[[[…" ten thousand deep: no export is like that
        raise KraftError(Msg.IMPORT_BAD_FILE, path=source, detail=_("the file is nested too deeply")) from exc


def text_problem(text: str) -> str | None:
    """Why `text` cannot be an entry (empty, too long, not valid Unicode), or None when it can."""
    if not is_unicode(text):
        return _("the text is not valid Unicode")
    if not text.strip():
        return _("the text is empty")
    if len(text) > MAX_ENTRY_CHARS:
        return _("the text is too long ({size} characters; at most {maximum})").format(
            size=len(text), maximum=MAX_ENTRY_CHARS)
    return None


def out_of_calendar() -> str:
    """The reason an item's date is refused (docs/adr/0002-cli-secrets-and-transfer.md, "Bad input")."""
    return _("the date is not between {first} and {last}").format(first=EARLIEST_YEAR, last=LATEST_YEAR)


def read_time(value: Any) -> tuple[datetime | None, str | None]:
    """An ISO 8601 time with a zone as UTC, or the reason it cannot be an entry's time (not text, not a time,
    no zone to place it, or outside the years every zone can show)."""
    if not isinstance(value, str):
        return None, _("missing or invalid date or time")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None, _("missing or invalid date or time")
    if parsed.tzinfo is None:
        return None, _("missing or invalid date or time")
    utc = in_calendar(parsed)
    return (utc, None) if utc is not None else (None, out_of_calendar())


def aware_time(value: Any) -> datetime | None:
    """`read_time` without the reason."""
    return read_time(value)[0]


def optional_time(value: Any) -> tuple[datetime | None, str | None]:
    """A second time (when an entry was changed): absent or unreadable is None (the creation time stands in),
    but one outside the calendar refuses the item like a creation time would."""
    moment, problem = read_time(value)
    return (None, problem) if problem == out_of_calendar() else (moment, None)


def save_new(journal: Journal, candidates: Iterable[tuple[str, NewEntry]], report: ImportReport) -> list[Entry]:
    """Drop duplicates (same time and text as an entry already there), then save the rest in one go.

    Each candidate is (its label in the report, the entry); a duplicate is listed in `report.skipped`.
    """
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
