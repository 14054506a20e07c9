"""A new group's guidelines are read once, and only "I understand" says so: a reload in between shows them
again (issue 17). The group waiting for the tap is a plaintext device preference: it holds a group id, which
the group list keeps plaintext too (docs/adr/0007-app-layout.md, "Language")."""

from __future__ import annotations

from app.views.routes import Route
from app.views.states.session import SessionState

UNREAD = "guidelines_unread"  # the preference: the group whose guidelines wait for "I understand"


def shown(session: SessionState, group_id: str) -> None:
    """Show the guidelines of a group just added; they count as read only after the tap."""
    session.service.set_preference(UNREAD, group_id)
    session.router.navigate(Route.GUIDELINES, id=group_id)


def unread(session: SessionState) -> str | None:
    """The group whose guidelines were shown but not yet understood, or None (none, or it was removed)."""
    group_id = session.service.get_preference(UNREAD) or None
    return group_id if group_id and any(g.id == group_id for g in session.ctx.groups.list()) else None


def show_again(session: SessionState) -> None:
    """At the start (no journal) or the unlock: the guidelines still waiting for the tap, if any."""
    group_id = unread(session)
    if group_id is not None:
        session.router.show(Route.GUIDELINES, id=group_id)


def understood(session: SessionState) -> None:
    """The member tapped "I understand": on to the journal, or to the meeting without one."""
    session.service.set_preference(UNREAD, "")
    session.router.navigate(Route.JOURNAL if session.unlocked else session.home_screen())
