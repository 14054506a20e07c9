"""The next meeting (also locked, also anonymous), adding a group, the group's guidelines, and help now."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import available_timezones

import flet as ft

from app.domain.prompts import PROMPTS, get_prompt
from app.domain.schedule import Meeting
from app.i18n import N_, _, format_clock, format_countdown, format_day, format_when, ngettext
from app.services.checkin import ATTENDED, CANT_COME
from app.services.groups import Group, GroupDetails
from app.views.common import dropdown, field, frame, icon_button, section_title
from app.views.routes import Route
from app.views.state import AppState

GUIDELINES = (
    N_("The group is closed after it starts: new members join the next group."),
    N_("If you can't come, tell the others."),
    N_("What is said in the group stays in the group (confidentiality)."),
    N_("Religion and politics are left outside the group."),
    N_("Questions about medication go to your doctor or healthcare."),
    N_("The group is not meant for acute crises. If you need help now, use “Need help now?”."),
)
COUNTRY_NAMES = {"SE": N_("Sweden"), "NO": N_("Norway"), "DK": N_("Denmark")}


def reminder_banner(state: AppState) -> ft.Control:
    """A due reminder, discreet (no group name, no theme): shown on open, on resume and while open."""
    _minute = state.minute  # re-evaluated as the clock moves
    due = state.due_reminder()
    if due is None:
        return ft.Container()
    reminder, text = due
    return ft.Semantics(live_region=True, content=ft.Container(
        ft.Row([ft.Icon(ft.Icons.NOTIFICATIONS_ACTIVE_OUTLINED),
                ft.Text(text, expand=True, key="reminder-text"),
                icon_button(ft.Icons.CLOSE, _("Dismiss"), key="reminder-dismiss",
                            on_click=lambda: state.dismiss_reminder(reminder))]),
        bgcolor=ft.Colors.TERTIARY_CONTAINER, border_radius=8, padding=ft.Padding.only(left=12)))


def next_meeting_card(state: AppState) -> ft.Control:
    """Date, time, countdown and meeting N of M of the soonest meeting; nothing else (works locked)."""
    found = state.next_meeting()
    if found is None:
        return ft.Container()
    meeting = found.meeting
    lines: list[ft.Control] = [
        ft.Text(_("Next meeting"), theme_style=ft.TextThemeStyle.LABEL_LARGE),
        ft.Text(format_when(meeting.start, own_zone=True), theme_style=ft.TextThemeStyle.TITLE_LARGE, key="next-when"),
        ft.Text(format_countdown(meeting.start - datetime.now(UTC)), key="next-countdown"),
    ]
    if meeting.number is not None and meeting.total is not None:
        lines.append(ft.Text(_("Meeting {n} of {m}").format(n=meeting.number, m=meeting.total), key="next-number"))
    lines.append(ft.Text(found.group.label, theme_style=ft.TextThemeStyle.BODY_SMALL))
    details = state.group_details(found.group) if state.unlocked else None
    if details is not None and details.show_place and details.place:
        lines.append(ft.Row([ft.Icon(ft.Icons.PLACE_OUTLINED, size=16), ft.Text(details.place, key="next-place")]))
    # ink: an InkWell, which the keyboard can reach and a screen reader calls a button (a bare tap area is
    # neither). The check-in buttons sit beside it, not inside: no button within a button, and the open area's
    # focus shade does not lie under their text
    opening = ft.Container(ft.Column(lines, spacing=4), padding=ft.Padding.only(left=16, top=16, right=16, bottom=8),
                           key="next-meeting-open", ink=True, border_radius=12,
                           on_click=lambda: state.go(Route.GROUP, group_id=found.group.id))
    actions = checkin_actions(state, found.group, meeting)
    body: list[ft.Control] = [opening]
    if actions:
        body.append(ft.Container(ft.Column(actions, spacing=4), padding=ft.Padding.only(left=16, right=16, bottom=8)))
    return ft.Card(ft.Column(body, spacing=0), key="next-meeting")


def checkin_actions(state: AppState, group: Group, meeting: Meeting) -> list[ft.Control]:
    """"I'm here" while a meeting goes on, "I can't come" before it; nothing while a journal is locked."""
    if not state.can_check_in() or meeting.cancelled:
        return []
    status = state.checkin_status(group, meeting.id)
    begun = meeting.start <= datetime.now(UTC)
    if begun and status == ATTENDED:
        said, undo = _("You checked in."), _("Take it back")
    elif not begun and status == CANT_COME:
        said, undo = _("You said you can't come."), _("I can come after all")
    elif begun:
        return [ft.FilledTonalButton(_("I'm here"), icon=ft.Icons.HOW_TO_REG, key=f"checkin-{meeting.id}",
                                     on_click=lambda: state.check_in(group, meeting.id, ATTENDED))]
    else:
        return [ft.OutlinedButton(_("I can't come"), icon=ft.Icons.EVENT_BUSY, key=f"cantcome-{meeting.id}",
                                  on_click=lambda: state.check_in(group, meeting.id, CANT_COME))]
    return [ft.Row([ft.Text(said, key=f"said-{meeting.id}"),
                    ft.TextButton(undo, key=f"undo-checkin-{meeting.id}",
                                  on_click=lambda: state.check_in(group, meeting.id, None))], wrap=True)]


def attendance_section(state: AppState, group: Group) -> list[ft.Control]:
    """The member's own attendance: the meetings that have begun, newest first, each can be checked in."""
    history = state.attendance(group)
    if history is None:
        return [section_title(_("My attendance")),
                ft.Text(_("Unlock your journal to see and change your check-ins: they are kept encrypted in it."))]
    past = [row for row in history.rows if row.meeting.start <= datetime.now(UTC)][:PAST_SHOWN]
    if not past:
        return []
    out: list[ft.Control] = [
        section_title(_("My attendance")),
        ft.Text(ngettext("You were at {n} of {m} meeting.", "You were at {n} of {m} meetings.", history.held)
                .format(n=history.attended, m=history.held), key="attendance-summary")]
    for row in past:
        meeting = row.meeting
        if row.status == ATTENDED:
            action = ft.TextButton(_("Take it back"), key=f"undo-checkin-{meeting.id}",
                                   on_click=lambda _e, m=meeting: state.check_in(group, m.id, None))
        else:
            action = ft.TextButton(_("I was there"), key=f"checkin-{meeting.id}",
                                   on_click=lambda _e, m=meeting: state.check_in(group, m.id, ATTENDED))
        said = {ATTENDED: _("You were there"), CANT_COME: _("You couldn't come")}.get(row.status or "", "")
        out.append(ft.ListTile(title=ft.Text(format_when(meeting.start, own_zone=True)),
                               subtitle=ft.Text(said) if said else None, trailing=action,
                               leading=ft.Icon(ft.Icons.HOW_TO_REG if row.status == ATTENDED
                                               else ft.Icons.EVENT_AVAILABLE_OUTLINED)))
    return out


@ft.component
def HomeworkSection(state: AppState, group: Group, details: GroupDetails | None) -> ft.Control:
    """The homework for the next meeting, as the member noted it, and the way to answer it."""
    details = details or GroupDetails()
    choice, set_choice = ft.use_state(details.homework_prompt_id or ("own" if details.homework_text else "strengths"))
    words, set_words = ft.use_state(details.homework_text)
    controls: list[ft.Control] = [section_title(_("Homework for the next meeting"))]
    if details.has_homework:
        prompt = get_prompt(details.homework_prompt_id) if details.homework_prompt_id else None
        question = prompt.label() if prompt else details.homework_text
        controls += [
            ft.Text(question, italic=True, key="homework-text"),
            ft.Row([ft.FilledButton(_("Answer it"), icon=ft.Icons.EDIT, key="answer-homework",
                                    on_click=lambda: state.open_editor(
                                        prompt_id=prompt.id if prompt else None,
                                        prompt_text=None if prompt else details.homework_text)),
                    ft.TextButton(_("It is done, clear it"), key="clear-homework",
                                  on_click=lambda: state.clear_homework(group))], wrap=True)]
    controls += [
        dropdown(label=_("What the group was asked"), key="homework-choice", value=choice, width=680,
                 on_select=lambda e: set_choice(e.control.value),
                 options=[*[ft.DropdownOption(key=p.id, text=p.label()) for p in PROMPTS],
                          ft.DropdownOption(key="own", text=_("In the group's own words…"))]),
    ]
    if choice == "own":
        controls.append(field(state, _("The homework, as the group was given it"), words, set_words,
                              key="homework-own", password=False))
    controls.append(ft.OutlinedButton(_("Note the homework"), key="save-homework",
                                      on_click=lambda: state.set_homework(group, choice, words)))
    return ft.Column(controls, spacing=12)


def group_tiles(state: AppState) -> list[ft.Control]:
    """Every group the member follows, each opening its own screen."""
    now = datetime.now(UTC)
    tiles: list[ft.Control] = []
    for group in sorted(state.groups.list(), key=lambda g: g.label.casefold()):
        upcoming = group.schedule.next_meeting(now)
        when = format_when(upcoming.start, own_zone=True) if upcoming else _("No more meetings")
        tiles.append(ft.ListTile(leading=ft.Icon(ft.Icons.GROUPS_OUTLINED), title=ft.Text(group.label),
                                 subtitle=ft.Text(when), key=f"group-{group.id}",
                                 on_click=lambda _e, g=group: state.go(Route.GROUP, group_id=g.id)))
    return tiles


@ft.component
def Home(state: AppState) -> ft.Control:
    """For a member without a journal: the next meeting, and the way to a journal if they want one."""
    body: list[ft.Control] = [
        reminder_banner(state),
        next_meeting_card(state),
        section_title(_("My groups")),
        *group_tiles(state),
        ft.Row([ft.OutlinedButton(_("Add another group"), icon=ft.Icons.ADD, key="add-group",
                                  on_click=lambda: state.go(Route.ADD_GROUP)),
                ft.OutlinedButton(_("Join with an invite"), icon=ft.Icons.GROUP_ADD_OUTLINED, key="open-join",
                                  on_click=lambda: state.go(Route.JOIN)),
                ft.OutlinedButton(_("Reminders"), icon=ft.Icons.NOTIFICATIONS_OUTLINED, key="open-reminders",
                                  on_click=lambda: state.go(Route.REMINDERS))], wrap=True),
        ft.Text(_("Want to answer the homework too? A journal keeps your answers encrypted on this device.")),
        ft.FilledButton(_("Create my journal"), key="start", on_click=lambda: state.go(Route.SETUP)),
    ]
    return frame(state, "Kraft", body, nav=False)


NORDIC_ZONES = ("Europe/Stockholm", "Europe/Oslo", "Europe/Copenhagen", "Europe/Helsinki", "Atlantic/Reykjavik")


def zone_options() -> list[ft.DropdownOption]:
    """The Nordic zones first, then the rest of Europe: a group meets where it meets, not where the phone is."""
    rest = sorted(z for z in available_timezones() if z.startswith("Europe/") and z not in NORDIC_ZONES)
    return [ft.DropdownOption(key=z, text=z.split("/", 1)[1].replace("_", " ")) for z in (*NORDIC_ZONES, *rest)]


def details_fields(state: AppState, values: dict[str, str], set_value: Callable[[str, str], None]) -> list[ft.Control]:
    """Theme, place and link: only with the journal open, because only there are they kept encrypted."""
    if not state.unlocked:
        return [ft.Text(_("Theme, place and link are kept only in an encrypted journal, so they can be added "
                          "when your journal is open."), theme_style=ft.TextThemeStyle.BODY_SMALL)]
    return [
        section_title(_("Only in your encrypted journal (optional)")),
        field(state, _("Theme"), values["theme"], lambda v: set_value("theme", v), key="group-theme", password=False),
        field(state, _("Place"), values["place"], lambda v: set_value("place", v), key="group-place", password=False,
              helper=_("e.g. the address or the room")),
        field(state, _("Online link"), values["link"], lambda v: set_value("link", v), key="group-link",
              password=False),
    ]


@ft.component
def AddGroup(state: AppState) -> ft.Control:
    label, set_label = ft.use_state("")
    first, set_first = ft.use_state("")
    at, set_at = ft.use_state("18:00")
    every, set_every = ft.use_state("1")
    count, set_count = ft.use_state("")
    zone, set_zone = ft.use_state(state.default_zone())
    details, set_details = ft.use_state({"theme": "", "place": "", "link": ""})
    show_place, set_show_place = ft.use_state(False)

    def set_detail(name: str, value: str) -> None:
        set_details(lambda prev: {**prev, name: value})

    body: list[ft.Control] = [
        ft.Text(_("Only the meeting times and the name you choose are kept unencrypted, so nothing of that "
                  "says what the group is about.")),
        field(state, _("A name only you will recognise"), label, set_label, key="group-label", password=False,
              helper=_("e.g. Thursday")),
        field(state, _("First meeting (date)"), first, set_first, key="group-first", password=False,
              helper=_("e.g. {example}").format(example="2026-12-03")),
        field(state, _("Time"), at, set_at, key="group-at", password=False),
        dropdown(label=_("How often"), key="group-every", value=every,
                 on_select=lambda e: set_every(e.control.value),
                 options=[ft.DropdownOption(key="1", text=_("Every week")),
                          ft.DropdownOption(key="2", text=_("Every second week")),
                          ft.DropdownOption(key="3", text=_("Every third week"))]),
        field(state, _("Number of meetings"), count, set_count, key="group-count", password=False,
              helper=_("Leave empty if the group has no end date")),
        dropdown(label=_("Time zone where the group meets"), key="group-zone", value=zone, enable_filter=True,
                 editable=True, menu_height=320, on_select=lambda e: set_zone(e.control.value),
                 options=zone_options()),
        *details_fields(state, details, set_detail),
        *([ft.Checkbox(label=_("Show the place on the next-meeting card"), value=show_place, key="group-show-place",
                       on_change=lambda e: set_show_place(bool(e.control.value)))] if state.unlocked else []),
        ft.FilledButton(_("Add group"), key="save-group", on_click=lambda: state.add_group(
            label=label, first=first, at=at, every=int(every), count=count, zone=zone, show_place=show_place,
            **details)),
    ]
    return frame(state, _("Add a group"), body, nav=False,
                 back=lambda: state.go(Route.SETTINGS if state.unlocked else state.home_screen()))


INTERVAL_TEXT = {1: N_("Every week at {time}"), 2: N_("Every second week at {time}"),
                 3: N_("Every third week at {time}")}
UPCOMING_SHOWN = 6
PAST_SHOWN = 12


def meeting_subtitle(meeting: Meeting) -> str:
    if meeting.cancelled:
        return _("Cancelled")
    parts = []
    if meeting.number is not None:
        parts.append(_("Meeting {n} of {m}").format(n=meeting.number, m=meeting.total) if meeting.total
                     else _("Meeting {n}").format(n=meeting.number))
    if meeting.moved:
        parts.append(_("moved from {when}").format(when=format_when(meeting.original_start, own_zone=True)))
    return " · ".join(parts)


def schedule_summary(group: Group) -> list[ft.Control]:
    schedule = group.schedule
    lines = [_(INTERVAL_TEXT[schedule.interval]).format(time=format_clock(schedule.first_start))]
    meetings = schedule.meetings()
    if schedule.count is not None:
        held = schedule.count - sum(m.cancelled for m in meetings)
        lines.append(ngettext("A course of {n} meeting", "A course of {n} meetings", held).format(n=held))
    elif schedule.until is not None:
        lines.append(_("Until {date}").format(date=format_day(schedule.until)))
    cancelled = sum(m.cancelled for m in meetings)
    if cancelled:
        lines.append(ngettext("{n} meeting cancelled", "{n} meetings cancelled", cancelled).format(n=cancelled))
    lines.append(_("Times are in {zone}.").format(zone=schedule.zone))
    return [ft.Text(line) for line in lines]


def details_lines(details: GroupDetails | None) -> list[ft.Control]:
    if details is None:
        return []
    out: list[ft.Control] = []
    if details.theme:
        out.append(ft.Text(_("Theme: {theme}").format(theme=details.theme), key="group-theme-text"))
    if details.place:
        out.append(ft.Text(_("Place: {place}").format(place=details.place), key="group-place-text"))
    if details.link:
        out.append(ft.TextButton(details.link, icon=ft.Icons.LINK, url=details.link, key="group-link-open"))
    return out


@ft.component
def GroupView(state: AppState) -> ft.Control:
    """One group: its schedule, the coming meetings (each can be changed), calendar export, removal."""
    confirm_remove, set_confirm_remove = ft.use_state(False)
    group = state.current_group()
    back = lambda: state.go(Route.SETTINGS if state.unlocked else state.home_screen())  # noqa: E731
    if group is None:
        return frame(state, _("Group"), [ft.Text(_("This group is no longer in the app."))], nav=False, back=back)
    now = datetime.now(UTC)
    coming = [m for m in group.schedule.meetings() if m.end > now][:UPCOMING_SHOWN]

    async def export() -> None:
        name, data = state.calendar_file(group)
        try:
            await ft.FilePicker().save_file(dialog_title=_("Save the calendar file"), file_name=name,
                                            src_bytes=data)
        except Exception as exc:  # the platform's picker failed: say so, nothing else changes
            state.error = _("The calendar file could not be saved: {detail}").format(detail=exc)
            return
        state.notice = _("Open the calendar file to add every meeting to your calendar.")

    from app.views.leading import LeaderSection, link_status  # leading builds on this module's pieces

    details = state.group_details(group)
    body: list[ft.Control] = [*schedule_summary(group), *details_lines(details)]
    leader = state.unlocked and state.is_leader(group)
    if leader:  # first: at the meeting the leader opens this screen to show the invite
        body.append(LeaderSection(state, group, key=f"leader-{group.id}"))  # type: ignore[call-arg]
    if details is not None and details.place:
        body.append(ft.Checkbox(label=_("Show the place on the next-meeting card"), value=details.show_place,
                                key="show-place", on_change=lambda e: state.set_group_details(
                                    group, show_place=bool(e.control.value))))
    body.append(section_title(_("Coming meetings")))
    if not coming:
        body.append(ft.Text(_("No more meetings")))
    said = {r.meeting.id: r.status for r in history.rows} if (history := state.attendance(group)) else {}

    def subtitle(m: Meeting) -> str:
        return meeting_subtitle(m) + (" · " + _("you can't come") if said.get(m.id) == CANT_COME else "")

    body += [ft.ListTile(title=ft.Text(format_when(m.start, own_zone=True)), subtitle=ft.Text(subtitle(m)),
                         leading=ft.Icon(ft.Icons.EVENT_BUSY if m.cancelled else ft.Icons.EVENT),
                         trailing=ft.Icon(ft.Icons.EDIT_CALENDAR_OUTLINED), key=f"meeting-{m.id}",
                         on_click=lambda _e, m=m: state.go(Route.MEETING, meeting_id=m.id)) for m in coming]
    if state.unlocked and not leader:
        # keyed: an error shown above must not reset what the member chose in it
        body.append(HomeworkSection(state, group, details, key=f"homework-{group.id}"))  # type: ignore[call-arg]
    body += link_status(state, group)
    if not leader:
        body += attendance_section(state, group)
    body += [
        section_title(_("Calendar")),
        ft.Text(_("The calendar file holds the meeting times, your name for the group and reminders; nothing "
                  "about what the group is about.")),
        ft.OutlinedButton(_("Add to my calendar (.ics)"), icon=ft.Icons.CALENDAR_MONTH, key="export-ics",
                          on_click=export),
        section_title(_("Remove")),
    ]
    if confirm_remove:
        body += [ft.Text(_("Remove “{label}” from this app? Its meetings disappear from this device.")
                         .format(label=group.label)),
                 ft.Row([ft.FilledButton(_("Remove"), key="remove-group-confirm", on_click=state.remove_group),
                         ft.TextButton(_("Keep it"), key="remove-group-keep",
                                       on_click=lambda: set_confirm_remove(False))])]
    else:
        body.append(ft.OutlinedButton(_("Remove this group"), icon=ft.Icons.DELETE_OUTLINE, key="remove-group",
                                      on_click=lambda: set_confirm_remove(True)))
    return frame(state, group.label, body, nav=False, back=back)


@ft.component
def MeetingChange(state: AppState) -> ft.Control:
    """Move, cancel or restore one meeting in the member's own copy of the schedule."""
    group = state.current_group()
    meeting = None
    if group is not None and state.meeting_id:
        meeting = next((m for m in group.schedule.meetings() if m.id == state.meeting_id), None)
    start = meeting.start if meeting else datetime.now(UTC)
    day, set_day = ft.use_state(start.date().isoformat())
    at, set_at = ft.use_state(start.strftime("%H:%M"))
    back = lambda: state.go(Route.GROUP)  # noqa: E731
    if group is None or meeting is None:
        return frame(state, _("Change a meeting"), [ft.Text(_("This meeting is no longer in the app."))],
                     nav=False, back=back)
    body: list[ft.Control] = [
        ft.Text(format_when(meeting.start, own_zone=True), theme_style=ft.TextThemeStyle.TITLE_LARGE,
                key="meeting-when"),
        ft.Text(meeting_subtitle(meeting)),
        ft.Text(_("This changes only your own copy of the schedule, on this device.")),
    ]
    body += checkin_actions(state, group, meeting) if meeting.start > datetime.now(UTC) else []
    if not meeting.cancelled:
        body += [
            section_title(_("Move it")),
            field(state, _("New date"), day, set_day, key="move-day", password=False,
                  helper=_("e.g. {example}").format(example="2026-12-03")),
            field(state, _("New time"), at, set_at, key="move-at", password=False),
            ft.FilledButton(_("Move the meeting"), key="move-meeting",
                            on_click=lambda: state.change_meeting("move", day=day, at=at)),
            section_title(_("Call it off")),
            ft.OutlinedButton(_("Cancel this meeting"), icon=ft.Icons.EVENT_BUSY, key="cancel-meeting",
                              on_click=lambda: state.change_meeting("cancel")),
        ]
    if meeting.cancelled or meeting.moved:
        body.append(ft.OutlinedButton(
            _("Back to {when}").format(when=format_when(meeting.original_start, own_zone=True)),
            icon=ft.Icons.RESTORE, key="restore-meeting", on_click=lambda: state.change_meeting("restore")))
    return frame(state, _("Change a meeting"), body, nav=False, back=back)


@ft.component
def Guidelines(state: AppState) -> ft.Control:
    body: list[ft.Control] = [section_title(_("How the group works"))]
    body += [ft.Row([ft.Icon(ft.Icons.CHECK_CIRCLE_OUTLINE), ft.Text(_(g), expand=True)]) for g in GUIDELINES]
    after = Route.JOURNAL if state.unlocked else state.home_screen()
    body.append(ft.FilledButton(_("I understand"), key="guidelines-ok", on_click=lambda: state.go(after)))
    return frame(state, _("Group guidelines"), body, nav=False)


@ft.component
def Help(state: AppState) -> ft.Control:
    body: list[ft.Control] = [ft.Text(_("If you are in danger or thinking of hurting yourself, call now. "
                                        "You do not have to explain more than you want to."))]
    countries = sorted({line.country for line in state.profile.crisis_lines},
                       key=lambda c: (c != {"sv": "SE", "nb": "NO", "da": "DK"}.get(state.language), c))
    for country in countries:
        body.append(section_title(_(COUNTRY_NAMES.get(country, country))))
        for line in (item for item in state.profile.crisis_lines if item.country == country):
            body.append(ft.ListTile(
                leading=ft.Icon(ft.Icons.PHONE), title=ft.Text(line.name), subtitle=ft.Text(line.number),
                url=f"tel:{line.number.replace(' ', '')}", key=f"call-{country}-{line.number}"))
    return frame(state, _("Need help now?"), body, nav=False, back=lambda: state.go(state.back_to))
