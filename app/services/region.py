"""The coordinator's side of the region (docs/adr/0016-region-catalogue.md): the region key, kept sealed in the
coordinator's journal, and the catalogue of groups it signs. Every change reads the relay's current list,
checks it is this key's, and signs the next one; a relay that took someone else's change first refuses
(`not_newer`), and the change is made again on top of theirs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.domain.themes import get_theme
from app.errors import KraftError, Msg
from app.i18n import _
from app.services.relay_client import RelayClient, RelayError
from app.storage import records
from app.storage.vault import Vault
from protocol import (
    INTEREST,
    LEAD,
    Announcement,
    Catalogue,
    CatalogueEntry,
    Identity,
    ProtocolError,
    Request,
    new_announcement,
    new_entry,
    open_request,
    read_catalogue,
    region_id,
    region_key_text,
    seal_reply,
    sign_catalogue,
    token_from_text,
)
from protocol.catalogue import (
    ANNOUNCEMENT_KINDS,
    ANNOUNCEMENT_LIMITS,
    LANGUAGES,
    MAX_ANNOUNCEMENTS,
    MAX_ENTRIES,
    MAX_NEEDED,
    STATUSES,
    TEXT_LIMITS,
)

TRIES = 3  # a change raced by another coordinator's is made again on the newer list, at most this often


class RegionKeys:
    """The region key in the journal: made once, never shown but as its public line."""

    def __init__(self, vault: Vault) -> None:
        self._vault = vault

    def create(self) -> str:
        """A new region key; returns the public line for the region's profile. REGION_KEY_EXISTS when there is
        one (replacing it would orphan every app that pinned it)."""
        if self._vault.get(records.REGION_KEY.name, records.REGION_KEY.only_id) is not None:
            raise KraftError(Msg.REGION_KEY_EXISTS)
        identity = Identity.new()
        self._vault.put(records.REGION_KEY.name, records.REGION_KEY.pack(identity.to_secret()),
                        records.REGION_KEY.only_id)
        return region_key_text(identity.public())

    def identity(self) -> Identity:
        payload = self._vault.get(records.REGION_KEY.name, records.REGION_KEY.only_id)
        if payload is None:
            raise KraftError(Msg.REGION_KEY_MISSING)
        try:
            return Identity.from_secret(records.REGION_KEY.unpack(records.REGION_KEY.only_id, payload))
        except ProtocolError as exc:
            raise KraftError(Msg.VAULT_DAMAGED, detail=str(exc)) from exc

    def public_text(self) -> str:
        return region_key_text(self.identity().public())


def _field(name: str, problem: str) -> KraftError:
    return KraftError(Msg.CATALOGUE_FIELD, field=name, problem=problem)


def _check_time_zone(time: str, zone: str) -> None:
    parts = time.split(":")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() and len(p) == 2 for p in parts) \
            or int(parts[0]) > 23 or int(parts[1]) > 59:
        raise _field("time", _("a time such as 18:00"))
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise _field("zone", _("a time zone such as Europe/Stockholm")) from None


def check_fields(*, status: str, theme: str, words: str, place: str, language: str, weekday: int, time: str,
                 zone: str, needed: int, intake: str) -> dict[str, object]:
    """The fields of a new entry, tidied and checked, with a message in the coordinator's language naming the
    first one that is wrong (the protocol checks them again, in English, for the relay)."""
    words, place, intake = (" ".join(str(v).split()) for v in (words, place, intake))
    if status not in STATUSES:
        raise _field("status", _("forming or running"))
    if theme and get_theme(theme) is None:
        raise _field("theme", _("{theme} is not a theme of the library or of the region").format(theme=theme[:40]))
    if not theme and not words:
        raise _field("theme", _("give a theme from the library, or own words for it"))
    for name, value in (("words", words), ("place", place), ("intake", intake)):
        if len(value) > TEXT_LIMITS[name]:
            raise _field(name, _("at most {n} characters").format(n=TEXT_LIMITS[name]))
        if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or 0xD800 <= ord(c) < 0xE000 for c in value):
            raise _field(name, _("no control characters"))
    if not intake:
        raise _field("intake", _("say how to reach the intake conversation (a phone number, an e-mail address)"))
    if language not in LANGUAGES:
        raise _field("language", _("one of {choices}").format(choices=", ".join(LANGUAGES)))
    if not 1 <= weekday <= 7:
        raise _field("weekday", _("1 (Monday) to 7 (Sunday)"))
    _check_time_zone(time, zone)
    top = 0 if status == "running" else MAX_NEEDED
    if not 0 <= needed <= top:
        raise _field("needed", _("0 for a running group") if status == "running"
                     else _("0 to {n}").format(n=MAX_NEEDED))
    return {"status": status, "theme": theme, "words": words, "place": place, "language": language,
            "weekday": weekday, "time": time, "zone": zone, "needed": needed, "intake": intake}


def too_big(identity: Identity, entries: tuple[CatalogueEntry, ...], items: tuple[Announcement, ...] = ()) -> bool:
    """Whether these entries make a document over the protocol's size (long texts in many letters)."""
    try:
        sign_catalogue(identity, serial=1, issued=date(2000, 1, 1), entries=entries, announcements=items)
    except ProtocolError:
        return True
    return False


def check_announcement_fields(*, kind: str, title: str, day: str, time: str, zone: str, place: str, mailbox: str,
                              text: str, today: date) -> dict[str, object]:
    """A new announcement's fields, tidied and checked, in the coordinator's language: a day from today on, a
    follow-up with its group's mailbox."""
    title, place, text = (" ".join(str(v).split()) for v in (title, place, text))
    if kind not in ANNOUNCEMENT_KINDS:
        raise _field("kind", _("lecture or follow_up"))
    if not title:
        raise _field("title", _("say what it is, e.g. Lecture: sleep and worry"))
    for name, value in (("title", title), ("place", place), ("text", text)):
        if len(value) > ANNOUNCEMENT_LIMITS[name]:
            raise _field(name, _("at most {n} characters").format(n=ANNOUNCEMENT_LIMITS[name]))
        if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or 0xD800 <= ord(c) < 0xE000 for c in value):
            raise _field(name, _("no control characters"))
    try:
        when = date.fromisoformat(day) if len(day) == 10 else None
    except ValueError:
        when = None
    if when is None:
        raise _field("day", _("a day such as 2027-03-14"))
    if when < today:
        raise _field("day", _("that day has passed"))
    _check_time_zone(time, zone)
    if kind == "follow_up" and not (len(mailbox) == 22 and all(c.isalnum() or c in "-_" for c in mailbox)):
        raise _field("group", _("a follow-up is with one group: give its mailbox (kraft coordinator summary)"))
    return {"kind": kind, "title": title, "day": day, "time": time, "zone": zone, "place": place,
            "mailbox": mailbox if kind == "follow_up" else "", "text": text}


class Publisher:
    """Signs and publishes the region's catalogue with the coordinator's token (kept in memory only)."""

    def __init__(self, identity: Identity, *, relay: str, token: str) -> None:
        self.identity = identity
        self.key = identity.public().sig
        self.region = region_id(self.key)
        self.relay = relay
        self.token = token.strip()
        if not self.relay or not self.token:
            raise KraftError(Msg.COORDINATOR_TOKEN_MISSING)

    def current(self) -> Catalogue | None:
        """The relay's catalogue of this region (None before the first), checked against this key."""
        try:
            with RelayClient(self.relay) as client:
                data = client.request("GET", f"/v1/catalogues/{self.region}")
        except RelayError as exc:
            if exc.status == 404:
                return None
            raise exc.to_kraft(self.relay) from exc
        try:
            return read_catalogue(data.get("catalogue"), data.get("signature"), key=self.key)
        except ProtocolError as exc:
            raise KraftError(Msg.CATALOGUE_FORGED) from exc

    def change(self, change: Callable[[tuple[CatalogueEntry, ...]], tuple[CatalogueEntry, ...]],
               today: date) -> Catalogue:
        """Change the groups of the list (the announcements stay)."""
        return self.publish(lambda entries, items: (change(entries), items), today)

    def publish(self, change: Callable[[tuple[CatalogueEntry, ...], tuple[Announcement, ...]],
                                       tuple[tuple[CatalogueEntry, ...], tuple[Announcement, ...]]],
                today: date) -> Catalogue:
        """Sign and put the next list: `change` makes it from the relay's current one. Announcements whose day
        has passed leave it (nobody needs last month's lecture, and the list stays small)."""
        for attempt in range(TRIES):
            now = self.current()
            entries, items = change(now.entries if now else (), now.announcements if now else ())
            items = tuple(a for a in items if a.date >= today - timedelta(days=1))
            signed = sign_catalogue(self.identity, serial=(now.serial if now else 0) + 1, issued=today,
                                    entries=entries, announcements=items)
            try:
                with RelayClient(self.relay) as client:
                    client.request("PUT", f"/v1/catalogues/{self.region}", signed, token=self.token)
            except RelayError as exc:
                if exc.reason == "not_newer" and attempt + 1 < TRIES:
                    continue
                if exc.reason == "not_newer":
                    raise KraftError(Msg.CATALOGUE_BUSY) from exc
                raise exc.to_kraft(self.relay) from exc
            return read_catalogue(signed["catalogue"], signed["signature"], key=self.key)
        raise KraftError(Msg.CATALOGUE_BUSY)  # not reached: the last try returns or raises

    def announce(self, fields: dict[str, object], *, today: date) -> Announcement:
        """Announce a lecture or a follow-up (fields from `check_announcement_fields`)."""
        item = new_announcement(**fields)

        def adding(entries: tuple[CatalogueEntry, ...], items: tuple[Announcement, ...],
                   ) -> tuple[tuple[CatalogueEntry, ...], tuple[Announcement, ...]]:
            if len(items) >= MAX_ANNOUNCEMENTS or too_big(self.identity, entries, (*items, item)):
                raise KraftError(Msg.CATALOGUE_FULL)
            return entries, (*items, item)

        self.publish(adding, today)
        return item

    def cancel(self, announcement_id: str, *, today: date) -> None:
        """Take an announcement back (the lecture will not happen)."""

        def removing(entries: tuple[CatalogueEntry, ...], items: tuple[Announcement, ...],
                     ) -> tuple[tuple[CatalogueEntry, ...], tuple[Announcement, ...]]:
            if not any(a.id == announcement_id for a in items):
                raise KraftError(Msg.CATALOGUE_ENTRY_UNKNOWN, entry=announcement_id[:20])
            return entries, tuple(a for a in items if a.id != announcement_id)

        self.publish(removing, today)

    def add(self, fields: dict[str, object], *, today: date) -> CatalogueEntry:
        """List a new group (fields from `check_fields`); returns the entry with its new id."""
        entry = new_entry(**fields)

        def adding(entries: tuple[CatalogueEntry, ...]) -> tuple[CatalogueEntry, ...]:
            if len(entries) >= MAX_ENTRIES or too_big(self.identity, (*entries, entry)):
                raise KraftError(Msg.CATALOGUE_FULL)
            return (*entries, entry)

        self.change(adding, today)
        return entry

    def remove(self, entry_id: str, *, today: date) -> None:
        """Take a group off the list (it started and is full, or will not start)."""

        def removing(entries: tuple[CatalogueEntry, ...]) -> tuple[CatalogueEntry, ...]:
            if not any(e.id == entry_id for e in entries):
                raise KraftError(Msg.CATALOGUE_ENTRY_UNKNOWN, entry=entry_id[:20])
            return tuple(e for e in entries if e.id != entry_id)

        self.change(removing, today)


@dataclass(frozen=True)
class Received:
    """A request from the relay as the coordinator's device opened it; `request` None when it did not open
    (not sealed to this key, or damaged): counted, never shown."""

    id: str
    day: str
    request: Request | None


class Inbox:
    """The requests sealed to the region key: interest per entry and would-be leaders, opened on this device
    only (issue 19 points 2 and 4). The relay's list is ciphertext; the counts are made here."""

    def __init__(self, publisher: Publisher) -> None:
        self.publisher = publisher

    def requests(self) -> list[Received]:
        publisher = self.publisher
        try:
            with RelayClient(publisher.relay) as client:
                rows = client.request("GET", f"/v1/catalogues/{publisher.region}/interest",
                                      token=publisher.token).get("requests", [])
        except RelayError as exc:
            raise exc.to_kraft(publisher.relay) from exc
        found = []
        for row in rows if isinstance(rows, list) else []:
            if not isinstance(row, dict):
                continue
            try:
                opened: Request | None = open_request(publisher.identity.dh, row.get("sealed"),
                                                      region=publisher.region)
            except ProtocolError:
                opened = None
            found.append(Received(id=str(row.get("id", "")), day=str(row.get("day", "")), request=opened))
        return found

    @staticmethod
    def per_entry(received: list[Received]) -> dict[str, list[Request]]:
        """Entry id -> the interest in it (a person who asked twice from two devices counts twice: the relay
        cannot tell, and neither can the coordinator without a contact)."""
        out: dict[str, list[Request]] = {}
        for item in received:
            if item.request is not None and item.request.kind == INTEREST:
                out.setdefault(item.request.entry, []).append(item.request)
        return out

    @staticmethod
    def leaders(received: list[Received]) -> list[Request]:
        return [r.request for r in received if r.request is not None and r.request.kind == LEAD]

    def start(self, entry_id: str, invite: str, *, today: date) -> int:
        """"Start this group": the invite the chosen starter made goes, sealed, to the reply mailbox of
        everyone interested in the entry, and the entry shows as running. Returns how many were sent."""
        invite = invite.strip()
        if not invite or "#" not in invite or not token_from_text(invite):
            raise KraftError(Msg.INVITE_MISSING)
        publisher = self.publisher
        current = publisher.current()
        if current is None or current.entry(entry_id) is None:
            raise KraftError(Msg.CATALOGUE_ENTRY_UNKNOWN, entry=entry_id[:20])
        sent = 0
        for request in self.per_entry(self.requests()).get(entry_id, []):
            sealed = seal_reply(request.reply_key, box=request.reply, body={"invite": invite, "entry": entry_id})
            try:
                with RelayClient(publisher.relay) as client:
                    client.request("POST", f"/v1/replies/{request.reply}", {"sealed": sealed}, token=publisher.token)
            except RelayError as exc:
                raise exc.to_kraft(publisher.relay) from exc
            sent += 1

        def running(entries: tuple[CatalogueEntry, ...]) -> tuple[CatalogueEntry, ...]:
            return tuple(replace(e, status="running", needed=0) if e.id == entry_id else e for e in entries)

        publisher.change(running, today)
        return sent
