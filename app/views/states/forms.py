"""The forms' text read into values, and what is wrong with each field said at that field (by its key):
the schedule of Add a group and Start a group, times, the reminder settings (docs/adr/0007-app-layout.md)."""

from __future__ import annotations

from datetime import date

from app.domain.schedule import Schedule, parse_clock
from app.errors import KraftError, Msg
from app.i18n import _
from app.services.groups import check_label
from app.views.states.session import SessionState

# where a refused reminder setting is said: beside the list of times, under the homework choice, at quiet hours
REMINDER_FIELDS = {Msg.REMINDER_TIMES_INVALID: "reminder-times", Msg.REMINDER_HOMEWORK_DAYS_INVALID: "homework-days",
                   Msg.QUIET_HOURS_INVALID: "quiet-end"}


def clock_problems(**fields: str) -> dict[str, str]:
    """Each field (by key, `_` for `-`) whose text is not a time, with how to write one."""
    problems: dict[str, str] = {}
    for name, text in fields.items():
        try:
            parse_clock(text)
        except ValueError:
            problems[name.replace("_", "-")] = _("Write the time like 22:00.")
    return problems


def schedule_problems(*, first: str, at: str, count: str) -> dict[str, str]:
    """What is wrong with each of a schedule form's fields, by the field's name (first, at, count)."""
    problems: dict[str, str] = {}
    try:
        date.fromisoformat(first.strip())
    except ValueError:
        problems["first"] = (_("Write the date of the first meeting, like 2026-12-03.") if not first.strip()
                             else _("Write the date like 2026-12-03 (year, month, day)."))
    try:
        parse_clock(at)
    except ValueError:
        problems["at"] = _("Write the time like 18:00.")
    if count.strip() and not count.strip().isdigit():
        problems["count"] = _("The number of meetings must be a whole number, like 10, or empty.")
    return problems


ZONE_NOT_CHOSEN = "other"  # "Another time zone" chosen, and no zone from the long list yet


def schedule_from_form(session: SessionState, *, first: str, at: str, every: int, count: str, zone: str = "",
                       prefix: str = "group", label: str | None = None) -> Schedule | None:
    """A schedule from the form's text, or None with each problem said at its field (`prefix`-first, -at,
    -count, and -label when the `label` is given to be checked too)."""
    problems = {f"{prefix}-{name}": text for name, text in schedule_problems(first=first, at=at, count=count).items()}
    if zone == ZONE_NOT_CHOSEN:  # said under the long list, where the zone is still to be chosen
        problems[f"{prefix}-zone-other"] = _("Choose the time zone where the group meets from the list.")
    if label is not None:
        try:
            check_label(label)
        except KraftError as exc:
            problems[f"{prefix}-label"] = str(exc)
    if problems:
        session.fail(problems)
        return None
    try:
        return Schedule.weekly(zone=zone or session.default_zone(), first=date.fromisoformat(first.strip()),
                               at=parse_clock(at), interval=every, count=int(count) if count.strip() else None)
    except KraftError as exc:
        field_of = f"{prefix}-count" if "count" in str(exc.params.get("detail", "")) else ""
        session.fail({field_of: str(exc)})
    return None


def homework_fields(prefix: str, choice: str) -> dict[Msg, str]:
    """Where a refused homework is said: under the own words when they were chosen, else under the choice."""
    at = f"{prefix}-own" if choice == "own" else f"{prefix}-choice"
    return {Msg.HOMEWORK_MISSING: at, Msg.HOMEWORK_TOO_LONG: at}
