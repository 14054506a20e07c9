"""Typed routes: every screen of the app is a `Route`, with its path template and the one lock guard.

Screens used to be strings (`go("group")`), and a typo fell back silently to the unlock screen. Now a route is
an enum member; whether a locked app may show it is declared on the route itself (docs/adr/0007-app-layout.md),
and `guard` is the only place that rule is applied. A path from outside (an invite link) is matched against the
templates with Flet's `TemplateRoute`; one that matches no route is an `UnknownRoute`.

Example:
    >>> Route.parse("/group/g1")
    (<Route.GROUP: ...>, {'id': 'g1'})
    >>> Route.MEETING.path(group="g1", id="m2")
    '/meeting/g1/m2'
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from urllib.parse import urlsplit

import flet as ft

log = logging.getLogger(__name__)
STRICT_ENV = "KRAFT_STRICT_ROUTES"  # set in the test suite: an unknown route raises instead of showing home
_PARAM = re.compile(r":(\w+)")


class UnknownRoute(LookupError):
    """A route or path the app does not know: a programming error, never shown to a member."""


@dataclass(frozen=True)
class Spec:
    """A route's path template and whether a locked app may show it (else the journal must be open)."""

    template: str
    locked: bool = False
    kept: bool = True  # False: a step (a form, a notice) that Back does not return to once it is left


class Route(Enum):
    """Every screen of the app. `locked=True`: shown while the journal is locked (or there is none)."""

    WELCOME = Spec("/welcome", locked=True)
    SETUP = Spec("/setup", locked=True, kept=False)
    RECOVERY_CODE = Spec("/recovery-code", locked=True, kept=False)
    UNLOCK = Spec("/unlock", locked=True)
    RECOVER = Spec("/recover", locked=True, kept=False)
    NEUTRAL = Spec("/neutral", locked=True, kept=False)
    PROBLEM = Spec("/problem", locked=True, kept=False)
    HOME = Spec("/home", locked=True)
    ADD_GROUP = Spec("/groups/new", locked=True, kept=False)
    GUIDELINES = Spec("/group/:id/guidelines", locked=True, kept=False)
    HELP = Spec("/help", locked=True, kept=False)
    GROUP = Spec("/group/:id", locked=True)
    MEETING = Spec("/meeting/:group/:id", locked=True)
    RESTORE = Spec("/restore", locked=True)
    REMINDERS = Spec("/reminders", locked=True)
    JOIN = Spec("/join", locked=True, kept=False)
    COORDINATOR = Spec("/coordinator", locked=True)
    FIND = Spec("/find", locked=True)  # the region's catalogue of groups, without a journal (issue 19)
    JOURNAL = Spec("/journal")
    ENTRY = Spec("/entry/:id")
    HISTORY = Spec("/entry/:id/history/:prompt")
    EDITOR = Spec("/editor/:id", kept=False)
    SEARCH = Spec("/search")
    TOOLKIT = Spec("/toolkit")
    SETTINGS = Spec("/settings")
    REKEY = Spec("/settings/rekey", kept=False)
    TRANSFER = Spec("/transfer")
    LEAD = Spec("/lead", kept=False)
    TODAY = Spec("/today/:group")  # today's meeting: the guide for whoever hosts (issue 18)
    MY_ROUND = Spec("/round")  # my own round, private (issue 18)
    PLAN = Spec("/plan")  # my crisis plan, private (issue 18)

    @property
    def template(self) -> str:
        """The route's path template, e.g. `/group/:id`."""
        return self.value.template

    @property
    def locked(self) -> bool:
        """True when a locked app may show this route."""
        return self.value.locked

    @property
    def kept(self) -> bool:
        """True when Back may return to this route once it is left (a form or a notice is not)."""
        return self.value.kept

    @property
    def root(self) -> bool:
        """A screen one starts from (a tab, home, the lock): it has no Back, and going there forgets the way."""
        return self in ROOTS

    def params(self) -> tuple[str, ...]:
        """The names in the template, in order: `Route.MEETING.params() == ("group", "id")`."""
        return tuple(_PARAM.findall(self.template))

    def path(self, **params: str) -> str:
        """The concrete path, e.g. `Route.GROUP.path(id="g1") == "/group/g1"`; a missing parameter raises."""
        missing = set(self.params()) - params.keys()
        if missing:
            raise UnknownRoute(f"{self.name} needs {', '.join(sorted(missing))}")
        return _PARAM.sub(lambda m: params[m.group(1)], self.template)

    @classmethod
    def parse(cls, url: str) -> tuple[Route, dict[str, str]]:
        """The route a path (or link) names and its parameters; `UnknownRoute` when none matches.

        Query and fragment are not part of the match: `/join?invite=X` and `kraft://join#X` are `Route.JOIN`.
        """
        parts = urlsplit(url or "")
        path = parts.path.rstrip("/") or "/"
        if parts.netloc and parts.scheme not in ("http", "https"):  # kraft://join#X: the host is the first step
            path = "/" + parts.netloc + (path if path != "/" else "")
        matcher = ft.TemplateRoute(path)
        for route in cls:
            if matcher.match(route.template):
                return route, {name: str(getattr(matcher, name)) for name in route.params()}
        raise UnknownRoute(f"no route for {url!r}")


ROOTS = frozenset({Route.WELCOME, Route.UNLOCK, Route.HOME, Route.JOURNAL, Route.SEARCH, Route.TOOLKIT,
                   Route.SETTINGS})
HISTORY_LIMIT = 20  # steps Back remembers; more are forgotten from the oldest


def strict() -> bool:
    """Whether an unknown route raises (the test suite) rather than showing home and logging (production)."""
    return os.environ.get(STRICT_ENV, "") == "1"


def guard(route: Route, *, unlocked: bool) -> Route | None:
    """The one lock guard: the route itself when it may be shown now, None when it needs the journal open."""
    return route if route.locked or unlocked else None


def unknown(what: object) -> Route:
    """What an unknown route leads to: an error in tests; in production the home screen, logged."""
    if strict():
        raise UnknownRoute(f"unknown route {what!r}")
    log.error("unknown route %r: showing the home screen", what)
    return Route.HOME


def _never() -> bool:
    return False


def _home() -> Route:
    return Route.HOME


def _nothing() -> None:
    return None


@ft.observable
@dataclass
class Router:
    """The route shown and its parameters; every move goes through `navigate` and so through the guard.

    `unlocked` and `home` come from the session (is the journal open, where a locked app starts); `on_move`
    runs before each move (the session clears the last screen's error and notice, and counts activity).

    Example:
        router.navigate(Route.GROUP, id=group.id)
        router.param("id")  # -> group.id
    """

    route: Route = Route.WELCOME
    params: dict[str, str] = field(default_factory=dict)
    back_to: tuple[Route, dict[str, str]] = (Route.WELCOME, {})  # where "Need help now?" returns to
    history: tuple[tuple[Route, dict[str, str]], ...] = ()  # the screens Back returns to, the last one last
    unlocked: Callable[[], bool] = _never
    home: Callable[[], Route] = _home
    on_move: Callable[[], None] = _nothing

    def navigate(self, route: Route, **params: str) -> None:
        """Show `route` (with the parameters its template names; more may ride along), unless the lock guard
        says no: then the home screen. A string or a missing parameter is an unknown route. The screen left
        is remembered for Back (`back`)."""
        if not isinstance(route, Route):
            route, params = unknown(route), {}
        elif set(route.params()) - params.keys():
            route, params = unknown(f"{route.name} without {sorted(set(route.params()) - params.keys())}"), {}
        self.on_move()
        allowed = guard(route, unlocked=self.unlocked())
        target = (allowed, dict(params)) if allowed else (self.home(), {})
        self.history = self._way_to(target)
        self.route, self.params = target[0], target[1]

    def _way_to(self, target: tuple[Route, dict[str, str]]) -> tuple[tuple[Route, dict[str, str]], ...]:
        """The history once `target` is shown: empty at a root screen; cut back to it when it is already on
        the way (A -> B -> A is not A -> B -> A -> B); else the screen left, when Back may return to it."""
        if target[0].root:
            return ()
        if target in self.history:
            return self.history[:self.history.index(target)]
        here = (self.route, dict(self.params))
        if here == target or not self.route.kept:
            return self.history
        return (*self.history, here)[-HISTORY_LIMIT:]

    def back(self, fallback: Route | None = None, **params: str) -> None:
        """Back to the screen this one was opened from; with none remembered (or none the lock guard lets
        through now), to `fallback` (with its `params`), else home."""
        way = list(self.history)
        while way:
            route, remembered = way.pop()
            if guard(route, unlocked=self.unlocked()):
                self.on_move()
                self.history = tuple(way)
                self.route, self.params = route, dict(remembered)
                return
        self.history = ()
        self.navigate(fallback or self.home(), **params)

    def show(self, route: Route, **params: str) -> None:
        """Set the route without the move's side effects (the session's start, lock and restore); the way
        back is forgotten: after a lock nothing of the journal is returned to."""
        self.history = ()
        self.params = dict(params)
        self.route = route

    def param(self, name: str) -> str | None:
        """A parameter of the route shown, e.g. `param("id")` on `/group/g1` is `g1`."""
        return self.params.get(name)

    @property
    def path(self) -> str:
        """The concrete path of what is shown, e.g. `/group/g1`."""
        return self.route.path(**self.params)

    def show_help(self) -> None:
        """Help now, remembering where to come back to."""
        if self.route is not Route.HELP:
            self.back_to = (self.route, dict(self.params))
        self.navigate(Route.HELP)

    def back_from_help(self) -> None:
        """Back to the screen help was opened from."""
        route, params = self.back_to
        self.navigate(route, **params)
