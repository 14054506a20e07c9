"""The group chooses its theme on the real group screen (issue 18, ADR 0014): Astrid proposes and votes in her
app, the starter sees the count (never who), sets the theme, and Astrid's next-meeting card shows it, while no
notification text ever holds it. A real relay process carries every message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.domain.reminders import ReminderSettings
from app.services import notify
from app.services.vault_service import VaultService
from tests.conftest import PASSPHRASE
from tests.ui.harness import run_app
from tests.ui.test_groups_views import _main
from tests.ui.test_roles_views import Group, group, notice, open_ctx, open_group, sync  # noqa: F401
from tests.ui.test_views import el

THEME = "MARKER-theme Att våga säga nej"


def _starts(prefix: str):  # type: ignore[no-untyped-def]
    return lambda c: str(c.key or "").startswith(prefix)


async def test_a_member_proposes_and_votes_and_the_host_sets_the_theme(group: Group) -> None:  # noqa: F811
    services: list[VaultService] = []
    async with run_app(_main(group.astrid, services)) as ui:
        await open_group(ui, group.id)
        await ui.choose(await el(ui, "theme-pick"), "own")
        await ui.type(await el(ui, "theme-words"), THEME)
        await ui.click(await el(ui, "theme-propose"))
        await notice(ui, "Your proposal is on its way")
        vote = await ui.wait_for(lambda: ui.query(where=_starts("theme-vote-")))
        await ui.click(vote)
        await notice(ui, "Your vote is sent")
        assert ui.query(where=_starts("theme-mine-")) is not None
        assert ui.query(where=_starts("theme-set-")) is None  # a member sets no theme
        await ui.click(await ui.wait_for(lambda: ui.query(where=_starts("theme-unvote-"))))  # she changes her mind
        await notice(ui, "Your vote is taken back")
        assert (await ui.wait_for(lambda: ui.query(where=_starts("theme-votes-")))).value == "0 votes"
        assert ui.query(where=_starts("theme-mine-")) is None
        await ui.click(await ui.wait_for(lambda: ui.query(where=_starts("theme-vote-"))))  # and back again
        await notice(ui, "Your vote is sent")
    for service in services:
        service.close()

    sync(group.starter)
    services = []
    async with run_app(_main(group.starter, services)) as ui:
        await open_group(ui, group.id)
        votes = await ui.wait_for(lambda: ui.query(where=_starts("theme-votes-")))
        assert votes.value == "1 vote"
        assert "Astrid" not in " ".join(t for t in ui.texts() if "vote" in t)  # counts, never who
        await ui.click(await ui.wait_for(lambda: ui.query(where=_starts("theme-set-"))))
        await notice(ui, "The theme is set")
        assert (await el(ui, "theme-chosen")).value == f"Chosen: {THEME}"
    for service in services:
        service.close()

    sync(group.astrid)
    services = []
    async with run_app(_main(group.astrid, services)) as ui:
        await ui.type(await el(ui, "unlock-passphrase"), PASSPHRASE)
        await ui.click(await el(ui, "unlock"))
        assert (await el(ui, "next-theme")).value == f"Theme: {THEME}"
    for service in services:
        service.close()
    ctx = open_ctx(group.astrid)
    try:  # every reminder the platform would be handed, with the group's name shown and the journal open
        planned = notify.plan(ctx.groups, ReminderSettings(show_details=True, quiet_start=None, quiet_end=None),
                              now=datetime.now(UTC), journal=ctx.journal, horizon=timedelta(days=30))
    finally:
        ctx.close()
    assert planned and not [n for n in planned if "MARKER-theme" in n.title + n.body]
