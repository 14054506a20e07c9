"""Finding a group: the region's signed catalogue, fetched from the relay and kept on the device
(docs/adr/0016-region-catalogue.md). No journal and no account: the catalogue is public, and only a copy
signed by the region key in the app's profile is ever shown."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.config import Profile
from app.errors import KraftError, Msg
from app.services.relay_client import RelayClient, RelayError
from app.storage.catalogue_cache import read_cached, write_cached
from protocol import Catalogue, ProtocolError, read_catalogue, read_region_key, region_id

NEW, SAME, KEPT = "new", "same", "kept"  # what a fetch did: a newer list, nothing new, the relay's was older


@dataclass(frozen=True)
class Fetched:
    catalogue: Catalogue
    outcome: str  # NEW, SAME or KEPT


class CatalogueService:
    def __init__(self, *, region_key: str, relay: str, home: Path) -> None:
        self.key = read_region_key(region_key).sig if region_key else ""
        self.region = region_id(self.key) if self.key else ""
        self.relay = relay
        self.home = home

    @classmethod
    def for_profile(cls, profile: Profile, home: Path) -> CatalogueService:
        return cls(region_key=profile.organisation.region_key, relay=profile.relay.url, home=home)

    @property
    def available(self) -> bool:
        """Whether this app can show a catalogue at all (its profile names a region key)."""
        return bool(self.key)

    def cached(self) -> Catalogue | None:
        """The copy on this device, when it is still signed by the region key; else None."""
        if not self.key:
            return None
        data = read_cached(self.home, self.region)
        if data is None:
            return None
        try:
            return read_catalogue(data.get("catalogue"), data.get("signature"), key=self.key)
        except ProtocolError:
            return None

    def fetch(self) -> Fetched:
        """The relay's catalogue, kept when it is the region's and not older than the copy here.

        KraftError: NO_REGION_KEY, NO_RELAY, CATALOGUE_NONE (the relay has none), CATALOGUE_FORGED (not the
        region's signature), or the relay's own errors (unreachable, refused)."""
        if not self.key:
            raise KraftError(Msg.NO_REGION_KEY)
        if not self.relay:
            raise KraftError(Msg.NO_RELAY)
        try:
            with RelayClient(self.relay) as client:
                data = client.request("GET", f"/v1/catalogues/{self.region}")
        except RelayError as exc:
            if exc.status == 404:
                raise KraftError(Msg.CATALOGUE_NONE) from exc
            raise exc.to_kraft(self.relay) from exc
        try:
            fetched = read_catalogue(data.get("catalogue"), data.get("signature"), key=self.key)
        except ProtocolError as exc:
            raise KraftError(Msg.CATALOGUE_FORGED) from exc
        mine = self.cached()
        if mine is not None and mine.serial > fetched.serial:
            return Fetched(mine, KEPT)  # a relay serving an old list cannot take back what this device saw
        if mine is not None and mine.serial == fetched.serial:
            return Fetched(mine, SAME)
        write_cached(self.home, self.region, {"catalogue": fetched.document(), "signature": fetched.signature})
        return Fetched(fetched, NEW)

    def latest(self) -> tuple[Catalogue | None, KraftError | None]:
        """For a screen: the fetched catalogue, else the copy here beside why it could not be fetched."""
        try:
            return self.fetch().catalogue, None
        except KraftError as exc:
            return self.cached(), exc
