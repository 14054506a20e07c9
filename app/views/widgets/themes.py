"""The group's themes on the group screen (issue 18): the next meeting's proposals with their counts, propose,
vote, "I'll introduce it", and for a host "Set as the theme". Counts only: never who voted what."""

from __future__ import annotations

import flet as ft

from app.domain.themes import library
from app.i18n import _, current, ngettext
from app.services.group_layer.choosing import Choice
from app.services.groups import Group
from app.views.common import dropdown, option, section_title, text_input
from app.views.states.choosing import ChoosingState

OWN = "own"  # the dropdown's choice "in our own words"


def _problem(choosing: ChoosingState, group: Group, control: str) -> list[ft.Control]:
    why = choosing.problem(group, control)
    return [ft.Text(why, color=ft.Colors.ERROR, key=f"theme-problem-{control}")] if why else []


@ft.component
def ThemesSection(choosing: ChoosingState, group: Group, host: bool) -> ft.Control:
    picked, set_picked = ft.use_state("")
    words, set_words = ft.use_state("")
    meeting = choosing.meeting(group)
    if meeting is None:
        return ft.Container()
    choices, theme, by = choosing.poll(group, meeting)
    if choosing.course_end(group) is not None:  # the last meeting is going on: no meeting left to choose for
        return ft.Column([section_title(_("The theme")),
                          ft.Text(_("Chosen: {theme}").format(theme=theme), key="theme-chosen",
                                  theme_style=ft.TextThemeStyle.TITLE_MEDIUM)]
                         + ([ft.Text(_("Introduced by {who}").format(who=by), key="theme-by")] if by else [])
                         ) if theme else ft.Container()
    lines: list[ft.Control] = [section_title(_("Themes for the next meeting"))]
    if theme:
        lines.append(ft.Text(_("Chosen: {theme}").format(theme=theme), key="theme-chosen",
                             theme_style=ft.TextThemeStyle.TITLE_MEDIUM))
        if by:
            lines.append(ft.Text(_("Introduced by {who}").format(who=by), key="theme-by"))

        async def offer() -> None:
            await choosing.introduce(group, meeting)

        lines.append(ft.TextButton(_("I'll introduce it"), key="theme-introduce", on_click=offer))
        lines += _problem(choosing, group, "introduce")
    for choice in choices:
        votes = ngettext("{n} vote", "{n} votes", choice.votes).format(n=choice.votes)

        async def vote(_e: object, c: Choice = choice) -> None:
            await choosing.vote(group, meeting, c)

        async def choose(_e: object, c: Choice = choice) -> None:
            await choosing.set_theme(group, meeting, c)

        async def withdraw(_e: object) -> None:
            await choosing.withdraw(group, meeting)

        buttons: list[ft.Control] = [
            ft.Text(_("Your vote"), key=f"theme-mine-{choice.id}"),
            ft.TextButton(_("Take back my vote"), key=f"theme-unvote-{choice.id}", on_click=withdraw),
        ] if choice.mine else [ft.OutlinedButton(_("Vote"), key=f"theme-vote-{choice.id}", on_click=vote)]
        if host:
            buttons.append(ft.TextButton(_("Set as the theme"), key=f"theme-set-{choice.id}", on_click=choose))
        lines.append(ft.Column([ft.Text(choosing.words(choice), weight=ft.FontWeight.BOLD),
                                ft.Text(votes, key=f"theme-votes-{choice.id}", color=ft.Colors.ON_SURFACE),
                                ft.Row(buttons, wrap=True, spacing=8)], spacing=2, key=f"theme-{choice.id}"))
    lines += _problem(choosing, group, "vote") + _problem(choosing, group, "set")
    options = [option(t.id, t.label(current())) for t in library()]
    options.append(option(OWN, _("In our own words")))

    async def propose() -> None:
        done = await choosing.propose(group, meeting, theme="" if picked == OWN else picked,
                                      text=words if picked == OWN else "")
        if done:
            set_picked("")
            set_words("")

    lines.append(dropdown(label=_("Propose a theme"), key="theme-pick", value=picked or None, options=options,
                          on_change=lambda e: set_picked(str(e.control.value or "")), expand=True))
    if picked == OWN:
        lines.append(text_input(_("The theme in your own words"), words, lambda e: set_words(e.control.value or ""),
                                key="theme-words", max_length=80))
    lines.append(ft.FilledTonalButton(_("Propose"), key="theme-propose", on_click=propose, disabled=not picked))
    lines += _problem(choosing, group, "propose")
    return ft.Column(lines, spacing=8)
