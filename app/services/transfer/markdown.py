"""Markdown export: the journal as a document to read or print (plaintext; the front ends warn first).

    text = export_markdown(journal, tz=ZoneInfo("Europe/Stockholm"))
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from app.domain.journal import utcnow
from app.domain.prompts import tag_label, theme_label, toolkit_label
from app.i18n import N_, Language, resolve
from app.services.journal import Journal
from app.services.transfer.common import Format, iso, local_time, oldest_first


def export_markdown(journal: Journal, *, tz: tzinfo | None = None, now: datetime | None = None,
                    lang: Language | None = None) -> str:
    """Every live entry, oldest first, as a Markdown document for reading or printing, in `lang` (default:
    the caller's context's language).

    Each entry is a `##` heading with its local date and time, a list of its details (prompt, tags, theme,
    toolkit section, created and updated in ISO 8601 UTC) and then its text exactly as written.
    """
    lang = resolve(lang)
    _, ngettext = lang.gettext, lang.ngettext
    entries = oldest_first(journal)
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


FORMAT = Format("markdown", "md", N_("Markdown (to read or print)"), exporter=export_markdown)
