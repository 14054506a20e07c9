"""Human-readable output of entries and prompts (the `--json` forms come from `transfer.entry_to_dict`)."""

from __future__ import annotations

from app.cli.console import out
from app.i18n import _
from app.journal import Entry
from app.prompts import PROMPTS, tag_label, theme_label, toolkit_label
from app.services.transfer import local_time

SHORT_ID = 12
SNIPPET = 60


def snippet(text: str, width: int = SNIPPET) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first if len(first) <= width else first[:width - 1].rstrip() + "…"


def entry_line(entry: Entry) -> str:
    """`<short id>  <local time>  <first line>  [tags]`: one entry per line, newest first."""
    tags = f"  [{', '.join(entry.tags)}]" if entry.tags else ""
    return f"{entry.id[:SHORT_ID]}  {local_time(entry.created)}  {snippet(entry.text)}{tags}"


def print_entries(entries: list[Entry]) -> None:
    if not entries:
        out(_("No entries."))
    for entry in entries:
        out(entry_line(entry))


def print_entry(entry: Entry) -> None:
    """An entry in full: its details, a blank line, then the text."""
    rows = [(_("Id"), entry.id), (_("Created"), local_time(entry.created)),
            (_("Updated"), local_time(entry.updated))]
    if entry.prompt_text:
        rows.append((_("Prompt"), entry.prompt_text + (f" ({entry.prompt_id})" if entry.prompt_id else "")))
    if entry.tags:
        rows.append((_("Tags"), ", ".join(f"{tag_label(t)} ({t})" for t in entry.tags)))
    if entry.theme:
        rows.append((_("Theme"), f"{theme_label(entry.theme)} ({entry.theme})"))
    if entry.toolkit:
        rows.append((_("Toolkit"), f"{toolkit_label(entry.toolkit)} ({entry.toolkit})"))
    for label, value in rows:
        out(f"{label}: {value}")
    out()
    out(entry.text.rstrip("\n"))


def prompts_data() -> list[dict[str, object]]:
    """The prompt library with stable keys: id, text (in the active language), tags, toolkit."""
    return [{"id": p.id, "text": p.label(), "tags": list(p.tags), "toolkit": p.toolkit} for p in PROMPTS]


def print_prompts() -> None:
    width = max(len(p.id) for p in PROMPTS)
    for prompt in PROMPTS:
        out(f"{prompt.id.ljust(width)}  {prompt.label()}")
