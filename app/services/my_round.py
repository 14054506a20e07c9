"""My own round and my crisis plan (docs/adr/0014-meeting-and-themes.md): private notes in the journal, sealed
like every entry and never sent. My round is how things stand before a meeting (1-5, a few words, optionally
the five recovery factors 1-5), drawn over the course; the crisis plan is one record, shown from "Need help
now?" once unlocked, and in a short version without unlocking only when the member opted in to that.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Engine

from app.domain.journal import utcnow
from app.domain.prompts import TAGS as FACTORS
from app.errors import KraftError, Msg
from app.i18n import Language
from app.storage import db, records
from app.storage.stores import preferences
from app.storage.vault import Vault

MAX_WORDS = 280
MAX_LINES, MAX_LINE = 20, 200  # a crisis plan's lists: enough for a plan, bounded for the screen
SHORT_PLAN = "crisis_plan_short"  # the preference that holds the opted-in short version, in plaintext


@dataclass(frozen=True)
class RoundNote:
    id: str
    created: datetime
    score: int
    words: str
    factors: dict[str, int]


def _clean(text: str, limit: int) -> str:
    line = " ".join("".join(c for c in str(text) if unicodedata.category(c)[0] != "C" or c in " \t\n").split())
    if len(line) > limit:
        raise KraftError(Msg.TEXT_TOO_LONG, maximum=limit)
    return line


def _scale(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise KraftError(Msg.ROUND_SCORE_INVALID, what=what)
    return value


class RoundService:
    def __init__(self, vault: Vault, *, now: Callable[[], datetime] = utcnow) -> None:
        self._vault, self._now = vault, now

    def add(self, score: int, words: str = "", factors: dict[str, int] | None = None) -> RoundNote:
        """Note how things stand: 1 (hard) to 5 (good), a few words, and the recovery factors chosen."""
        checked = {name: _scale(value, name) for name, value in (factors or {}).items()}
        unknown = sorted(set(checked) - set(FACTORS))
        if unknown:
            raise KraftError(Msg.ROUND_FACTOR_UNKNOWN, factor=unknown[0], choices=", ".join(FACTORS))
        note = RoundNote(records.ROUND.new_id(), self._now(), _scale(score, "score"), _clean(words, MAX_WORDS),
                         checked)
        payload = records.ROUND.pack({"created": note.created, "score": note.score, "words": note.words,
                                      "factors": note.factors})
        self._vault.put(records.ROUND.name, payload, note.id)
        return note

    def notes(self) -> list[RoundNote]:
        """Every note, oldest first (the order of a course)."""
        found = []
        for record_id, payload in self._vault.load_kind(records.ROUND.name).items:
            data = records.ROUND.unpack(record_id, payload)
            found.append(RoundNote(record_id, data["created"], int(data["score"]), str(data.get("words", "")),
                                   {str(k): int(v) for k, v in (data.get("factors") or {}).items()}))
        return sorted(found, key=lambda n: (n.created, n.id))

    def readout(self, lang: Language) -> str:
        """The chart's series in words, for a screen reader: one line per note."""
        return "\n".join(lang.gettext("{day}: {score} of 5").format(day=lang.format_day(n.created.date()),
                                                                    score=n.score) for n in self.notes())


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str


@dataclass(frozen=True)
class CrisisPlan:
    warning_signs: tuple[str, ...] = ()
    helps: tuple[str, ...] = ()  # what helps me
    people: tuple[Contact, ...] = ()  # people I can call
    professionals: tuple[Contact, ...] = ()

    def short(self) -> dict[str, object]:
        """What the opted-in short version holds: what helps and who to call, never the warning signs."""
        return {"helps": list(self.helps), "people": [asdict(c) for c in (*self.people, *self.professionals)]}


def _lines(values: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    cleaned = tuple(line for line in (_clean(v, MAX_LINE) for v in values) if line)
    if len(cleaned) > MAX_LINES:
        raise KraftError(Msg.TEXT_TOO_LONG, maximum=MAX_LINES)
    return cleaned


def _contacts(values: tuple[Contact, ...] | list[Contact]) -> tuple[Contact, ...]:
    found = []
    for contact in values:
        phone = "".join(c for c in contact.phone if c.isdigit() or c in "+ -()").strip()
        if contact.phone.strip() and len([c for c in phone if c.isdigit()]) < 3:
            raise KraftError(Msg.PHONE_INVALID, phone=contact.phone[:40])
        name = _clean(contact.name, MAX_LINE)
        if name or phone:
            found.append(Contact(name, phone))
    return tuple(found[:MAX_LINES])


class PlanService:
    def __init__(self, engine: Engine, vault: Vault) -> None:
        self._engine, self._vault = engine, vault

    def get(self) -> CrisisPlan:
        payload = self._vault.get(records.PLAN.name, records.PLAN.only_id)
        if payload is None:
            return CrisisPlan()
        data = records.PLAN.unpack(records.PLAN.only_id, payload)
        return CrisisPlan(tuple(data.get("warning_signs", ())), tuple(data.get("helps", ())),
                          tuple(Contact(**c) for c in data.get("people", ())),
                          tuple(Contact(**c) for c in data.get("professionals", ())))

    def save(self, plan: CrisisPlan) -> CrisisPlan:
        """Keep the plan (sealed); an opted-in short version follows the change at once."""
        checked = CrisisPlan(_lines(plan.warning_signs), _lines(plan.helps), _contacts(plan.people),
                             _contacts(plan.professionals))
        data = {"warning_signs": list(checked.warning_signs), "helps": list(checked.helps),
                "people": [asdict(c) for c in checked.people],
                "professionals": [asdict(c) for c in checked.professionals]}
        self._vault.put(records.PLAN.name, records.PLAN.pack(data), records.PLAN.only_id)
        if self.short_shown():
            self._write_short(checked)
        return checked

    def show_short_without_unlock(self, on: bool) -> None:
        """The explicit opt-in: the short version is written in plaintext on this device (or wiped)."""
        if on:
            self._write_short(self.get())
        else:
            with db.begin(self._engine) as conn:
                preferences.set_preference(conn=conn, name=SHORT_PLAN, value="")

    def _write_short(self, plan: CrisisPlan) -> None:
        with db.begin(self._engine) as conn:
            preferences.set_preference(conn=conn, name=SHORT_PLAN, value=json.dumps(plan.short()))

    def short_shown(self) -> bool:
        return bool(short_plan(self._engine))


def short_plan(engine: Engine) -> dict[str, object]:
    """The short version for a locked app: {} unless the member opted in."""
    with engine.connect() as conn:
        value = preferences.get_preference(conn=conn, name=SHORT_PLAN)
    try:
        data = json.loads(value) if value else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def short_version(engine: Engine) -> CrisisPlan | None:
    """The opted-in short version as a plan (what helps, who to call), for a locked app; None when not chosen."""
    data = short_plan(engine)
    if not data:
        return None
    helps = data.get("helps")
    people = data.get("people")
    return CrisisPlan(helps=tuple(str(h) for h in helps) if isinstance(helps, list) else (),
                      people=tuple(Contact(str(c.get("name", "")), str(c.get("phone", "")))
                                   for c in people if isinstance(c, dict)) if isinstance(people, list) else ())
