""""I'm interested" (issue 19 point 2, docs/adr/0016-region-catalogue.md): a request sealed to the region's
coordinator, with a contact only if the person gives one, and a private reply mailbox the app watches for the
invite when the group starts. What the app keeps of it (the entry, the contact, the secret that takes it back,
the reply key) is a sealed record in the journal; the relay holds only ciphertext and the day."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from app.errors import KraftError, Msg
from app.services.relay_client import RelayClient, RelayError
from app.storage import records
from app.storage.vault import Vault
from protocol import (
    INTEREST,
    LEAD,
    CatalogueEntry,
    ProtocolError,
    ReplyBox,
    new_reply_box,
    new_withdraw_secret,
    open_reply,
    read_region_key,
    region_id,
    seal_request,
    withdraw_hash,
)
from protocol.interest import CONTACT_MAX

_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{4,}[0-9]$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_contact(text: str) -> str:
    """A phone number or an e-mail address, tidied; "" for none. CONTACT_INVALID otherwise."""
    contact = " ".join(str(text).split())
    if not contact:
        return ""
    if len(contact) > CONTACT_MAX or not (_PHONE.match(contact) or _EMAIL.match(contact)):
        raise KraftError(Msg.CONTACT_INVALID, maximum=CONTACT_MAX)
    return contact


@dataclass(frozen=True)
class MyRequest:
    """One request as this device keeps it."""

    record_id: str
    kind: str  # INTEREST or LEAD
    entry: str  # the catalogue entry ("" for LEAD)
    title: str  # the entry's theme as it read when asked, in the person's language (shown offline)
    contact: str
    sent_on: str  # ISO day
    relay_id: str
    invite: str  # the invite the coordinator sent when the group started, else ""


class InterestService:
    def __init__(self, vault: Vault | None, *, region_key: str, relay: str, language: str) -> None:
        self._vault = vault
        public = read_region_key(region_key) if region_key else None
        self.region_dh = public.dh if public else ""
        self.region = region_id(public.sig) if public else ""
        self.relay = relay
        self.language = language

    def _open_vault(self) -> Vault:
        if self._vault is None or not self._vault.exists():
            raise KraftError(Msg.INTEREST_NEEDS_JOURNAL)
        if not self._vault.is_unlocked:
            raise KraftError(Msg.VAULT_LOCKED)
        return self._vault

    def _relay(self) -> str:
        if not self.region:
            raise KraftError(Msg.NO_REGION_KEY)
        if not self.relay:
            raise KraftError(Msg.NO_RELAY)
        return self.relay

    def mine(self) -> list[MyRequest]:
        """Every request this device sent and has not taken back, in the order they were made."""
        vault = self._open_vault()
        found = []
        for record_id, payload in vault.load_kind(records.INTEREST.name).items:
            data = records.INTEREST.unpack(record_id, payload)
            found.append((str(data.get("at", "")), MyRequest(record_id=record_id, kind=str(data.get("kind", INTEREST)),
                                   entry=str(data.get("entry", "")), title=str(data.get("title", "")),
                                   contact=str(data.get("contact", "")), sent_on=str(data.get("sent_on", "")),
                                   relay_id=str(data.get("relay_id", "")), invite=str(data.get("invite", "")))))
        return [request for _at, request in sorted(found, key=lambda pair: (pair[0], pair[1].record_id))]

    def _send(self, *, kind: str, entry: str, title: str, contact: str, answer: str, now: datetime) -> MyRequest:
        vault = self._open_vault()
        relay = self._relay()
        contact = check_contact(contact)
        box, secret = new_reply_box(), new_withdraw_secret()
        sealed = seal_request(self.region_dh, region=self.region, kind=kind, entry=entry, contact=contact,
                              reply=box, language=self.language, answer=answer)
        # Kept before it is sent: once the relay holds it, this device must be able to take it back and read
        # its reply. A request that could not be sent is dropped again here.
        data: dict[str, object] = {"kind": kind, "entry": entry, "title": title, "contact": contact,
                                   "sent_on": now.date().isoformat(), "at": now.isoformat(), "relay_id": "",
                                   "secret": secret,
                                   "box": box.to_secret(), "invite": ""}
        record_id = vault.put(records.INTEREST.name, records.INTEREST.pack(data), records.INTEREST.new_id())
        try:
            with RelayClient(relay) as client:
                answered = client.request("POST", f"/v1/catalogues/{self.region}/interest",
                                          {"sealed": sealed, "withdraw": withdraw_hash(secret)})
        except RelayError as exc:
            vault.delete(record_id)
            if exc.status == 404:
                raise KraftError(Msg.CATALOGUE_NONE) from exc
            raise exc.to_kraft(relay) from exc
        data["relay_id"] = str(answered.get("id", ""))
        vault.put(records.INTEREST.name, records.INTEREST.pack(data), record_id)
        return MyRequest(record_id=record_id, kind=kind, entry=entry, title=title, contact=contact,
                         sent_on=now.date().isoformat(), relay_id=str(data["relay_id"]), invite="")

    def interested(self, entry: CatalogueEntry, *, title: str, contact: str, now: datetime) -> MyRequest:
        """Say "I'm interested" in a catalogue entry. INTEREST_EXISTS when this device already did."""
        contact = check_contact(contact)  # what was typed is answered first
        if any(r.kind == INTEREST and r.entry == entry.id for r in self.mine()):
            raise KraftError(Msg.INTEREST_EXISTS)
        return self._send(kind=INTEREST, entry=entry.id, title=title, contact=contact, answer="", now=now)

    def would_lead(self, answer: str, *, contact: str, now: datetime) -> MyRequest:
        """Tell the coordinator "I would lead a group one day" (yes or maybe), with the contact given."""
        for old in self.mine():
            if old.kind == LEAD:
                self._withdraw(old)
        return self._send(kind=LEAD, entry="", title="", contact=contact, answer=answer, now=now)

    def take_back_lead(self) -> bool:
        """Take back "I would lead a group one day" (the member changed their mind); False when none was sent."""
        told = [r for r in self.mine() if r.kind == LEAD]
        for request in told:
            self._withdraw(request)
        return bool(told)

    def withdraw(self, entry_id: str) -> None:
        """Take back the interest in `entry_id` (on the relay, then here). INTEREST_UNKNOWN when there is none."""
        found = [r for r in self.mine() if r.entry == entry_id and r.kind == INTEREST]
        if not found:
            raise KraftError(Msg.INTEREST_UNKNOWN, entry=entry_id[:20])
        for request in found:
            self._withdraw(request)

    def _withdraw(self, request: MyRequest) -> None:
        vault = self._open_vault()
        relay = self._relay()
        data = self._stored(vault, request)
        if request.relay_id:  # else the app stopped before the relay answered: its id was never known here
            try:
                with RelayClient(relay) as client:
                    client.request("DELETE", f"/v1/interest/{request.relay_id}", token=str(data.get("secret", "")))
            except RelayError as exc:
                if exc.status != 404:  # already gone there (expired, or taken back from another try): go on here
                    raise exc.to_kraft(relay) from exc
        vault.delete(request.record_id)

    @staticmethod
    def _stored(vault: Vault, request: MyRequest) -> dict[str, object]:
        payload = vault.get(records.INTEREST.name, request.record_id)
        return records.INTEREST.unpack(request.record_id, payload) if payload is not None else {}

    def check_replies(self) -> int:
        """Fetch each request's reply mailbox; an invite that came is kept beside its request. Returns how many
        new invites."""
        vault = self._open_vault()
        relay = self._relay()
        new = 0
        for request in self.mine():
            if request.invite:
                continue
            data = self._stored(vault, request)
            try:
                box = ReplyBox.from_secret(data.get("box"))
            except (ProtocolError, ValueError):
                continue
            try:
                with RelayClient(relay) as client:
                    replies = client.request("GET", f"/v1/replies/{box.id}").get("replies", [])
            except RelayError as exc:
                raise exc.to_kraft(relay) from exc
            for reply in replies if isinstance(replies, list) else []:
                try:
                    body = open_reply(box, reply.get("sealed") if isinstance(reply, dict) else None)
                except ProtocolError:
                    continue  # not for this box (or damaged): never shown
                invite = body.get("invite")
                if isinstance(invite, str) and invite:
                    data["invite"] = invite
                    vault.put(records.INTEREST.name, records.INTEREST.pack(data), request.record_id)
                    new += 1
                    break
        return new
