"""The coordinator's view (issue 5): counts per group and meeting as a chart, follow-ups due, totals for the
year, and the funders' CSV. Counts only: the relay knows no people. The token is kept in memory only."""

from __future__ import annotations

from datetime import UTC, datetime

import flet as ft
import flet_charts as fch

from app.i18n import _, current, format_day
from app.views.common import busy_beside, field, frame, section_title, text_input
from app.views.states.coordinator import CoordinatorState
from app.views.states.session import SessionState
from protocol import GroupCounts, meeting_day

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


@ft.component
def Coordinator(coordinator: CoordinatorState, session: SessionState) -> ft.Control:
    relay, set_relay = ft.use_state(coordinator.relay_url())
    token, set_token = ft.use_state("")
    year, set_year = ft.use_state(str(datetime.now(UTC).year))
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
        *[ft.Text(_("{label}: {day}").format(label=g.label or g.mailbox[:8], day=format_day(due)),
                  key=f"follow-up-{g.mailbox}") for g, due in overview.follow_ups],
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
