"""Help now: the region's crisis lines, the member's own country first."""

from __future__ import annotations

import flet as ft

from app.errors import KraftError
from app.i18n import N_, _
from app.services.my_round import short_version
from app.views.common import frame, section_title
from app.views.my_round import plan_view
from app.views.routes import Route
from app.views.states.session import SessionState

COUNTRY_NAMES = {"SE": N_("Sweden"), "NO": N_("Norway"), "DK": N_("Denmark")}


@ft.component
def Help(session: SessionState) -> ft.Control:
    """The crisis lines, the member's own country first; reachable from every screen."""
    body: list[ft.Control] = [ft.Text(_("If you are in danger or thinking of hurting yourself, call now. "
                                        "You do not have to explain more than you want to."))]
    own = session.country()
    countries = sorted({line.country for line in session.profile.crisis_lines}, key=lambda c: (c != own, c))
    for index, country in enumerate(countries):
        body.append(section_title(_(COUNTRY_NAMES.get(country, country))))
        for line in (item for item in session.profile.crisis_lines if item.country == country):
            body.append(ft.ListTile(
                leading=ft.Icon(ft.Icons.PHONE), title=ft.Text(line.name), subtitle=ft.Text(line.number),
                url=f"tel:{line.number.replace(' ', '')}", key=f"call-{country}-{line.number}"))
        if index == 0:  # the member's own plan right after their own country's lines, not below every country
            body += crisis_plan_part(session)
    if not countries:
        body += crisis_plan_part(session)
    return frame(session, _("Need help now?"), body, nav=False, back=session.router.back_from_help)


def crisis_plan_part(session: SessionState) -> list[ft.Control]:
    """The member's own crisis plan (issue 18): a tap away once unlocked; while locked, only the short version
    the member chose to keep readable without unlocking."""
    if session.unlocked:
        return [ft.FilledTonalButton(_("My crisis plan"), icon=ft.Icons.HEALTH_AND_SAFETY_OUTLINED,
                                     key="help-plan", on_click=lambda: session.router.navigate(Route.PLAN))]
    try:
        short = short_version(session.ctx.engine)
    except KraftError:  # the journal's file cannot be read just now (a backup being restored): the lines show
        short = None
    return plan_view(short, short=True) if short is not None else []
