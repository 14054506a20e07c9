"""The UI's state is small observable states per feature, wired by a root that holds no data
(docs/adr/0007-app-layout.md): a lock reaches every feature through the session's hooks, and no screen is
handed the whole model."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import flet as ft
import pytest

from app.config import Profile
from app.services.context import AppContext
from app.services.journal import NEW_DRAFT
from app.services.vault_service import VaultService
from app.views.routes import Route
from app.views.states.coordinator import CoordinatorState
from app.views.states.groups import GroupsState
from app.views.states.hosting import HostingState
from app.views.states.journal import JournalState
from app.views.states.model import AppModel
from app.views.states.session import SessionState
from app.views.states.settings import SettingsState
from tests.conftest import FAST_KDF, PASSPHRASE

VIEWS = Path(__file__).resolve().parents[2] / "app" / "views"
FEATURES = (SessionState, JournalState, GroupsState, HostingState, CoordinatorState, SettingsState)


@pytest.fixture
def model(tmp_path: Path) -> Iterator[AppModel]:
    service = VaultService(tmp_path, kdf=FAST_KDF)
    pending = service.prepare_setup(PASSPHRASE, PASSPHRASE)
    service.finish_setup(pending, pending.recovery_code)
    built = AppModel.build(AppContext(vault_service=service, profile=Profile()))
    built.session.start()
    yield built
    service.close()


@pytest.mark.parametrize("state", FEATURES, ids=lambda s: s.__name__)
def test_every_feature_state_is_observable(state: type) -> None:
    assert issubclass(state, ft.Observable)


def test_no_global_revision_counter() -> None:
    assert "revision" not in {f.name for f in dataclasses.fields(SessionState)}
    assert "revision" not in {f.name for f in dataclasses.fields(AppModel)}


def test_state_modules_stay_small() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in (VIEWS / "states").glob("*.py")}
    assert {name: n for name, n in sizes.items() if n > 300} == {}


def test_no_screen_is_handed_the_whole_model() -> None:
    offenders = []
    for path in VIEWS.rglob("*.py"):
        if path.relative_to(VIEWS).parts[0] == "states":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name != "App":
                names = {ast.unparse(a.annotation) for a in node.args.args if a.annotation is not None}
                if "AppModel" in names:
                    offenders.append(f"{path.name}:{node.name}")
    assert offenders == []


def test_a_lock_keeps_the_draft_and_resets_every_feature(model: AppModel) -> None:
    model.router.navigate(Route.EDITOR, id=NEW_DRAFT)
    model.journal.edit(text="not saved yet")
    model.journal.undo_id = "e1"
    model.settings.import_lines = ("Imported 1 entry.",)
    model.coordinator.view = object()  # type: ignore[assignment]
    model.session.notice = "a notice"
    model.session.lock()
    assert model.router.route is Route.UNLOCK
    assert (model.journal.editor.text, model.journal.undo_id, model.settings.import_lines) == ("", None, ())
    assert (model.coordinator.view, model.session.notice) == (None, "")
    model.session.service.unlock(PASSPHRASE)
    draft = model.session.service.require_journal().get_draft(NEW_DRAFT)
    assert draft is not None and draft.text == "not saved yet"


def test_services_come_from_one_context_renewed_at_lock(model: AppModel) -> None:
    before = model.session.ctx
    assert model.groups.groups is before.groups is model.session.ctx.groups
    model.session.lock()
    assert model.session.ctx is not before
    assert model.groups.groups is model.session.ctx.groups
