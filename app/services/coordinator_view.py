"""The coordinator's side (issue 5): counts per group and meeting from the relay, never people; follow-ups
due, totals for a year, and the funders' CSV. Needs the relay's address and the coordinator's bearer token,
which are kept in memory only (a coordinator at a shared desk enters them each time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.attendance import Totals, follow_up_due, year_totals
from app.errors import KraftError, Msg
from app.services.relay_client import RelayClient, RelayError, check_relay_url
from protocol import GroupCounts


@dataclass(frozen=True)
class Overview:
    groups: list[GroupCounts]
    totals: Totals
    follow_ups: list[tuple[GroupCounts, date]]  # soonest first
    year: int


class CoordinatorView:
    def __init__(self, relay: str, token: str) -> None:
        self.relay = check_relay_url(relay)
        self.token = token.strip()
        if not self.relay or not self.token:
            raise KraftError(Msg.COORDINATOR_TOKEN_MISSING)

    def overview(self, *, today: date) -> Overview:
        try:
            with RelayClient(self.relay) as client:
                data = client.request("GET", "/v1/coordinator/groups", token=self.token)
        except RelayError as exc:
            raise exc.to_kraft(self.relay) from exc
        groups = [GroupCounts.from_json(g) for g in data.get("groups", [])]
        due = sorted(((g, follow_up_due(g, today)) for g in groups), key=lambda pair: pair[1])
        return Overview(groups=groups, totals=year_totals(groups, today.year), follow_ups=due, year=today.year)

    def export_csv(self, year: int) -> str:
        try:
            with RelayClient(self.relay) as client:
                return client.text(f"/v1/coordinator/export.csv?year={year}", token=self.token)
        except RelayError as exc:
            raise exc.to_kraft(self.relay) from exc
