"""Export and import: the journal out as plaintext JSON or Markdown, and entries in from jrnl, Day One or Kraft
JSON, each format one module that declares itself (the formats: docs/adr/0002-cli-secrets-and-transfer.md;
the package layout: docs/adr/0007-app-layout.md).

Exports are plaintext on purpose (a member's own copy, a move to another app); the front ends warn before
writing one. Imports check every item first and then save all valid ones in one transaction through
`Journal.add_many`, so a file lands whole or not at all; items that cannot be used are listed with a reason.

`FORMATS` is the one list of formats: the CLI's `--format` choices and the screen's options are read from
`exporters()` and `importers()`, so a new format is one module and one line here.

    name, data = export_file(journal, "markdown")
    report = import_file(journal, "jrnl-json", Path("jrnl.json").read_bytes(), source="jrnl.json")
    print(report.imported, report.skipped)
"""

from __future__ import annotations

from datetime import datetime

from app.domain.journal import utcnow
from app.errors import KraftError, Msg
from app.i18n import _
from app.services.journal import Journal
from app.services.transfer import dayone, jrnl, kraft_json, markdown
from app.services.transfer.common import Exporter, Format, Importer, ImportReport, entry_to_dict, iso, local_time
from app.services.transfer.dayone import import_dayone_json
from app.services.transfer.jrnl import import_jrnl_json
from app.services.transfer.kraft_json import KRAFT_FORMAT, KRAFT_VERSION, export_json, import_kraft_json
from app.services.transfer.markdown import export_markdown

__all__ = [
    "FORMATS", "KRAFT_FORMAT", "KRAFT_VERSION", "Exporter", "Format", "ImportReport", "Importer", "entry_to_dict",
    "export_file", "export_json", "export_markdown", "exporters", "get", "import_dayone_json", "import_file",
    "import_jrnl_json", "import_kraft_json", "importers", "iso", "local_time",
]

# The order the front ends show them in (the screen's first option is its default).
FORMATS: tuple[Format, ...] = (markdown.FORMAT, kraft_json.EXPORT, jrnl.FORMAT, dayone.FORMAT, kraft_json.IMPORT)


def exporters() -> tuple[Format, ...]:
    """The formats a journal can be written in, in the order the front ends offer them."""
    return tuple(f for f in FORMATS if f.exporter is not None)


def importers() -> tuple[Format, ...]:
    """The formats entries can be read from, in the order the front ends offer them."""
    return tuple(f for f in FORMATS if f.importer is not None)


def get(name: str) -> Format:
    """The format called `name`; an unknown name is a KraftError that lists the known ones.

        get("markdown").extension  # -> "md"
    """
    for candidate in FORMATS:
        if candidate.name == name:
            return candidate
    raise KraftError(Msg.UNKNOWN_FORMAT, format=name, choices=", ".join(f.name for f in FORMATS))


def export_file(journal: Journal, fmt: str, *, now: datetime | None = None) -> tuple[str, bytes]:
    """A plaintext export as a file name and its bytes (the front end warns before making one)."""
    chosen = get(fmt)
    if chosen.exporter is None:
        raise KraftError(Msg.UNKNOWN_FORMAT, format=fmt, choices=", ".join(f.name for f in exporters()))
    moment = now or utcnow()
    text = chosen.exporter(journal, now=moment)
    return f"kraft-journal-{moment.date().isoformat()}.{chosen.extension}", text.encode("utf-8")


def import_file(journal: Journal, fmt: str, data: str | bytes, *, source: str = "-") -> ImportReport:
    """Entries from `data` in the format called `fmt`; a name no importer has is IMPORT_BAD_FILE for `source`."""
    chosen = next((f for f in importers() if f.name == fmt), None)
    if chosen is None or chosen.importer is None:
        raise KraftError(Msg.IMPORT_BAD_FILE, path=source, detail=_("unknown format {format}").format(format=fmt))
    return chosen.importer(journal, data, source=source)
