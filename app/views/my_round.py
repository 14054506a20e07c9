"""My own round and my crisis plan (issue 18): private, in the journal, never sent. The round's chart draws the
score over the course; a screen reader hears the same series in words."""

from __future__ import annotations

from datetime import date
from typing import Any

import flet as ft
import flet_charts as fch
from babel.dates import format_date

from app.domain.prompts import TAGS as FACTORS
from app.i18n import N_, _, current, format_day
from app.services.my_round import Contact, CrisisPlan
from app.views.common import dropdown, frame, option, section_title, text_input, tick
from app.views.routes import Route
from app.views.states.my_round import MyRoundState
from app.views.states.session import SessionState

SCORES = {1: N_("Hard"), 2: N_("Heavy"), 3: N_("So-so"), 4: N_("Fairly good"), 5: N_("Good")}


def short_day(value: date) -> str:
    """A day on the chart's axis: "6 okt.", no year (the read-out says it in full)."""
    return format_date(value, format="d MMM", locale=current().code)


def round_chart(state: MyRoundState) -> ft.Control:
    notes = state.notes()[-24:]
    if not notes:
        return ft.Text(_("Your rounds will show here over the course."), key="round-chart-empty")
    points = [fch.LineChartDataPoint(x=i, y=n.score, tooltip=f"{format_day(n.created.date())}: {n.score}")
              for i, n in enumerate(notes)]
    shown = sorted({0, len(notes) // 2, len(notes) - 1})  # three dates at most: they fit a phone
    labels = [fch.ChartAxisLabel(value=i, label=ft.Text(short_day(notes[i].created.date()), size=11))
              for i in shown]
    chart = fch.LineChart(data_series=[fch.LineChartData(points=points, color=ft.Colors.PRIMARY, stroke_width=3,
                                                         curved=True, prevent_curve_over_shooting=True)],
                          min_y=0.5, max_y=5.5, min_x=-0.3, max_x=max(1, len(notes) - 1) + 0.3, height=200,
                          left_axis=fch.ChartAxis(label_size=24,
                                                  labels=[fch.ChartAxisLabel(value=v, label=ft.Text(str(v)))
                                                          for v in range(1, 6)]),
                          bottom_axis=fch.ChartAxis(labels=labels, label_size=32),
                          horizontal_grid_lines=fch.ChartGridLines(interval=1, width=0.4))
    return ft.Semantics(label=_("My rounds over the course") + "\n" + state.readout(), content=chart,
                        key="round-chart")


@ft.component
def MyRound(state: MyRoundState, session: SessionState) -> ft.Control:
    score, set_score = ft.use_state(0)
    words, set_words = ft.use_state("")
    no_factors: dict[str, int] = {}
    factors, set_factors = ft.use_state(no_factors)

    def save() -> None:
        if state.add(score, words, dict(factors)):
            set_score(0)
            set_words("")
            set_factors({})

    choices = ft.Row([ft.Chip(label=ft.Text(f"{n} · {_(SCORES[n])}"), selected=score == n, key=f"score-{n}",
                              on_click=lambda _e, n=n: set_score(n)) for n in SCORES], wrap=True, spacing=6)
    factor_rows: list[ft.Control] = []
    for name, label in FACTORS.items():
        options = [option("", "–"),
                   *[option(str(v), str(v)) for v in range(1, 6)]]
        factor_rows.append(dropdown(label=_(label), key=f"factor-{name}", value=str(factors.get(name, "")),
                                    options=options, width=200,
                                    on_change=lambda e, name=name: set_factors(
                                        {**{k: v for k, v in factors.items() if k != name},
                                         **({name: int(e.control.value)} if e.control.value else {})})))
    body: list[ft.Control] = [
        ft.Text(_("Before a meeting: how do things stand today? Only you see this; it is never sent.")),
        section_title(_("How things stand")), choices,
        text_input(_("A few words (if you like)"), words, lambda e: set_words(e.control.value or ""),
                   key="round-words", max_length=280),
        ft.ExpansionTile(title=ft.Text(_("The five recovery factors (if you like)")), controls=factor_rows,
                         key="round-factors"),
    ]
    if state.problem:
        body.append(ft.Text(state.problem, color=ft.Colors.ERROR, key="round-problem"))
    body += [ft.FilledButton(_("Note it"), key="round-save", on_click=save, disabled=score == 0),
             section_title(_("My rounds over the course")), round_chart(state)]
    return frame(session, _("My round"), body, back=lambda: session.router.back(Route.TOOLKIT))


def _contact_lines(contacts: tuple[Contact, ...]) -> str:
    return "\n".join(f"{c.name} = {c.phone}".strip(" =") for c in contacts)


def _contacts(text: str) -> tuple[Contact, ...]:
    out = []
    for line in text.splitlines():
        name, sep, phone = line.rpartition("=")
        out.append(Contact(name.strip(), phone.strip()) if sep else Contact(line.strip(), ""))
    return tuple(c for c in out if c.name or c.phone)


def plan_view(plan: CrisisPlan, *, short: bool = False) -> list[ft.Control]:
    """The plan as read in a hard moment: lists, and every number a tap away (tel:)."""
    out: list[ft.Control] = []
    parts = [] if short else [(_("My warning signs"), plan.warning_signs)]
    for title, items in [*parts, (_("What helps me"), plan.helps)]:
        if items:
            out += [section_title(title), *[ft.Text(f"• {i}") for i in items]]
    for title, contacts in ((_("People I can call"), plan.people), (_("Professional contacts"), plan.professionals)):
        if contacts:
            out.append(section_title(title))
            out += [ft.ListTile(leading=ft.Icon(ft.Icons.PHONE), title=ft.Text(c.name or c.phone),
                                subtitle=ft.Text(c.phone) if c.name and c.phone else None,
                                url=f"tel:{c.phone.replace(' ', '')}" if c.phone else None, key=f"plan-call-{i}")
                    for i, c in enumerate(contacts)]
    return out


@ft.component
def MyPlan(state: MyRoundState, session: SessionState) -> ft.Control:
    plan = state.plan()
    editing, set_editing = ft.use_state(not any((plan.warning_signs, plan.helps, plan.people, plan.professionals)))
    typed: dict[str, str] = {}
    texts, set_texts = ft.use_state(typed)

    def value(name: str, current_text: str) -> str:
        return str(texts.get(name, current_text))

    fields = {"signs": "\n".join(plan.warning_signs), "helps": "\n".join(plan.helps),
              "people": _contact_lines(plan.people), "pros": _contact_lines(plan.professionals)}

    def save() -> None:
        lines = {k: value(k, v) for k, v in fields.items()}
        if state.save_plan(CrisisPlan(tuple(lines["signs"].splitlines()), tuple(lines["helps"].splitlines()),
                                      _contacts(lines["people"]), _contacts(lines["pros"]))):
            set_texts({})
            set_editing(False)

    body: list[ft.Control] = []
    if editing:
        labels = {"signs": _("My warning signs (one per line)"), "helps": _("What helps me (one per line)"),
                  "people": _("People I can call (name = number, one per line)"),
                  "pros": _("Professional contacts (name = number, one per line)")}
        for name, label in labels.items():
            def typing(e: Any, name: str = name) -> None:
                set_texts({**texts, name: e.control.value or ""})

            body.append(text_input(label, value(name, fields[name]), typing, key=f"plan-{name}", multiline=True,
                                   min_lines=2))
        if state.problem:
            body.append(ft.Text(state.problem, color=ft.Colors.ERROR, key="plan-problem"))
        body.append(ft.FilledButton(_("Save my plan"), key="plan-save", on_click=save))
    else:
        body += plan_view(plan)
        body.append(ft.OutlinedButton(_("Change my plan"), key="plan-edit", on_click=lambda: set_editing(True)))
    body += [section_title(_("Without unlocking")),
             tick(_("Show what helps me and who to call from “Need help now?” without unlocking"),
                  value=state.short_shown(), key="plan-short",
                  on_change=lambda e: state.show_short_without_unlock(bool(e.control.value))),
             ft.Text(_("Those lines are then stored unencrypted on this device: anyone holding it can read them. "
                       "Your warning signs stay in the encrypted journal."), theme_style=ft.TextThemeStyle.BODY_SMALL)]
    return frame(session, _("My crisis plan"), body, back=lambda: session.router.back(Route.TOOLKIT))
