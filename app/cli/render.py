"""Human-readable output of entries, prompts and groups (entries' `--json` forms come from
`transfer.entry_to_dict`; groups' and meetings' from `group_data` and `meeting_data` here)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from babel import dates as babel_dates

from app.cli.console import out
from app.domain.journal import Entry
from app.domain.prompts import PROMPTS, tag_label, theme_label, toolkit_label
from app.i18n import N_, _, current, current_language, format_when, ngettext
from app.services.transfer.common import local_time

if TYPE_CHECKING:  # only the annotations: `kraft journal` need not load the group services (ADR 0013)
    from app.domain.schedule import Meeting, Schedule
    from app.services.groups import Group, GroupDetails
    from app.services.homework import CurrentHomework

SHORT_ID = 12
SNIPPET = 60
REPEATS = {1: N_("Every week"), 2: N_("Every second week"), 3: N_("Every third week")}  # as the app says it


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
    else:  # one write: a search can print thousands of lines
        out("\n".join(map(entry_line, entries)))


def print_entry(entry: Entry) -> None:
    """An entry in full: its details, a blank line, then the text."""
    rows = [(_("Id"), entry.id), (_("Created"), local_time(entry.created)),
            (_("Updated"), local_time(entry.updated))]
    if entry.prompt_text:
        rows.append((_("Prompt"), entry.prompt_text + (f" ({entry.prompt_id})" if entry.prompt_id else "")))
    if entry.tags:
        rows.append((_("Tags"), ", ".join(f"{tag_label(t, current())} ({t})" for t in entry.tags)))
    if entry.theme:
        rows.append((_("Theme"), f"{theme_label(entry.theme, current())} ({entry.theme})"))
    if entry.toolkit:
        rows.append((_("Toolkit"), f"{toolkit_label(entry.toolkit, current())} ({entry.toolkit})"))
    for label, value in rows:
        out(f"{label}: {value}")
    out()
    out(entry.text.rstrip("\n"))


def prompts_data() -> list[dict[str, object]]:
    """The prompt library with stable keys: id, text (in the active language), tags, toolkit."""
    return [{"id": p.id, "text": p.label(current()), "tags": list(p.tags), "toolkit": p.toolkit} for p in PROMPTS]


def print_prompts() -> None:
    width = max(len(p.id) for p in PROMPTS)
    for prompt in PROMPTS:
        out(f"{prompt.id.ljust(width)}  {prompt.label(current())}")


# ---- groups ----


def meeting_number(meeting: Meeting) -> str:
    """"Meeting N of M" ("Meeting N" for an open schedule); a cancelled meeting has no number."""
    if meeting.number is None:
        return _("cancelled")
    if meeting.total is None:
        return _("Meeting {n}").format(n=meeting.number)
    return _("Meeting {n} of {m}").format(n=meeting.number, m=meeting.total)


def meeting_line(meeting: Meeting) -> str:
    """`<meeting id>  <local time>  Meeting N of M  (moved from ...)`: the id is what cancel/skip/move take."""
    line = f"{meeting.id}  {format_when(meeting.start, own_zone=True)}  {meeting_number(meeting)}"
    if meeting.moved:
        line += "  (" + _("moved from {when}").format(when=format_when(meeting.original_start, own_zone=True)) + ")"
    return line


def next_text(meeting: Meeting | None) -> str:
    if meeting is None:
        return _("no upcoming meetings")
    return f"{format_when(meeting.start, own_zone=True)}  ({meeting_number(meeting)})"


def group_line(group: Group, now: datetime) -> str:
    """`<short id>  <label>  <next meeting>`: one group per line."""
    return f"{group.id[:SHORT_ID]}  {group.label}  {next_text(group.schedule.next_meeting(now))}"


def print_groups(groups: list[Group], now: datetime) -> None:
    if not groups:
        out(_("No groups."))
    for group in groups:
        out(group_line(group, now))


def repeats(schedule: Schedule) -> str:
    """"Every second week, 10 meetings" / "Every week, until Dec 3, 2026" / "Every week, no end date"."""
    every = _(REPEATS[schedule.interval])
    if schedule.count is not None:
        end = ngettext("{n} meeting", "{n} meetings", schedule.count).format(n=schedule.count)
    elif schedule.until is not None:
        day = babel_dates.format_date(schedule.until, format="medium", locale=current_language())
        end = _("until {date}").format(date=day)
    else:
        end = _("no end date")
    return f"{every}, {end}"


def print_group(group: Group, details: GroupDetails | None = None, *, with_details: bool = False,
                homework: list[str] | None = None) -> None:
    """A group in full: its schedule, its details and current homework when unlocked for them, then every
    meeting."""
    minutes = int(group.schedule.duration.total_seconds() // 60)
    rows = [(_("Id"), group.id), (_("Name"), group.label), (_("Repeats"), repeats(group.schedule)),
            (_("Length"), ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)),
            (_("Time zone"), group.schedule.zone)]
    if with_details and details is not None:
        rows += [(label, value) for label, value in ((_("Theme"), details.theme), (_("Place"), details.place),
                                                     (_("Link"), details.link)) if value]
    for label, value in rows:
        out(f"{label}: {value}")
    if with_details and (details is None or not any((details.theme, details.place, details.link))):
        out(_("No theme, place or link saved for this group."))
    if with_details:
        out(_("Homework: {first}").format(first=homework[0]) if homework else _("No homework just now."))
        for line in (homework or [])[1:]:
            out(f"  {line}")
    out()
    meetings = group.schedule.meetings()
    if not meetings:
        out(_("No meetings."))
    for meeting in meetings:
        out(meeting_line(meeting))


def meeting_data(meeting: Meeting) -> dict[str, object]:
    """A meeting with stable keys; times are ISO 8601 with the offset, in the group's time zone."""
    return {"id": meeting.id, "start": meeting.start.isoformat(), "end": meeting.end.isoformat(),
            "original_start": meeting.original_start.isoformat(), "number": meeting.number,
            "total": meeting.total, "cancelled": meeting.cancelled, "moved": meeting.moved}


def group_data(group: Group, now: datetime) -> dict[str, object]:
    """A group with stable keys: its schedule's settings and its next meeting (null when none is left)."""
    schedule = group.schedule
    upcoming = schedule.next_meeting(now)
    return {"id": group.id, "label": group.label, "zone": schedule.zone,
            "first_start": schedule.first_start.isoformat(),
            "duration_min": int(schedule.duration.total_seconds() // 60), "interval": schedule.interval,
            "count": schedule.count, "until": schedule.until.isoformat() if schedule.until else None,
            "next": meeting_data(upcoming) if upcoming else None}


def details_data(details: GroupDetails | None) -> dict[str, str]:
    from app.services.groups import GroupDetails

    details = details or GroupDetails()
    return {"theme": details.theme, "place": details.place, "link": details.link}


def homework_data(item: CurrentHomework) -> dict[str, object]:
    """One group's current homework with stable keys; `text` is null unless the journal was open."""
    return {"group_id": item.group_id, "label": item.group_name, "journal": str(item.journal),
            "meeting": meeting_data(item.meeting) if item.meeting else None, "text": item.text,
            "prompt_id": item.prompt_id, "answered": item.answered if item.readable else None}


def homework_lines(item: CurrentHomework) -> list[str]:
    """The homework as text lines: the meeting it is for, then its words or why they are not shown."""
    from app.services.homework import JournalAccess

    lines = []
    if item.meeting is not None:
        lines.append(_("For the meeting on {when}").format(when=format_when(item.meeting.start, own_zone=True)))
    if item.text is not None:
        lines.append(item.text)
        if item.answered:
            lines.append(_("You have answered it."))
    else:
        lines.append(_("The group sent homework: create a journal to read it.") if item.journal is JournalAccess.NONE
                     else _("The group sent homework: unlock to read it."))
    return lines
