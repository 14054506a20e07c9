"""Joining a group from an invite, and starting a group as its leader (the leader's part of the group screen
is in app/views/widgets/linked.py)."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from app.i18n import _, format_when
from app.services.groups import Group
from app.views.common import busy_beside, dropdown, field, frame, option, section_title, text_input
from app.views.routes import Route
from app.views.states.hosting import HostingState
from app.views.states.session import SessionState
from app.views.widgets.pickers import date_field, time_field
from app.views.widgets.schedule import GUIDELINES, schedule_summary
from app.views.widgets.zones import ZonePicker


def _preview_card(hosting: HostingState) -> list[ft.Control]:
    preview = hosting.invite_preview
    if preview is None:
        return []
    group = Group(id="", label=preview.label, schedule=preview.schedule)
    guidelines = [preview.guidelines] if preview.guidelines else [_(g) for g in GUIDELINES]
    first = preview.schedule.next_meeting(preview.schedule.first_start)
    controls: list[ft.Control] = [
        section_title(preview.label),
        *schedule_summary(group),
        *([ft.Text(_("First meeting: {when}").format(when=format_when(first.start, own_zone=True)))] if first else []),
        *([ft.Text(_("Theme: {theme}").format(theme=preview.theme))] if preview.theme else []),
        section_title(_("How the group works")),
        *[ft.Row([ft.Icon(ft.Icons.CHECK_CIRCLE_OUTLINE), ft.Text(line, expand=True)]) for line in guidelines],
    ]
    return [ft.Container(ft.Column(controls, spacing=8), key="invite-preview", padding=12, border_radius=8,
                         bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST)]


def _no_journal_note(session: SessionState) -> list[ft.Control]:
    """Before a member without a journal joins: what this phone would then give away if lost (the group's
    keys, the name, check-ins are kept unlocked; docs/adr/0005-anonymous-attendance.md), and the way out."""
    if session.service.has_vault():
        return []
    note = _("You have no journal on this phone, so what joining keeps here is not locked. If the phone is "
             "lost, whoever has it could read what the group sends you, the name you give here and which "
             "meetings you check in to. The theme and the guidelines are shown now and not kept. To lock it "
             "all with a passphrase, create your journal first.")
    on = ft.Colors.ON_SECONDARY_CONTAINER
    return [
        ft.Container(ft.Row([ft.Icon(ft.Icons.INFO_OUTLINE, color=on),
                             ft.Text(note, key="join-no-journal", expand=True, color=on)]),
                     padding=12, border_radius=8, bgcolor=ft.Colors.SECONDARY_CONTAINER),
        ft.TextButton(_("Create my journal"), icon=ft.Icons.LOCK_OUTLINE, key="join-make-journal",
                      on_click=lambda: session.router.navigate(Route.SETUP)),
    ]


@ft.component
def JoinGroup(hosting: HostingState, session: SessionState) -> ft.Control:
    """Paste the leader's link (or type the join code), read what the group is and its guidelines, then join."""
    given, set_given = ft.use_state(hosting.invite_text)
    name, set_name = ft.use_state("")
    back = hosting.close_join

    async def check() -> None:
        await hosting.read_invite(given)

    async def join() -> None:
        await hosting.join_group(name)

    helper = (_("The link the leader shared, or the code on the board, e.g. ABCDE-12345")
              if hosting.relay_url() else _("The link the leader shared"))
    body: list[ft.Control] = [
        ft.Text(_("Your group leader shares an invite at the first meeting: a QR code, a link or a short code.")),
        field(session, _("Invite link or join code"), given, set_given, key="invite-text", password=False,
              helper=helper),
        ft.FilledButton(_("Check the invite"), key="check-invite", disabled=bool(session.busy),
                        on_click=check),
        *busy_beside(session, "check-invite"),
    ]
    if hosting.invite_preview is not None:
        body += _preview_card(hosting)
        body += [
            field(session, _("Your name for the leader (optional)"), name, set_name, key="join-name", password=False,
                  helper=_("Only the leader sees it. Leave it empty to stay anonymous.")),
            ft.Text(_("Joining keeps the meeting times on this device and tells the leader, encrypted, that "
                      "someone joined. Nothing you write in your journal is ever sent."),
                    theme_style=ft.TextThemeStyle.BODY_SMALL),
            *_no_journal_note(session),
            ft.FilledButton(_("I accept the guidelines, join"), key="join-group", disabled=bool(session.busy),
                            on_click=join),
            *busy_beside(session, "join-group"),
        ]
    return frame(session, _("Join a group"), body, nav=False, back=back)


@ft.component
def LeadGroup(hosting: HostingState, session: SessionState) -> ft.Control:
    """Start a group as its leader: schedule, theme, guidelines and the coordinator's enrolment code."""
    values, set_values = ft.use_state({"label": "", "first": "", "at": "18:00", "every": "1", "count": "",
                                       "zone": session.default_zone(), "theme": "", "guidelines": "",
                                       "enrolment": ""})

    def setter(name: str) -> Callable[[str], None]:
        return lambda value: set_values(lambda prev: {**prev, name: value})

    relay = hosting.relay_url()
    body: list[ft.Control] = [
        ft.Text(_("As the leader you send the homework and any change of meeting to every member's phone, "
                  "end-to-end encrypted. The group's keys are kept in your journal.")),
        field(session, _("A neutral name members see"), values["label"], setter("label"), key="lead-label",
              password=False, helper=_("e.g. Tuesday group")),
        date_field(session, _("First meeting (date)"), values["first"], setter("first"), key="lead-first",
                   helper=_("e.g. {example}").format(example="2026-12-03")),
        time_field(session, _("Time"), values["at"], setter("at"), key="lead-at"),
        dropdown(label=_("How often"), key="lead-every", value=values["every"],
                 on_change=lambda e: setter("every")(e.control.value),
                 options=[option("1", _("Every week")),
                          option("2", _("Every second week")),
                          option("3", _("Every third week"))]),
        field(session, _("Number of meetings"), values["count"], setter("count"), key="lead-count", password=False,
              label_above=True, helper=_("Leave empty if the group has no end date")),
        ZonePicker(values["zone"], setter("zone"), zone_key="lead-zone", error=session.field_error("lead-zone-other")),
        field(session, _("Theme"), values["theme"], setter("theme"), key="lead-theme", password=False,
              helper=_("Sent to members encrypted; the relay cannot read it.")),
        text_input(_("The group's guidelines (optional)"), values["guidelines"],
                   lambda e: setter("guidelines")(e.control.value), key="lead-guidelines", multiline=True,
                   min_lines=3, helper=_("Leave empty to use Kraft's guidelines.")),
    ]
    if relay:
        body.append(field(session, _("Enrolment code from your coordinator"), values["enrolment"],
                          setter("enrolment"), key="lead-enrolment", password=False))
    else:
        body.append(ft.Text(_("No relay is set up for this app, so invites and homework travel as links only."),
                            theme_style=ft.TextThemeStyle.BODY_SMALL))
    body.append(ft.FilledButton(_("Start the group"), key="lead-save", on_click=lambda: hosting.lead_group(
        label=values["label"], theme=values["theme"], guidelines=values["guidelines"],
        enrolment=values["enrolment"], schedule_form=dict(first=values["first"], at=values["at"],
                                                          every=int(values["every"]), count=values["count"],
                                                          zone=values["zone"]))))
    return frame(session, _("Start a group as its leader"), body, nav=False,
                 back=lambda: session.router.back(Route.SETTINGS))


