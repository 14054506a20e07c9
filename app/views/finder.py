"""Find a group (issue 19 points 1 and 2, docs/adr/0016-region-catalogue.md): the groups the region lists,
forming and running, filtered on this device by theme and town; without a journal, offline from the copy here.
Each card has "I'm interested" (with a journal: sealed to the coordinator, a contact only if one is given), and
once the group starts, the way to join it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import flet as ft

from app.domain.catalogue import shown
from app.errors import KraftError, Msg
from app.i18n import _, current, format_day
from app.views.common import busy_beside, frame, selectable_text, text_input
from app.views.states.finder import FinderState
from app.views.states.session import SessionState
from protocol import CatalogueEntry


def entry_card(entry: CatalogueEntry, *, expand: bool = False, actions: Sequence[ft.Control] = ()) -> ft.Control:
    """One group: what it is about, where, when and in which language, whether it still needs people, and how
    to reach the intake (selectable, to copy into the phone or the mail); then `actions` ("I'm interested")."""
    lines = shown(entry, current())
    forming = entry.status == "forming"
    return ft.Card(ft.Container(ft.Column([
        ft.Row([ft.Text(lines.title, theme_style=ft.TextThemeStyle.TITLE_MEDIUM, expand=True)]),
        ft.Text(" · ".join((lines.where, lines.when, lines.language))),
        ft.Row([ft.Icon(ft.Icons.GROUP_ADD_OUTLINED if forming else ft.Icons.EVENT_REPEAT, size=18),
                ft.Text(lines.status, expand=True, weight=ft.FontWeight.W_500)], spacing=8,
               vertical_alignment=ft.CrossAxisAlignment.START),
        selectable_text(lines.intake),
        *actions,
    ], spacing=8), padding=16), key=f"find-entry-{entry.id}", expand=expand)


def _note(text: str, *, key: str, icon: ft.IconData) -> ft.Control:
    return ft.Row([ft.Icon(icon, size=18), ft.Text(text, expand=True, key=key)], spacing=8,
                  vertical_alignment=ft.CrossAxisAlignment.START)


def _why_not(finder: FinderState, entry: CatalogueEntry) -> list[ft.Control]:
    """Why the interest did not go, at the card: calm words, and the way to a journal when that is what is
    missing (never a red line on top of the page: being without a journal is no fault)."""
    problem = finder.refusal(entry)
    if problem is None:
        return []
    out = [_calm(str(problem), key=f"find-interest-problem-{entry.id}")]
    if problem.msg is Msg.INTEREST_NEEDS_JOURNAL:
        out.append(ft.Row([ft.TextButton(_("Create my journal"), icon=ft.Icons.LOCK_OUTLINE,
                                         key=f"find-make-journal-{entry.id}", on_click=finder.create_journal)],
                          wrap=True))
    return out


def _form(finder: FinderState, session: SessionState, entry: CatalogueEntry) -> list[ft.Control]:
    """The one optional field, and Send."""

    async def send() -> None:
        await finder.send(entry)

    return [
        ft.Text(_("Your interest goes sealed to your region's coordinator: only they can read it. The relay keeps "
                  "it locked, with the day only."), key="interest-about"),
        ft.Row([ft.Container(text_input(
            _("Phone or e-mail (optional)"), finder.contact, lambda e: finder.set_contact(e.control.value),
            key="interest-contact", helper=_("Without one, the coordinator's reply comes here in the app."),
            error=session.field_error("interest-contact") or None), expand=True)]),  # as wide as the card
        ft.Row([ft.FilledButton(_("Send"), icon=ft.Icons.SEND, key="interest-send", disabled=bool(session.busy),
                                on_click=send),
                ft.TextButton(_("Cancel"), key="interest-cancel", on_click=finder.cancel)], wrap=True, spacing=8),
        *busy_beside(session, "interest-send"),
    ]


def _interest(finder: FinderState, session: SessionState, entry: CatalogueEntry) -> list[ft.Control]:
    """What the card offers the person: "I'm interested", its form, what was said, and "Join it" once the group
    starts."""
    request = finder.request(entry)
    if request is None and finder.asking == entry.id and session.unlocked:
        return [ft.Divider(height=8), *_form(finder, session, entry), *_why_not(finder, entry)]
    if request is None:
        return [ft.Row([ft.OutlinedButton(_("I'm interested"), icon=ft.Icons.FAVORITE_BORDER,
                                          key=f"find-interest-{entry.id}", on_click=lambda: finder.ask(entry))],
                       wrap=True), *_why_not(finder, entry)]

    async def withdraw() -> None:
        await finder.withdraw(entry)

    reply = (_("The coordinator can reach you at {contact}.").format(contact=request.contact) if request.contact
             else _("The coordinator's reply comes here in the app."))
    out: list[ft.Control] = [ft.Divider(height=8),
                             _note(_("You said you are interested"), key=f"find-interested-{entry.id}",
                                   icon=ft.Icons.FAVORITE),
                             ft.Text(reply, key=f"find-reply-{entry.id}")]
    if request.invite:
        out.append(ft.Row([ft.FilledButton(_("The group starts! Join it"), icon=ft.Icons.GROUP_ADD,
                                           key=f"find-join-{entry.id}", on_click=lambda: finder.join(entry))],
                          wrap=True))
    withdraw_key = f"find-withdraw-{entry.id}"
    out += [ft.Row([ft.TextButton(_("Take it back"), icon=ft.Icons.UNDO, key=withdraw_key,
                                  disabled=bool(session.busy), on_click=withdraw)], wrap=True),
            *busy_beside(session, withdraw_key), *_why_not(finder, entry)]
    return out


def _cards(finder: FinderState, session: SessionState, entries: list[CatalogueEntry]) -> list[ft.Control]:
    """A card per entry: one under the other on a phone; two side by side in a wide window's body."""
    if not session.wide:
        return [entry_card(e, actions=_interest(finder, session, e)) for e in entries]
    cards = [entry_card(e, expand=True, actions=_interest(finder, session, e)) for e in entries]
    if len(cards) % 2:
        cards.append(ft.Container(expand=True))  # the last one as wide as the others
    return [ft.Row(cards[i:i + 2], vertical_alignment=ft.CrossAxisAlignment.START, spacing=12)
            for i in range(0, len(cards), 2)]


def _no_list(problem: KraftError) -> str:
    """Why there is no list to show (the relay's own "cannot be reached" speaks of sending messages)."""
    if problem.msg is Msg.RELAY_UNREACHABLE:
        return _("The list of groups could not be fetched: the relay cannot be reached just now. Once it has "
                 "been fetched, it can be read here offline too.")
    return str(problem)


def _copy_only(problem: KraftError) -> str:
    """That the list shown is the device's copy, and why it was not updated: calmly, being offline is no fault."""
    if problem.msg is Msg.RELAY_UNREACHABLE:
        return _("This is the copy on this device: the relay cannot be reached just now.")
    return _("This is the copy on this device. It could not be updated: {why}").format(why=str(problem))


def _calm(text: str, *, key: str, icon: ft.IconData = ft.Icons.INFO_OUTLINE) -> ft.Control:
    return ft.Container(ft.Row([ft.Icon(icon, size=20), ft.Text(text, expand=True, key=key)], spacing=8,
                               vertical_alignment=ft.CrossAxisAlignment.START),
                        bgcolor=ft.Colors.SURFACE_CONTAINER_HIGH, border_radius=8, padding=12)


def _search(finder: FinderState, session: SessionState) -> ft.Control:
    def on(setter: Any) -> Any:
        return lambda e: setter(e.control.value)

    theme = text_input(_("Theme"), finder.theme, on(finder.set_theme), key="find-theme",
                       helper=_("e.g. stress, pain"), prefix_icon=ft.Icons.SEARCH)
    town = text_input(_("Town"), finder.town, on(finder.set_town), key="find-town",
                      helper=_("A town, or online; empty shows every group"), prefix_icon=ft.Icons.PLACE_OUTLINED)
    if session.wide:
        return ft.Row([ft.Container(theme, expand=True), ft.Container(town, expand=True)], spacing=12,
                      vertical_alignment=ft.CrossAxisAlignment.START)
    # as wide as the cards under them
    return ft.Column([ft.Row([ft.Container(theme, expand=True)]), ft.Row([ft.Container(town, expand=True)])],
                     spacing=12)


@ft.component
def FindGroup(finder: FinderState, session: SessionState) -> ft.Control:
    catalogue, problem = finder.catalogue, finder.problem
    refresh = ft.OutlinedButton(_("Refresh"), icon=ft.Icons.REFRESH, key="find-refresh",
                                disabled=bool(session.busy), on_click=finder.refresh)
    body: list[ft.Control] = [ft.Text(_("Groups your region lists. What you search for stays on this phone."))]
    if catalogue is None:
        if problem is not None:
            body.append(_calm(_no_list(problem), key="find-problem"))
        body += [refresh, *busy_beside(session, "find-refresh")]
        return frame(session, _("Find a group"), body, nav=False, back=finder.close)
    body += [
        _search(finder, session),
        ft.Row([ft.Text(_("As of {day}").format(day=format_day(catalogue.issued)), key="find-issued"), refresh],
               wrap=True, spacing=16, vertical_alignment=ft.CrossAxisAlignment.CENTER),
        *busy_beside(session, "find-refresh"),
    ]
    if problem is not None:
        body.append(_calm(_copy_only(problem), key="find-copy", icon=ft.Icons.CLOUD_OFF_OUTLINED))
    entries = finder.found()
    if entries:
        body += _cards(finder, session, entries)
    elif catalogue.entries:
        body.append(ft.Text(_("No group matches. Try fewer words, or leave out the town: online groups show then "
                              "too."), key="find-none"))
    else:
        body.append(ft.Text(_("Your region lists no groups just now."), key="find-empty"))
    return frame(session, _("Find a group"), body, nav=False, back=finder.close)
