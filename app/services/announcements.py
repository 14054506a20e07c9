"""The region's announcements for a member (issue 19 point 3, docs/adr/0016-region-catalogue.md): lectures for
everyone and the follow-up meeting with one's own group, from the region's signed list, off until the member
turns them on. What shows is read from the list's copy on the device (checked under the pinned key), so it
shows offline too; the calendar file holds them with a reminder a day before."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from app.domain.ics import announcements_to_ics
from app.services.catalogue import CatalogueService
from protocol import Announcement

PREFERENCE = "region_announcements"  # "on" when the member turned them on; a device setting, never sent


@dataclass(frozen=True)
class Upcoming:
    announcement: Announcement
    start: datetime  # in the announcement's zone

    @property
    def mine(self) -> bool:
        """A follow-up with one of the member's own groups (else a lecture for everyone)."""
        return bool(self.announcement.mailbox)


class AnnouncementService:
    def __init__(self, catalogue: CatalogueService, *, get: Callable[[str], str | None],
                 put: Callable[[str, str], None], mailboxes: Callable[[], Iterable[str]]) -> None:
        self._catalogue = catalogue
        self._get, self._put = get, put
        self._mailboxes = mailboxes

    @property
    def available(self) -> bool:
        return self._catalogue.available

    def is_on(self) -> bool:
        return self._get(PREFERENCE) == "on"

    def turn(self, on: bool) -> None:
        self._put(PREFERENCE, "on" if on else "off")

    def refresh(self) -> None:
        """Fetch the list when they are on (errors are the caller's: offline, the copy stays)."""
        if self.is_on():
            self._catalogue.fetch()

    def upcoming(self, today: date) -> list[Upcoming]:
        """The lectures and this member's groups' follow-ups from today on, soonest first; none while off."""
        if not self.is_on():
            return []
        catalogue = self._catalogue.cached()
        if catalogue is None:
            return []
        mine = set(self._mailboxes())
        found = []
        for item in catalogue.announcements:
            if item.date < today or (item.mailbox and item.mailbox not in mine):
                continue
            hour, minute = (int(part) for part in item.time.split(":"))
            found.append(Upcoming(item, datetime.combine(item.date, time(hour, minute), ZoneInfo(item.zone))))
        return sorted(found, key=lambda u: u.start)

    @staticmethod
    def calendar(items: list[Upcoming], *, online: str, alarm_text: str) -> bytes:
        """The announcements as one .ics file; `online` is the place word for an online one."""
        return announcements_to_ics([(f"kraft-announcement-{u.announcement.id}", u.announcement.title, u.start,
                                      u.announcement.place or online, u.announcement.text) for u in items],
                                    alarm_text=alarm_text)
