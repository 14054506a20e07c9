"""The homework use case: note what the group was given for its next meeting (a library prompt or the
group's own words), or clear it. Sealed with the group's details, so it needs the journal open.
"""

from __future__ import annotations

from datetime import datetime

from app.services.context import AppContext
from app.services.groups import Group, GroupDetails

OWN = "own"  # the choice meaning "the group's own words" rather than a library prompt id


def note_homework(ctx: AppContext, group: Group, choice: str, text: str = "", *,
                  now: datetime | None = None) -> GroupDetails:
    """Note the homework: `choice` is a library prompt id, or OWN with the words in `text`.

    Why here: the form's choice (a prompt or own words) was turned into the service's arguments in the
    screen's state. Raises KraftError for missing or too long homework, or a journal that is not open.

    Example:
        note_homework(ctx, group, "strengths")
        note_homework(ctx, group, OWN, "What gives you meaning?")
    """
    own = choice == OWN
    return ctx.groups.set_homework(group.id, prompt_id=None if own else choice, text=text if own else None,
                                   now=now or ctx.now())


def clear_homework(ctx: AppContext, group: Group) -> GroupDetails:
    """Forget the noted homework (answered at the meeting, or noted by mistake); other details stay.

    Example:
        clear_homework(ctx, group)
    """
    return ctx.groups.clear_homework(group.id)
