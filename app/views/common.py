"""Pieces every screen shares: the frame with its quick-exit button, navigation, messages, progress."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import flet as ft

from app.i18n import _
from app.views.routes import Route, Router
from app.views.states.session import SessionState

if TYPE_CHECKING:
    from flet.components.hooks.use_ref import MutableRef

MAX_WIDTH = 720  # the body's width at most, centred: lines stay readable on a wide window
WIDE_FROM = 840  # from this window width on, a navigation rail at the side instead of the bottom bar
TOOLBAR_HEIGHT = 64
HELPER_LINES = 4  # a field's helper or error text wraps (Flutter's default: one line, then "…")
HIDDEN_LABEL = ft.TextStyle(size=1, color=ft.Colors.TRANSPARENT)  # a control's own label, under `_label_over`'s
NAV = (Route.JOURNAL, Route.SEARCH, Route.TOOLKIT, Route.SETTINGS)


def icon_button(icon: ft.IconData, label: str, **kwargs: Any) -> ft.IconButton:
    """An icon button a screen reader can name. Its tooltip alone labels only a wrapper around the button
    in the web client, and the focused button itself is announced as a bare "button"; the icon's own
    semantic label becomes the button's name."""
    return ft.IconButton(ft.Icon(icon, semantics_label=label), tooltip=label, **kwargs)


def dropdown(*, label: str, options: Sequence[ft.dropdownm2.Option], **kwargs: Any) -> ft.Control:
    """A menu to choose one of `options` (each made by `option`). It is Flutter's Material 2 DropdownButton:
    its menu gives the keyboard focus back to it when it closes, where the M3 DropdownMenu (`ft.Dropdown`)
    drops it and the next Tab starts from the top of the page (docs/adr/0012-wide-layout.md). A screen reader
    hears its label and what is chosen ("Language Svenska"), its own name."""
    return ft.DropdownM2(label=label, options=list(options), helper_max_lines=HELPER_LINES,
                         error_max_lines=HELPER_LINES, **kwargs)


def option(key: str, text: str, content: ft.Control | None = None) -> ft.dropdownm2.Option:
    """One choice of a `dropdown`. The menu draws `content`, or else the text (Flet's own fallback draws
    the key)."""
    return ft.dropdownm2.Option(key=key, text=text, content=content or ft.Text(text))


def type_ahead(*, label: str, **kwargs: Any) -> ft.Control:
    """A menu one can type in to narrow a long list (the time zones). Its arrow is a button of its own, named
    here. It is the M3 DropdownMenu, the one of Flet's two that filters."""
    menu = ft.Dropdown(label=label, editable=True, enable_filter=True,
                       trailing_icon=ft.Icon(ft.Icons.ARROW_DROP_DOWN, semantics_label=_("Show the choices")),
                       selected_trailing_icon=ft.Icon(ft.Icons.ARROW_DROP_UP, semantics_label=_("Hide the choices")),
                       **kwargs)
    chosen = next((o.text or o.key for o in menu.options or [] if o.key == menu.value), "")
    return ft.Semantics(label=f"{label}: {chosen}" if chosen else label, content=menu, expand=menu.expand)


def tick(label: str, *, value: bool, key: str, on_change: Callable[[Any], Any]) -> ft.Control:
    """A tick box whose label wraps. Flet's own label sits in a row beside the box that cuts it at the
    screen's edge (the restore screen lost "...keeps them as a safety copy" at 390 px); here it is a Text that
    wraps. The box carries the label as its name for a screen reader, which the Text then does not repeat."""
    return ft.Row([
        ft.Checkbox(value=value, key=key, on_change=on_change, semantics_label=label),
        ft.Semantics(exclude_semantics=True, expand=True,
                     content=ft.Container(ft.Text(label), padding=ft.Padding.only(top=12))),
    ], vertical_alignment=ft.CrossAxisAlignment.START, spacing=4)


def long_dropdown(*, label: str, choices: Sequence[tuple[str, str]], value: str | None,
                  **kwargs: Any) -> ft.Control:
    """A `dropdown` of choices that may be whole questions (homework), as wide as its column, under its label
    (`_label_over`: "Hvad gruppen blev bedt om at tænke over" wrapped over the border at 200 % text). Its
    button and its menu draw a choice on one line (the M2 button is one line tall, and draws what its menu
    draws), ended with "…" where it is longer; the whole of the chosen one is said under it, wrapped."""
    chosen = next((text for key, text in choices if key == value), None)
    return _label_over(label, full_width(dropdown(
        label=label, value=value, helper=chosen, label_style=HIDDEN_LABEL,
        options=[option(key, text, ft.Text(text, max_lines=1, overflow=ft.TextOverflow.ELLIPSIS))
                 for key, text in choices], **kwargs)))


def full_width(control: ft.Control) -> ft.Control:
    """A dropdown as wide as the column, never wider (a fixed 680 px ran past a phone's edge)."""
    control.expand = True
    return ft.Row([control])


def selectable_text(text: str, **kwargs: Any) -> ft.Control:
    """Text one can select and copy. Flutter shows it to screen readers as a disabled text box with neither
    name nor value; the label reads the text out."""
    return ft.Semantics(label=text, content=ft.Text(text, selectable=True, **kwargs))


def worded_button(icon: ft.IconData, word: str, label: str, **kwargs: Any) -> ft.Control:
    """An icon with a short word under it (docs/adr/0012-wide-layout.md): what help and quick exit do is
    read, not guessed from a life-buoy and an arrow. Screen readers hear the whole `label` (the word is part
    of it, "Hjälp" in "Behöver du hjälp nu?"); the word is not read a second time."""
    content = ft.Column([ft.Icon(icon, size=20, semantics_label=label),
                         ft.Semantics(exclude_semantics=True, content=ft.Text(word, size=12, no_wrap=True))],
                        spacing=0, tight=True, horizontal_alignment=ft.CrossAxisAlignment.CENTER)
    return ft.TextButton(content=content, tooltip=label, style=ft.ButtonStyle(
        padding=ft.Padding.symmetric(horizontal=6, vertical=2), shape=ft.RoundedRectangleBorder(radius=8)),
        **kwargs)


def help_button(session: SessionState) -> ft.Control:
    return worded_button(ft.Icons.SUPPORT, _("Help"), _("Need help now?"), key="help",
                         on_click=session.router.show_help)


def quick_exit_button(session: SessionState) -> ft.Control:
    return worded_button(ft.Icons.EXIT_TO_APP, _("Exit"), _("Quick exit"), key="quick-exit",
                         on_click=lambda: session.lock(neutral=True))


NAV_ICONS = (  # icon and selected icon of each of NAV: the same four in the bar and in the rail
    (ft.Icons.BOOK_OUTLINED, ft.Icons.BOOK),
    (ft.Icons.SEARCH, ft.Icons.SEARCH),
    (ft.Icons.HANDYMAN_OUTLINED, ft.Icons.HANDYMAN),
    (ft.Icons.SETTINGS_OUTLINED, ft.Icons.SETTINGS),
)


def _nav_labels() -> list[str]:
    # one short word each: at 360 px and large text a tab holds about 90 px of it ("Verktyg", not "Verktygslåda",
    # which broke inside; the screen's title says "Min verktygslåda")
    return [_("Journal"), _("Search"), _("Toolkit"), _("Settings")]


def _nav_change(router: Router) -> Callable[[Any], None]:
    def change(e: Any) -> None:
        router.navigate(NAV[int(e.control.selected_index)])

    return change


def _nav_index(router: Router) -> int:
    return NAV.index(router.route if router.route in NAV else Route.JOURNAL)


def nav_bar(router: Router) -> ft.NavigationBar:
    """The phone's navigation, at the bottom."""
    return ft.NavigationBar(
        selected_index=_nav_index(router), on_change=_nav_change(router),
        destinations=[ft.NavigationBarDestination(icon=icon, selected_icon=selected, label=label)
                      for (icon, selected), label in zip(NAV_ICONS, _nav_labels(), strict=True)])


def nav_rail(router: Router) -> ft.NavigationRail:
    """A wide window's navigation, at the side: a bar stretched across 1280 px spreads four targets far apart
    and takes height from the text."""
    return ft.NavigationRail(
        selected_index=_nav_index(router), on_change=_nav_change(router),
        label_type=ft.NavigationRailLabelType.ALL, min_width=96, group_alignment=-1.0,
        destinations=[ft.NavigationRailDestination(icon=icon, selected_icon=selected, label=label)
                      for (icon, selected), label in zip(NAV_ICONS, _nav_labels(), strict=True)])


def messages(session: SessionState) -> list[ft.Control]:
    """The error (if any), the progress of slow work, and a dismissible notice."""
    out: list[ft.Control] = []
    if session.error:
        out.append(ft.Semantics(
            live_region=True,
            content=ft.Container(
                ft.Row([ft.Icon(ft.Icons.ERROR_OUTLINE, color=ft.Colors.ERROR),
                        ft.Text(session.error, color=ft.Colors.ERROR, expand=True, key="error")]),
                padding=8)))
    if session.busy and not session.busy_at:  # else it is beside the control that started it (busy_beside)
        out.append(ft.Row([ft.ProgressRing(width=20, height=20, semantics_label=session.busy),
                           ft.Text(session.busy, key="busy")]))
    if session.notice:
        out.append(ft.Container(
            ft.Row([ft.Text(session.notice, expand=True, key="notice"),
                    icon_button(ft.Icons.CLOSE, _("Dismiss"), key="dismiss",
                                  on_click=lambda: setattr(session, "notice", ""))]),
            bgcolor=ft.Colors.SECONDARY_CONTAINER, border_radius=8, padding=ft.Padding.only(left=12)))
    return out


def frame(session: SessionState, title: str, body: Sequence[ft.Control], *, nav: bool = True,
          back: Callable[[], None] | None = None, actions: list[ft.Control] | None = None,
          fab: ft.Control | None = None) -> ft.Control:
    """A screen: app bar (title, back, actions, quick exit), messages, scrolling body, navigation bar."""
    leading = icon_button(ft.Icons.ARROW_BACK, _("Back"), on_click=back, key="back") if back else None
    # the title wraps to a second line, in a size that leaves room for it: in one line of the large style
    # "Behöver du hjälp nu?" and "Lägg till en grupp" lost their ends at 360 px (Flutter's app bar ends a
    # title with "…" and grows it only to 1.34 times with large text: two lines of 16 px fill 64 px then)
    bar = ft.AppBar(title=ft.Text(title, theme_style=ft.TextThemeStyle.TITLE_MEDIUM, max_lines=2,
                                  overflow=ft.TextOverflow.ELLIPSIS),
                    toolbar_height=TOOLBAR_HEIGHT, leading=leading, automatically_imply_leading=False,
                    actions=[*(actions or []), help_button(session), quick_exit_button(session)])
    # the top margin lies inside the scrolling column: a field's floating label reaches above the field, and
    # with large text it was cut off at the column's edge
    top = ft.Container(height=4)  # + the spacing: 16
    content = ft.Column([top, *messages(session), *body], scroll=ft.ScrollMode.AUTO, expand=True, spacing=12)
    column = ft.Column(
        [bar,
         ft.Container(ft.Container(content, width=MAX_WIDTH, padding=ft.Padding.only(left=16, right=16, bottom=16),
                                   key="body"),
                      alignment=ft.Alignment.TOP_CENTER, expand=True)],
        expand=True, spacing=0)
    layers: list[ft.Control] = [column]
    if fab is not None:
        layers.append(ft.Container(fab, right=16, bottom=16))
    stack = ft.Stack(layers, expand=True)
    if nav and session.wide:
        return ft.Row([nav_rail(session.router), ft.VerticalDivider(width=1), stack], expand=True, spacing=0,
                      vertical_alignment=ft.CrossAxisAlignment.STRETCH)
    if nav:
        return ft.Column([stack, nav_bar(session.router)], expand=True, spacing=0)
    return stack


def field(session: SessionState, label: str, value: str, setter: Callable[[str], Any], *, key: str,
          password: bool = True, autofocus: bool = False, on_submit: Any = None, helper: str = "",
          label_above: bool = False) -> ft.Control:
    """A text field held in component state; typing counts as activity for the idle lock. A secret one
    (`password`) hides what is typed, with a named button to show it. `label_above`: the label is a line of
    its own over the field (`_label_over`), for a label too long for the field at large text."""

    def change(e: Any) -> None:
        session.touch()
        setter(e.control.value)

    hidden = {"label_style": HIDDEN_LABEL} if label_above else {}
    control = text_input(label, value, change, key=key, secret=password, autofocus=autofocus,
                         on_submit=on_submit, helper=helper or None, error=session.field_error(key) or None, **hidden)
    return _label_over(label, control) if label_above else control


def _label_over(label: str, control: ft.Control) -> ft.Control:
    """A text field or a menu under its label as a Text that wraps between words. Inside the field Flutter
    gives a label one line's width: at 200 % text "Nuværende adgangssætning" broke inside its words and over the
    field at 390 px. The field keeps its own label, drawn invisible (`HIDDEN_LABEL`), as its name for a screen
    reader, so its show button and helper stay as they were."""
    return ft.Column([ft.Text(label, theme_style=ft.TextThemeStyle.BODY_LARGE), control], spacing=4)


def text_input(label: str, value: str, on_change: Callable[[Any], Any] | None = None, *, key: str,
               secret: bool = False, **kwargs: Any) -> ft.Control:
    """Every text field of the app (the source test wants it): one that never types over the person."""
    return TextInput(label, value, on_change, field_key=key, secret=secret, props=kwargs)


@ft.component
def TextInput(label: str, value: str, on_change: Callable[[Any], Any] | None, *, field_key: str, secret: bool,
              props: dict[str, Any]) -> ft.Control:
    """The app learns the text from change events, which can trail the field by a key or two while someone
    types fast; a render in between (a draft saved, a tag chosen) that sent the app's text back would wipe the
    keys it has not heard of yet (measured in the browser: 3 to 8 characters lost of 195 typed at 10 ms a
    key). So the field is given the app's `value` only when the app changed it (it is not what the field last
    reported); otherwise it keeps its own text, which the client has patched into the control Flet holds for
    it (the one this component built last). A secret field has a reveal button a screen reader can name
    ("Show the text"; Flet's own has no name)."""
    reported: MutableRef[str] = ft.use_ref(None)  # the app's text at the last render or change event
    built: MutableRef[ft.TextField] = ft.use_ref(None)
    shown, set_shown = ft.use_state(False)
    text = built.current.value if built.current is not None and value == reported.current else value
    reported.current = value

    def change(e: Any) -> None:
        reported.current = e.control.value
        if on_change is not None:
            on_change(e)

    if props.get("error"):  # what is wrong with this field, said under it in full (the helper gives way)
        props = {**props, "error_max_lines": 4}
    if secret:
        props = {**props, "password": not shown, "suffix_icon": icon_button(
            ft.Icons.VISIBILITY_OFF if shown else ft.Icons.VISIBILITY,
            _("Hide the text") if shown else _("Show the text"), key=f"{field_key}-reveal",
            on_click=lambda: set_shown(not shown))}
    props = {"helper_max_lines": HELPER_LINES, "error_max_lines": HELPER_LINES, **props}
    built.current = ft.TextField(label=label, value=text, key=field_key, on_change=change, **props)
    return built.current


def busy_beside(session: SessionState, key: str) -> list[ft.Control]:
    """The progress of work the control `key` started, to put right beside it: a ring and what is going on,
    where the member is looking (the busy line on top may be scrolled out of view)."""
    if not session.busy or session.busy_at != key:
        return []
    return [ft.Row([ft.ProgressRing(width=20, height=20, semantics_label=session.busy),
                    ft.Text(session.busy, key="busy", expand=True)], key=f"{key}-busy")]


def field_message(session: SessionState, key: str) -> list[ft.Control]:
    """What is wrong with a choice that is not a text field (a list of tick boxes), to put beside it; read out
    by screen readers as it appears."""
    text = session.field_error(key)
    if not text:
        return []
    return [ft.Semantics(live_region=True, content=ft.Row(
        [ft.Icon(ft.Icons.ERROR_OUTLINE, color=ft.Colors.ERROR),
         ft.Text(text, color=ft.Colors.ERROR, expand=True, key=f"{key}-error")]))]


def needs_journal(render: Callable[..., ft.Control]) -> Callable[..., ft.Control]:
    """For screens that read the journal (their last argument is the session). Each screen is its own
    component and may re-render on its own while a lock is under way (key gone, screen not yet switched):
    then it shows nothing, never raises."""

    @functools.wraps(render)
    def guarded(*states: Any) -> ft.Control:
        session = states[-1]
        assert isinstance(session, SessionState)
        if not session.unlocked:
            return ft.Container()
        return render(*states)

    return guarded


def section_title(text: str) -> ft.Control:
    return ft.Semantics(header=True, content=ft.Text(text, theme_style=ft.TextThemeStyle.TITLE_MEDIUM))
