"""What "I'm interested" and "Tell the coordinator" share (issue 19 points 2 and 4, docs/adr/0016-region-catalogue.md):
the service on the profile's region key and relay, in the session's language, and slow work whose refusal is
kept by the caller beside the control that was used, never as a banner on top."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from app.errors import KraftError
from app.services.interest import InterestService
from app.views.states.session import SessionState

T = TypeVar("T")


def interest_service(session: SessionState) -> InterestService:
    """The person's requests to the region's coordinator: sealed to the profile's region key, sent to its relay,
    kept in the journal (the service says in words when there is none)."""
    profile = session.profile
    return InterestService(session.ctx.vault, region_key=profile.organisation.region_key, relay=profile.relay.url,
                           language=session.language)


def can_tell(session: SessionState) -> bool:
    """Whether this app can reach a coordinator at all: its profile names the region's key and a relay."""
    profile = session.profile
    return bool(profile.organisation.region_key and profile.relay.url)


async def attempt(session: SessionState, label: str, work: Callable[[], T], *, at: str) -> T | KraftError | None:
    """`work` in a thread, its progress beside the control `at`; a refusal is returned (the caller says it where
    it belongs), not put on top of the screen. None also when a lock came while it ran: nothing of it is kept."""
    epoch = session.lock_epoch

    def guarded() -> T | KraftError:
        try:
            return work()
        except KraftError as exc:
            return exc

    result: T | KraftError | None = await session.run(label, guarded, at=at)
    return None if epoch != session.lock_epoch else result
