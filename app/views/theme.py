"""The app's theme: teal, and a keyboard focus one can see (docs/adr/0012-wide-layout.md).

Material's own focus is a faint tint (about 10 % of the text colour over the control): on a button or a tick
box it is easy to lose, and with low vision it is not there at all. Here a focused button gets a ring of the
text colour (ON_SURFACE, so at least 3:1 against the surface in the light and the dark theme: WCAG 2.4.11 and
1.4.11); tick boxes and radio buttons a halo four times as strong as Material's, a switch that halo and an
outline of the text colour; every other control (list rows, cards, the navigation) a tint three times as
strong. Text fields and dropdowns keep Material's focused border (2 px of the primary colour).
"""

from __future__ import annotations

import flet as ft

RING = ft.Colors.ON_SURFACE
RING_WIDTH = 3
FOCUS_TINT = ft.Colors.with_opacity(0.3, ft.Colors.ON_SURFACE)
HALO = ft.Colors.with_opacity(0.4, ft.Colors.ON_SURFACE)


BUTTON_RADIUS = 20  # half a one-line button's 40 px: Material's pill while the label is one line


def focus_ring() -> ft.ButtonStyle:
    """A button's style: the ring while it has the keyboard focus (and only then), and corners of 20 px. On
    one line that is Material's pill; a label that wraps at large text keeps straight sides beside it, where
    the pill's ends cut into its lines ("Skriv hjemmeopgaven ned" at 200 % and 360 px ran over the outline)."""
    return ft.ButtonStyle(side={ft.ControlState.FOCUSED: ft.BorderSide(RING_WIDTH, RING)},
                          overlay_color={ft.ControlState.FOCUSED: FOCUS_TINT},
                          shape=ft.RoundedRectangleBorder(radius=BUTTON_RADIUS))


def app_theme() -> ft.Theme:
    """The light and the dark theme are the same but for the brightness the device asks for. The date and time
    pickers sit on the lowest surface: on Flutter's tinted dialog their month and arrows fall below 4.5:1
    (4.21:1 measured)."""
    return ft.Theme(
        color_scheme_seed=ft.Colors.TEAL,
        date_picker_theme=ft.DatePickerTheme(bgcolor=ft.Colors.SURFACE_CONTAINER_LOWEST),
        time_picker_theme=ft.TimePickerTheme(bgcolor=ft.Colors.SURFACE_CONTAINER_LOWEST),
        focus_color=FOCUS_TINT,
        button_theme=ft.ButtonTheme(style=focus_ring()),
        text_button_theme=ft.TextButtonTheme(style=focus_ring()),
        filled_button_theme=ft.FilledButtonTheme(style=focus_ring()),
        outlined_button_theme=ft.OutlinedButtonTheme(style=focus_ring()),
        icon_button_theme=ft.IconButtonTheme(style=focus_ring()),
        checkbox_theme=ft.CheckboxTheme(overlay_color={ft.ControlState.FOCUSED: HALO}),
        radio_theme=ft.RadioTheme(overlay_color={ft.ControlState.FOCUSED: HALO}),
        switch_theme=ft.SwitchTheme(overlay_color={ft.ControlState.FOCUSED: HALO},
                                    track_outline_color={ft.ControlState.FOCUSED: RING},
                                    track_outline_width={ft.ControlState.FOCUSED: RING_WIDTH}),
        navigation_bar_theme=ft.NavigationBarTheme(label_text_style=tab_labels()),
    )


def tab_labels() -> dict[ft.ControlState, ft.TextStyle]:
    """The bottom bar's labels as Material draws them (12 px, medium; the selected one in the text colour),
    without the 0.5 px letter spacing: with it, "Inställningar" needs 92 px at large text (Flutter draws the
    bar's labels at most 1.3 times their size), more than a quarter of a 360 px phone, and broke inside."""
    def style(color: str) -> ft.TextStyle:
        return ft.TextStyle(size=12, weight=ft.FontWeight.W_500, letter_spacing=0, color=color)

    return {ft.ControlState.SELECTED: style(ft.Colors.ON_SURFACE),
            ft.ControlState.DEFAULT: style(ft.Colors.ON_SURFACE_VARIANT)}
