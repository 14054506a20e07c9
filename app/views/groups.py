"""The group screens: adding a group, one group (schedule, homework, attendance), changing a meeting, and
the group's guidelines. Pieces other screens show too live in app/views/widgets/."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import flet as ft

from app.domain.prompts import PROMPTS, get_prompt
from app.domain.schedule import Meeting
from app.i18n import _, current, format_when
from app.services.checkin import ATTENDED, CANT_COME
from app.services.groups import Group, GroupDetails
from app.views.common import dropdown, field, frame, long_dropdown, option, section_title, tick
from app.views.routes import Route
from app.views.states import guidelines
from app.views.states.choosing import ChoosingState
from app.views.states.groups import GroupsState
from app.views.states.homework import HomeworkState
from app.views.states.hosting import HostingState
from app.views.states.journal import JournalState
from app.views.states.membership import MembershipState
from app.views.states.session import SessionState
from app.views.widgets.course_end import CourseEndSection
from app.views.widgets.homework import homework_card
from app.views.widgets.linked import LeaderSection, link_status, waiting_to_be_let_in
from app.views.widgets.meeting import checkin_actions
from app.views.widgets.pickers import date_field, time_field
from app.views.widgets.roles import HostControls, TakingPart, UpgradeGroup
from app.views.widgets.schedule import GUIDELINES, details_lines, meeting_subtitle, schedule_summary
from app.views.widgets.themes import ThemesSection
from app.views.widgets.zones import ZonePicker

UPCOMING_SHOWN = 6
PAST_SHOWN = 12


def attendance_section(groups: GroupsState, group: Group) -> list[ft.Control]:
    """The member's own attendance: the meetings that have begun, newest first, each can be checked in."""
    history = groups.attendance(group)
    if history is None:
        return [section_title(_("My attendance")),
                ft.Text(_("Unlock your journal to see and change your check-ins: they are kept encrypted in it."))]
    past = [row for row in history.rows if row.meeting.start <= datetime.now(UTC)][:PAST_SHOWN]
    if not past:
        return []
    out: list[ft.Control] = [
        section_title(_("My attendance")),
        ft.Text(history.summary(), key="attendance-summary")]
    for row in past:
        meeting = row.meeting
        if row.status == ATTENDED:
            action = ft.TextButton(_("Take it back"), key=f"undo-checkin-{meeting.id}",
                                   on_click=lambda _e, m=meeting: groups.check_in(group, m.id, None))
        else:
            action = ft.TextButton(_("I was there"), key=f"checkin-{meeting.id}",
                                   on_click=lambda _e, m=meeting: groups.check_in(group, m.id, ATTENDED))
        said = {ATTENDED: _("You were there"), CANT_COME: _("You couldn't come")}.get(row.status or "", "")
        out.append(ft.ListTile(title=ft.Text(format_when(meeting.start, own_zone=True)),
                               subtitle=ft.Text(said) if said else None, trailing=action,
                               leading=ft.Icon(ft.Icons.HOW_TO_REG if row.status == ATTENDED
                                               else ft.Icons.EVENT_AVAILABLE_OUTLINED)))
    return out


@ft.component
def HomeworkSection(groups: GroupsState, journal: JournalState, session: SessionState, group: Group,
                    details: GroupDetails | None) -> ft.Control:
    """The homework for the next meeting, as the member noted it, and the way to answer it."""
    details = details or GroupDetails()
    choice, set_choice = ft.use_state(details.homework_prompt_id or ("own" if details.homework_text else "strengths"))
    words, set_words = ft.use_state(details.homework_text)
    controls: list[ft.Control] = [section_title(_("Homework for the next meeting"))]
    if details.has_homework:
        prompt = get_prompt(details.homework_prompt_id) if details.homework_prompt_id else None
        question = prompt.label(current()) if prompt else details.homework_text
        controls += [
            ft.Text(question, italic=True, key="homework-text"),
            ft.Row([ft.FilledButton(_("Answer it"), icon=ft.Icons.EDIT, key="answer-homework",
                                    on_click=lambda: journal.open_editor(
                                        prompt_id=prompt.id if prompt else None,
                                        prompt_text=None if prompt else details.homework_text)),
                    ft.TextButton(_("It is done, clear it"), key="clear-homework",
                                  on_click=lambda: groups.clear_homework(group))], wrap=True)]
    controls += [
        long_dropdown(label=_("What the group was asked"), key="homework-choice", value=choice,
                      error=session.field_error("homework-choice") or None,
                      on_change=lambda e: set_choice(e.control.value),
                      choices=[*[(p.id, p.label(current())) for p in PROMPTS],
                               ("own", _("In the group's own words…"))]),
    ]
    if choice == "own":
        controls.append(field(session, _("The homework, as the group was given it"), words, set_words,
                              key="homework-own", password=False))
    controls.append(ft.OutlinedButton(_("Note the homework"), key="save-homework",
                                      on_click=lambda: groups.set_homework(group, choice, words)))
    return ft.Column(controls, spacing=12)


def details_fields(session: SessionState, values: dict[str, str],
                   set_value: Callable[[str, str], None]) -> list[ft.Control]:
    """Theme, place and link: only with the journal open, because only there are they kept encrypted."""
    if not session.unlocked:
        return [ft.Text(_("Theme, place and link are kept only in an encrypted journal, so they can be added "
                          "when your journal is open."), theme_style=ft.TextThemeStyle.BODY_SMALL)]
    return [
        section_title(_("Only in your encrypted journal (optional)")),
        field(session, _("Theme"), values["theme"], lambda v: set_value("theme", v), key="group-theme", password=False),
        field(session, _("Place"), values["place"], lambda v: set_value("place", v), key="group-place", password=False,
              helper=_("e.g. the address or the room")),
        field(session, _("Online link"), values["link"], lambda v: set_value("link", v), key="group-link",
              password=False, label_above=True),
    ]


@ft.component
def AddGroup(groups: GroupsState, session: SessionState) -> ft.Control:
    label, set_label = ft.use_state("")
    first, set_first = ft.use_state("")
    at, set_at = ft.use_state("18:00")
    every, set_every = ft.use_state("1")
    count, set_count = ft.use_state("")
    zone, set_zone = ft.use_state(session.default_zone())
    details, set_details = ft.use_state({"theme": "", "place": "", "link": ""})
    show_place, set_show_place = ft.use_state(False)

    def set_detail(name: str, value: str) -> None:
        set_details(lambda prev: {**prev, name: value})

    body: list[ft.Control] = [
        ft.Text(_("Only the meeting times and the name you choose are kept unencrypted, so nothing of that "
                  "says what the group is about.")),
        # short labels: a field's label has one line, and a long one wrapped over the field at 200 % text
        field(session, _("Name"), label, set_label, key="group-label", password=False,
              helper=_("A name only you will recognise, e.g. Thursday")),
        date_field(session, _("First meeting"), first, set_first, key="group-first",
                   helper=_("The date, e.g. {example}").format(example="2026-12-03")),
        time_field(session, _("Time"), at, set_at, key="group-at"),
        dropdown(label=_("How often"), key="group-every", value=every,
                 on_change=lambda e: set_every(e.control.value),
                 options=[option("1", _("Every week")),
                          option("2", _("Every second week")),
                          option("3", _("Every third week"))]),
        field(session, _("Number of meetings"), count, set_count, key="group-count", password=False, label_above=True,
              helper=_("Leave empty if the group has no end date")),
        ZonePicker(zone, set_zone, zone_key="group-zone", error=session.field_error("group-zone-other")),
        *details_fields(session, details, set_detail),
        *([tick(_("Show the place on the next-meeting card"), value=show_place, key="group-show-place",
                on_change=lambda e: set_show_place(bool(e.control.value)))] if session.unlocked else []),
        ft.FilledButton(_("Add group"), key="save-group", on_click=lambda: groups.add_group(
            label=label, first=first, at=at, every=int(every), count=count, zone=zone, show_place=show_place,
            **details)),
    ]
    return frame(session, _("Add a group"), body, nav=False,
                 back=lambda: session.router.back(Route.SETTINGS if session.unlocked else session.home_screen()))


@ft.component
def GroupView(groups: GroupsState, hosting: HostingState, membership: MembershipState, journal: JournalState,
              homework: HomeworkState, session: SessionState, choosing: ChoosingState | None = None) -> ft.Control:
    """One group: its schedule, its homework, the coming meetings (each can be changed), calendar export,
    removal."""
    confirm_remove, set_confirm_remove = ft.use_state(False)
    group = groups.current_group()
    back = lambda: session.router.back(Route.SETTINGS if session.unlocked else session.home_screen())  # noqa: E731
    if group is None:
        return frame(session, _("Group"), [ft.Text(_("This group is no longer in the app."))], nav=False, back=back)
    now = datetime.now(UTC)
    coming = [m for m in group.schedule.meetings() if m.end > now][:UPCOMING_SHOWN]

    async def export() -> None:
        name, data = groups.calendar_file(group)
        try:
            await ft.FilePicker().save_file(dialog_title=_("Save the calendar file"), file_name=name,
                                            src_bytes=data)
        except Exception as exc:  # the platform's picker failed: say so, nothing else changes
            session.error = _("The calendar file could not be saved: {detail}").format(detail=exc)
            return
        session.notice = _("Open the calendar file to add every meeting to your calendar.")

    details = groups.group_details(group)
    body: list[ft.Control] = [*waiting_to_be_let_in(hosting, group), *schedule_summary(group), *details_lines(details)]
    leader = session.unlocked and hosting.is_leader(group)
    if leader:  # first: at the meeting the leader opens this screen to show the invite
        body.append(LeaderSection(hosting, group, key=f"leader-{group.id}"))  # type: ignore[call-arg]
    taking_part = membership.takes_part(group)
    if leader and taking_part and not membership.has_left(group):
        body.append(HostControls(membership, group, key=f"hosts-{group.id}"))  # type: ignore[call-arg]
    elif leader and membership.can_upgrade(group):
        body.append(UpgradeGroup(membership, group, key=f"upgrade-{group.id}"))  # type: ignore[call-arg]
    if session.unlocked and choosing is not None and taking_part and not membership.has_left(group):
        body.append(CourseEndSection(choosing, journal, group, key=f"course-{group.id}"))  # type: ignore[call-arg]
        body.append(ThemesSection(choosing, group, leader, key=f"themes-{group.id}"))  # type: ignore[call-arg]
    if session.unlocked and coming:  # whoever hosts today runs the meeting from here (issue 18)
        body.append(ft.FilledTonalButton(_("Today's meeting"), icon=ft.Icons.TIMER_OUTLINED, key="today-meeting",
                                         on_click=lambda: session.router.navigate(Route.TODAY, group=group.id)))
    if details is not None and details.place:
        body.append(tick(_("Show the place on the next-meeting card"), value=details.show_place,
                         key="show-place", on_change=lambda e: groups.set_group_details(
                                    group, show_place=bool(e.control.value))))
    if session.unlocked and not leader:  # the homework above the meetings: it is what the member acts on
        # keyed: an error shown above must not reset what the member chose in it
        body.append(HomeworkSection(groups, journal, session, group, details, key=f"homework-{group.id}"))  # type: ignore[call-arg]
    elif not session.unlocked:  # sent by the group, unread: say so, and how to read it
        body += [homework_card(homework, item, with_group=False) for item in homework.current(group.id)]
    body.append(section_title(_("Coming meetings")))
    if not coming:
        body.append(ft.Text(_("No more meetings")))
    said = {r.meeting.id: r.status for r in history.rows} if (history := groups.attendance(group)) else {}

    def subtitle(m: Meeting) -> str:
        return meeting_subtitle(m) + (" · " + _("you can't come") if said.get(m.id) == CANT_COME else "")

    body += [ft.ListTile(title=ft.Text(format_when(m.start, own_zone=True)), subtitle=ft.Text(subtitle(m)),
                         leading=ft.Icon(ft.Icons.EVENT_BUSY if m.cancelled else ft.Icons.EVENT),
                         trailing=ft.Icon(ft.Icons.EDIT_CALENDAR_OUTLINED), key=f"meeting-{m.id}",
                         on_click=lambda _e, m=m: session.router.navigate(Route.MEETING, group=group.id, id=m.id))
             for m in coming]
    body += link_status(hosting, group)
    if taking_part:
        body.append(TakingPart(membership, group, key=f"taking-part-{group.id}"))  # type: ignore[call-arg]
    if not leader:
        body += attendance_section(groups, group)
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
                 ft.Row([ft.FilledButton(_("Remove"), key="remove-group-confirm", on_click=groups.remove_group),
                         ft.TextButton(_("Keep it"), key="remove-group-keep",
                                       on_click=lambda: set_confirm_remove(False))])]
    else:
        body.append(ft.OutlinedButton(_("Remove this group"), icon=ft.Icons.DELETE_OUTLINE, key="remove-group",
                                      on_click=lambda: set_confirm_remove(True)))
    # the group's own name heads the body, where it has the whole width: in the app bar, beside Back, Help and
    # Exit, a one-word name ("Samtalsgruppen") broke inside it at 360 px and 200 % text
    name = ft.Semantics(header=True, content=ft.Text(group.label, theme_style=ft.TextThemeStyle.TITLE_LARGE,
                                                     key="group-name"))
    return frame(session, _("Group"), [name, *body], nav=False, back=back)


@ft.component
def MeetingChange(groups: GroupsState, session: SessionState) -> ft.Control:
    """Move, cancel or restore one meeting: in the member's own copy of the schedule, or the group's (its leader)."""
    group = groups.current_group()
    meeting = None
    meeting_id = session.router.param("id")
    if group is not None and meeting_id:
        meeting = next((m for m in group.schedule.meetings() if m.id == meeting_id), None)
    start = meeting.start if meeting else datetime.now(UTC)
    day, set_day = ft.use_state(start.date().isoformat())
    at, set_at = ft.use_state(start.strftime("%H:%M"))
    back = lambda: session.router.back(Route.GROUP, id=session.router.param("group") or "")  # noqa: E731
    if group is None or meeting is None:
        return frame(session, _("Change a meeting"), [ft.Text(_("This meeting is no longer in the app."))],
                     nav=False, back=back)
    body: list[ft.Control] = [
        ft.Text(format_when(meeting.start, own_zone=True), theme_style=ft.TextThemeStyle.TITLE_LARGE,
                key="meeting-when"),
        ft.Text(meeting_subtitle(meeting)),
        ft.Text(_("You lead this group: the group will see the new time, or that the meeting is called off.")
                if groups.shares_schedule(group) else _("This changes only your own copy of the schedule, on this "
                                                        "device."), key="meeting-change-reach"),
    ]
    body += checkin_actions(groups, group, meeting) if meeting.start > datetime.now(UTC) else []
    if not meeting.cancelled:
        body += [
            section_title(_("Move it")),
            date_field(session, _("New date"), day, set_day, key="move-day",
                       helper=_("e.g. {example}").format(example="2026-12-03")),
            time_field(session, _("New time"), at, set_at, key="move-at"),
            ft.FilledButton(_("Move the meeting"), key="move-meeting",
                            on_click=lambda: groups.change_meeting("move", day=day, at=at)),
            section_title(_("Call it off")),
            ft.OutlinedButton(_("Cancel this meeting"), icon=ft.Icons.EVENT_BUSY, key="cancel-meeting",
                              on_click=lambda: groups.change_meeting("cancel")),
        ]
    if meeting.cancelled or meeting.moved:
        body.append(ft.OutlinedButton(
            _("Back to {when}").format(when=format_when(meeting.original_start, own_zone=True)),
            icon=ft.Icons.RESTORE, key="restore-meeting", on_click=lambda: groups.change_meeting("restore")))
    return frame(session, _("Change a meeting"), body, nav=False, back=back)


@ft.component
def Guidelines(session: SessionState) -> ft.Control:
    """The guidelines of a group just added; they stay until "I understand", a reload in between included."""
    body: list[ft.Control] = [section_title(_("How the group works"))]
    body += [ft.Row([ft.Icon(ft.Icons.CHECK_CIRCLE_OUTLINE), ft.Text(_(g), expand=True)]) for g in GUIDELINES]
    body.append(ft.FilledButton(_("I understand"), key="guidelines-ok",
                                on_click=lambda: guidelines.understood(session)))
    return frame(session, _("Group guidelines"), body, nav=False)


