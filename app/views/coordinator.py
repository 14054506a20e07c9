"""The coordinator's view (issue 5): counts per group and meeting as a chart, follow-ups due, totals for the
year, and the funders' CSV. Counts only: the relay knows no people. The token is kept in memory only. With the
region key in the open journal, "Groups forming" (issue 19 points 2 and 4): the interest in each group of the
region's list with the contacts opened on this device, "Start this group", and the would-be leaders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import flet as ft
import flet_charts as fch

from app.domain.catalogue import LANGUAGE_NAMES, shown
from app.i18n import N_, _, current, format_day, ngettext
from app.views.common import busy_beside, field, frame, section_title, selectable_text, text_input
from app.views.states.coordinator import CoordinatorState
from app.views.states.session import SessionState
from protocol import CatalogueEntry, GroupCounts, Request, meeting_day

ANSWERS = {"yes": N_("Yes"), "maybe": N_("Maybe")}

CHECKINS_COLOR = ft.Colors.TEAL
HEAD_COUNT_COLOR = ft.Colors.DEEP_ORANGE_300


def attendance_chart(group: GroupCounts) -> ft.Control:
    """Check-ins and head counts per meeting, side by side; labelled for screen readers with the numbers."""
    meetings = sorted(group.meetings.items())[-12:]
    top = max([max(c, h or 0) for _m, (c, h) in meetings] + [4])
    groups = [fch.BarChartGroup(x=i, rods=[
        fch.BarChartRod(to_y=checkins, width=10, color=CHECKINS_COLOR,
                        tooltip=_("{n} checked in").format(n=checkins)),
        fch.BarChartRod(to_y=head or 0, width=10, color=HEAD_COUNT_COLOR,
                        tooltip=_("head count {n}").format(n="-" if head is None else head)),
    ]) for i, (_meeting, (checkins, head)) in enumerate(meetings)]
    labels = [fch.ChartAxisLabel(value=i, label=ft.Text(format_day(meeting_day(m)), size=10))
              for i, (m, _c) in enumerate(meetings)]
    spoken = "; ".join(_("{day}: {checkins} checked in, head count {head}").format(
        day=format_day(meeting_day(m)), checkins=c, head="-" if h is None else h) for m, (c, h) in meetings)
    chart = fch.BarChart(groups=groups, max_y=top + 1, height=220, interactive=True,
                         bottom_axis=fch.ChartAxis(labels=labels, label_size=36),
                         left_axis=fch.ChartAxis(label_size=32),
                         horizontal_grid_lines=fch.ChartGridLines(interval=1, width=0.4))
    return ft.Semantics(label=spoken or _("No meetings counted yet"), content=chart)


def _legend() -> ft.Control:
    def item(color: str, text: str) -> ft.Control:
        return ft.Row([ft.Container(width=14, height=14, bgcolor=color, border_radius=3), ft.Text(text)], spacing=6)

    return ft.Row([item(CHECKINS_COLOR, _("Checked in with the app")),
                   item(HEAD_COUNT_COLOR, _("Leader's head count"))], wrap=True, spacing=16)


def _who(request: Request) -> str:
    """A contact as the person gave it, with the language they use the app in."""
    return f"{request.contact} · {LANGUAGE_NAMES.get(request.language, request.language)}"


def _no_contact(n: int) -> str:
    return ngettext("{n} with no contact: reached through the app", "{n} with no contact: reached through the app",
                    n).format(n=n)


def _start_form(coordinator: CoordinatorState, session: SessionState, entry: CatalogueEntry, invite: str,
                set_invite: Callable[[str], None]) -> list[ft.Control]:
    async def send() -> None:
        if await coordinator.start(entry, invite):
            set_invite("")

    link = field(session, _("Invite link from the starter"), invite, set_invite, key="coord-start-invite",
                 password=False, helper=_("The person who will start the group makes it in their app: Start a group "
                                          "as its leader, then an invite. It goes, sealed, to everyone interested."))
    return [
        ft.Row([ft.Container(link, expand=True)]),  # as wide as the card: a link is long
        ft.Row([ft.FilledButton(_("Send the invite"), icon=ft.Icons.SEND, key="coord-start-send",
                                disabled=bool(session.busy), on_click=send),
                ft.TextButton(_("Cancel"), key="coord-start-cancel", on_click=coordinator.cancel_start)],
               wrap=True, spacing=8),
        *busy_beside(session, "coord-start-send"),
    ]


def _entry_interest(coordinator: CoordinatorState, session: SessionState, entry: CatalogueEntry,
                    requests: list[Request], invite: str, set_invite: Callable[[str], None]) -> ft.Control:
    """One group of the list: what it is, how many are interested, the contacts given, and "Start this group"."""
    lines = shown(entry, current())
    reached = [r for r in requests if r.contact]
    unreached = len(requests) - len(reached)
    count = ngettext("{n} person interested", "{n} people interested", len(requests)).format(n=len(requests))
    controls: list[ft.Control] = [
        ft.Text(lines.title, theme_style=ft.TextThemeStyle.TITLE_MEDIUM),
        ft.Text(" · ".join((lines.where, lines.when, lines.language))),
        ft.Text(lines.status),
        ft.Row([ft.Icon(ft.Icons.FAVORITE_BORDER, size=18),
                ft.Text(count, key=f"coord-count-{entry.id}", weight=ft.FontWeight.W_600, expand=True)], spacing=8),
        *[selectable_text(_who(r), key=f"coord-contact-{entry.id}-{i}") for i, r in enumerate(reached)],
        *([ft.Text(_no_contact(unreached), key=f"coord-unreached-{entry.id}")] if unreached else []),
    ]
    if entry.status == "forming" and coordinator.starting == entry.id:
        controls += _start_form(coordinator, session, entry, invite, set_invite)
    elif entry.status == "forming":
        controls.append(ft.Row([ft.OutlinedButton(_("Start this group"), icon=ft.Icons.ROCKET_LAUNCH_OUTLINED,
                                                  key=f"coord-start-{entry.id}", disabled=bool(session.busy),
                                                  on_click=lambda: coordinator.ask_start(entry))], wrap=True))
    return ft.Card(ft.Container(ft.Column(controls, spacing=6), padding=16), key=f"coord-entry-{entry.id}")


def _forming(coordinator: CoordinatorState, session: SessionState, invite: str,
             set_invite: Callable[[str], None]) -> list[ft.Control]:
    """"Groups forming", when the open journal holds the region key (else nothing)."""
    if coordinator.publisher is None and not coordinator.forming_problem:
        return []
    forming = coordinator.forming
    out: list[ft.Control] = [
        section_title(_("Groups forming")),
        ft.Text(_("Who is interested in each group of your region's list. The requests are opened on this device "
                  "only: the relay keeps them locked.")),
    ]
    if coordinator.forming_problem:
        out.append(ft.Text(coordinator.forming_problem, key="coord-forming-problem"))
    if forming is not None and not forming.listed:
        out.append(ft.Text(_("Your region has not published a list of groups yet."), key="coord-forming-none"))
    for entry, requests in forming.entries if forming is not None else []:
        out.append(_entry_interest(coordinator, session, entry, requests, invite, set_invite))
    if forming is not None and forming.unreadable:
        out.append(ft.Text(ngettext("{n} request could not be opened with this journal's region key.",
                                    "{n} requests could not be opened with this journal's region key.",
                                    forming.unreadable).format(n=forming.unreadable), key="coord-unreadable"))
    if forming is not None and forming.listed:
        out.append(section_title(_("Would lead a group one day")))
        for i, leader in enumerate(forming.leaders):
            answer = _(ANSWERS.get(leader.answer, N_("Yes")))
            reach = _who(leader) if leader.contact else _("no contact given")
            words = f"{answer} · {reach}"
            out.append(selectable_text(words, key=f"coord-leader-{i}"))
        if not forming.leaders:
            out.append(ft.Text(_("Nobody has said so yet."), key="coord-no-leaders"))

    async def again() -> None:
        await coordinator.load_forming()

    out += [ft.Row([ft.OutlinedButton(_("Fetch again"), icon=ft.Icons.REFRESH, key="coord-forming-refresh",
                                      disabled=bool(session.busy), on_click=again)], wrap=True),
            *busy_beside(session, "coord-forming-refresh")]
    return out


@ft.component
def FollowUpForm(coordinator: CoordinatorState, session: SessionState, mailbox: str, due: date) -> ft.Control:
    """When, and where, the follow-up with one group is: announced to that group alone."""
    day, set_day = ft.use_state(due.isoformat())
    time, set_time = ft.use_state("18:00")
    place, set_place = ft.use_state("")

    async def send() -> None:
        await coordinator.schedule(mailbox, day, time, place)

    return ft.Column([
        field(session, _("Day (YYYY-MM-DD)"), day, set_day, key="coord-follow-up-day", password=False),
        field(session, _("Time (HH:MM)"), time, set_time, key="coord-follow-up-time", password=False),
        field(session, _("Place (empty: online)"), place, set_place, key="coord-follow-up-place", password=False),
        ft.Row([ft.FilledButton(_("Announce it to the group"), icon=ft.Icons.CAMPAIGN_OUTLINED,
                                key="coord-follow-up-send", disabled=bool(session.busy), on_click=send),
                ft.TextButton(_("Cancel"), on_click=lambda: coordinator.ask_schedule(""))], wrap=True),
        *busy_beside(session, "coord-follow-up-send"),
    ], spacing=8)


def _follow_up(coordinator: CoordinatorState, session: SessionState, group: GroupCounts, due: date,
               ) -> list[ft.Control]:
    line: list[ft.Control] = [ft.Text(_("{label}: {day}").format(label=group.label or group.mailbox[:8],
                                                                  day=format_day(due)),
                                      key=f"follow-up-{group.mailbox}")]
    if coordinator.publisher is None:  # no region key in this journal: nothing to announce with
        return line
    if coordinator.scheduling == group.mailbox:
        return [*line, FollowUpForm(coordinator, session, group.mailbox, due)]
    return [*line, ft.TextButton(_("Announce the follow-up to the group"), icon=ft.Icons.CAMPAIGN_OUTLINED,
                                 key=f"coord-follow-up-{group.mailbox}",
                                 on_click=lambda: coordinator.ask_schedule(group.mailbox))]


@ft.component
def Coordinator(coordinator: CoordinatorState, session: SessionState) -> ft.Control:
    relay, set_relay = ft.use_state(coordinator.relay_url())
    token, set_token = ft.use_state("")
    year, set_year = ft.use_state(str(datetime.now(UTC).year))
    invite, set_invite = ft.use_state("")
    overview = coordinator.overview

    async def show() -> None:
        await coordinator.open(relay, token)
        set_token("")

    async def export() -> None:
        try:
            chosen = int(year)
        except ValueError:
            session.fail({"coord-year": _("The year is a number, like {year}.").format(year=datetime.now(UTC).year)})
            return
        text = await coordinator.csv(chosen)
        if text is None:
            return
        try:
            await ft.FilePicker().save_file(dialog_title=_("Save the export"),
                                            file_name=f"kraft-attendance-{chosen}.csv", src_bytes=text.encode("utf-8"))
        except Exception as exc:
            session.error = _("The file could not be saved: {detail}").format(detail=exc)
            return
        session.notice = _("Cells under 3 are left empty, with the cells that would give them away.")

    back = coordinator.close
    if overview is None:
        body: list[ft.Control] = [
            ft.Text(_("For the region's coordinator: how many came to each group's meetings, never who. "
                      "The token is kept only while this screen is open.")),
            field(session, _("Relay address"), relay, set_relay, key="coord-relay", password=False),
            field(session, _("Coordinator token"), token, set_token, key="coord-token"),
            ft.FilledButton(_("Show the counts"), key="coord-open", disabled=bool(session.busy), on_click=show),
            *busy_beside(session, "coord-open"),
        ]
        return frame(session, _("Coordinator"), body, nav=False, back=back)
    totals = overview.totals
    body = [
        section_title(_("This year")),
        ft.Text(totals.describe(current()), key="coord-totals"),
        section_title(_("Follow-ups due")),
        *[line for g, due in overview.follow_ups for line in _follow_up(coordinator, session, g, due)],
        *_forming(coordinator, session, invite, set_invite),
        section_title(_("Attendance per meeting")),
        _legend(),
    ]
    for group in sorted(overview.groups, key=lambda g: (g.region, g.label)):
        body += [ft.Text(f"{group.label or group.mailbox[:8]} · {group.region or '-'}",
                         theme_style=ft.TextThemeStyle.TITLE_SMALL), attendance_chart(group)]
    if not overview.groups:
        body.append(ft.Text(_("No groups are registered for your region yet.")))
    body += [
        section_title(_("Export for funders")),
        ft.Row([text_input(_("Year"), year, lambda e: set_year(e.control.value), key="coord-year", width=120,
                           error=session.field_error("coord-year") or None),
                ft.FilledButton(_("Download the CSV"), icon=ft.Icons.DOWNLOAD, key="coord-export",
                                disabled=bool(session.busy), on_click=export)]),
        *busy_beside(session, "coord-export"),
        ft.Text(_("By region and quarter. Cells under 3 are left empty, with the cells that would give them away."),
                theme_style=ft.TextThemeStyle.BODY_SMALL),
    ]
    return frame(session, _("Coordinator"), body, nav=False, back=back)
