"""Typed routes: every route has a screen, one lock guard decides what a locked app shows, and an unknown
route is an error in tests (docs/adr/0007-app-layout.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import Profile
from app.services.context import AppContext
from app.services.vault_service import VaultService
from app.views.app import SCREENS, screen_for
from app.views.routes import STRICT_ENV, Route, UnknownRoute, guard, unknown
from app.views.states.model import AppModel
from tests.conftest import FAST_KDF, PASSPHRASE


@pytest.mark.parametrize("route", list(Route), ids=lambda r: r.name)
def test_every_route_has_a_screen(route: Route) -> None:
    assert screen_for(route) is SCREENS[route]


def test_the_table_holds_only_routes() -> None:
    assert set(SCREENS) == set(Route)


@pytest.mark.parametrize("route", list(Route), ids=lambda r: r.name)
def test_a_path_leads_back_to_its_route(route: Route) -> None:
    params = {name: f"x{n}" for n, name in enumerate(route.params())}
    assert Route.parse(route.path(**params)) == (route, params)


def test_links_with_a_query_a_fragment_or_the_app_scheme_are_routes_too() -> None:
    assert Route.parse("/join?invite=abc")[0] is Route.JOIN
    assert Route.parse("kraft://join#abc")[0] is Route.JOIN
    assert Route.parse("/meeting/g1/m2") == (Route.MEETING, {"group": "g1", "id": "m2"})


@pytest.mark.parametrize("path", ["/nowhere", "/group", "/group/g1/extra/x", ""])
def test_an_unknown_path_raises(path: str) -> None:
    with pytest.raises(UnknownRoute):
        Route.parse(path)


def test_an_unknown_route_raises_in_tests_and_shows_home_in_production(monkeypatch: pytest.MonkeyPatch,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(UnknownRoute):
        unknown("grop")
    monkeypatch.setenv(STRICT_ENV, "")
    assert unknown("grop") is Route.HOME
    assert "grop" in caplog.text


def _model(service: VaultService) -> AppModel:
    return AppModel.build(AppContext(vault_service=service, profile=Profile()))


def test_going_to_a_screen_by_its_old_string_name_raises(tmp_path: Path) -> None:
    router = _model(VaultService(tmp_path, kdf=FAST_KDF)).router
    with pytest.raises(UnknownRoute):
        router.navigate("group")  # type: ignore[arg-type]


def test_a_route_without_the_parameters_its_template_names_raises(tmp_path: Path) -> None:
    router = _model(VaultService(tmp_path, kdf=FAST_KDF)).router
    with pytest.raises(UnknownRoute):
        router.navigate(Route.GROUP)
    router.navigate(Route.GROUP, id="g1")
    assert (router.route, router.path) == (Route.GROUP, "/group/g1")


def test_the_guard_lets_a_locked_app_show_only_the_routes_declared_for_it() -> None:
    for route in Route:
        assert guard(route, unlocked=True) is route
        assert guard(route, unlocked=False) is (route if route.locked else None)
    assert {r for r in Route if not r.locked} == {Route.JOURNAL, Route.ENTRY, Route.HISTORY, Route.EDITOR,
                                                 Route.SEARCH, Route.TOOLKIT, Route.SETTINGS, Route.REKEY,
                                                 Route.TRANSFER, Route.LEAD, Route.TODAY, Route.MY_ROUND, Route.PLAN}


def test_a_locked_app_asked_for_a_journal_route_gets_the_lock_screen(tmp_path: Path) -> None:
    service = VaultService(tmp_path, kdf=FAST_KDF)
    try:
        pending = service.prepare_setup(PASSPHRASE, PASSPHRASE)
        service.finish_setup(pending, pending.recovery_code)
        service.lock()
        router = _model(service).router
        for route, params in ((Route.JOURNAL, {}), (Route.ENTRY, {"id": "e1"}), (Route.EDITOR, {"id": "new"}),
                              (Route.SETTINGS, {})):
            router.navigate(route, **params)
            assert (router.route, router.params) == (Route.UNLOCK, {})
        router.navigate(Route.HELP)
        assert router.route is Route.HELP
    finally:
        service.close()
