"""One group action on the group screen, as the roles and the themes take it: done at once and sent (with
its state in the notice), or refused with its reason kept at the control that was used, nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from app.errors import KraftError
from app.services.groups import Group


async def act(state: Any, group: Group, control: str, work: Callable[[datetime], object], notice: str) -> bool:
    """`state` has `problems` ("group id:control" -> why), `groups` (its "data changed" signal) and `hosting`
    (its delivery). True when done and handed to the delivery."""
    key = f"{group.id}:{control}"
    try:
        work(datetime.now(UTC))
    except KraftError as exc:
        state.problems = {**state.problems, key: str(exc)}
        return False
    state.problems = {k: v for k, v in state.problems.items() if k != key}
    state.groups.changed()
    await state.hosting.delivery.deliver(group, notice)  # sent now, and the notice says so
    return True
