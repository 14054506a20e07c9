"""What unlock found against the manifest, in plain words (docs/adr/0011-rollback.md): the same lines on the
journal screen and from the CLI. Nothing has been changed because of it; the member can go on or restore."""

from __future__ import annotations

from app.i18n import _, ngettext
from app.storage.manifest import IntegrityReport


def title() -> str:
    return _("Your journal may not be as you left it")


def lines(report: IntegrityReport) -> list[str]:
    """One sentence per finding, then what happens now; empty when all is as it was saved."""
    if report.ok:
        return []
    found: list[str] = []
    if report.older_database:
        found.append(_("This journal file is older than the one Kraft saved last. It may be an old copy."))
    if report.manifest_invalid:
        found.append(_("Kraft's list of what you saved does not match its seal, so it cannot tell what changed."))
    if report.older:
        found.append(ngettext("{n} saved item is back at an earlier version.",
                              "{n} saved items are back at an earlier version.", len(report.older))
                     .format(n=len(report.older)))
    if report.missing:
        found.append(ngettext("{n} saved item is missing.", "{n} saved items are missing.", len(report.missing))
                     .format(n=len(report.missing)))
    if report.extra:
        found.append(ngettext("{n} item is here that Kraft did not save, or had deleted.",
                              "{n} items are here that Kraft did not save, or had deleted.", len(report.extra))
                     .format(n=len(report.extra)))
    found.append(_("Nothing has been changed. You can go on as you are, or restore a backup if you have one."))
    return found
