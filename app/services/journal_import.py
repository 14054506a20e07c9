"""The journal import use case: add entries from another app's export and say what happened, in the same
lines on the import screen and from `kraft journal import` (each with its own bullet).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.i18n import _, ngettext
from app.services import transfer
from app.services.journal import Journal
from app.services.transfer import ImportReport


@dataclass(frozen=True)
class ImportResult:
    """An import's report and its summary for people."""

    report: ImportReport

    def lines(self, bullet: str = "• ") -> list[str]:
        """What was imported, skipped (with the reasons) and left out, one line each; `bullet` marks a reason."""
        report = self.report
        lines = [ngettext("Imported {count} entry.", "Imported {count} entries.", report.imported).format(
            count=report.imported)]
        if report.skipped:
            lines.append(ngettext("Skipped {count} item:", "Skipped {count} items:", len(report.skipped)).format(
                count=len(report.skipped)))
            lines += [f"{bullet}{reason}" for reason in report.skipped]
        if report.left_out:
            lines.append(_("Imported, but without what Kraft does not keep:"))
            lines += [f"{bullet}{what}" for what in report.left_out]
        return lines

    def data(self) -> dict[str, object]:
        """The report as JSON-ready data (stable keys)."""
        return {"imported": self.report.imported, "skipped": self.report.skipped, "left_out": self.report.left_out}


def import_entries(journal: Journal, fmt: str, data: str | bytes, *, source: str) -> ImportResult:
    """Import `data` in format `fmt` into the open journal; every usable entry is saved in one step.

    Why here: the screen and the CLI each formatted the report themselves. Raises KraftError for an
    unknown format or an unreadable file (nothing is saved then).

    Example:
        result = import_entries(ctx.journal, "jrnl-json", data, source="jrnl.json")
        print("\\n".join(result.lines()))
    """
    return ImportResult(transfer.import_file(journal, fmt, data, source=source))
