"""Talking to a region's relay (ADR 0004) over HTTP: the only place the app opens a network connection.

Every request names only public ids and carries signed ciphertext. Failures are `RelayError` with the HTTP
status (None when the relay could not be reached) so the outbox can tell "try again later" from "refused"; a
409 is `RelayRefused`, a `RelayError` that also carries the relay's `reason` ("repeated_nonce": already
there; "stale_seq": the sequence is behind, as after a restore; "old_epoch", "taken", "version", "not_newer").
"""

from __future__ import annotations

from typing import Any

import httpx

from app.errors import KraftError, Msg
from app.relay_url import check_relay_url

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
MAX_WAIT = 25  # the longest long poll a relay takes (coordinator/settings.py)
__all__ = ["RelayClient", "RelayError", "RelayRefused", "check_relay_url", "long_poll"]

USER_AGENT = "Kraft"  # the same for every member: nothing that tells devices apart


class RelayError(Exception):
    def __init__(self, status: int | None, detail: str, reason: str = "") -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.reason = reason  # the relay's machine-readable reason, on a 409 only

    @property
    def retry(self) -> bool:
        """Worth trying again later: unreachable, rate-limited, or the relay's own trouble."""
        return self.status is None or self.status in (408, 425, 429) or self.status >= 500

    def to_kraft(self, relay: str) -> KraftError:
        if self.status is None:
            return KraftError(Msg.RELAY_UNREACHABLE, relay=relay)
        # The message ends the sentence itself; the relay's details end with a full stop of their own.
        return KraftError(Msg.RELAY_REFUSED, detail=self.detail.rstrip(" ."))


class RelayRefused(RelayError):
    """A 409: the relay understood and will not, for `reason` (one of the relay's Conflict reasons)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(409, detail, reason)


class RelayClient:
    def __init__(self, base_url: str, *, transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = check_relay_url(base_url)
        self._client = httpx.Client(base_url=self.base_url, timeout=TIMEOUT, transport=transport,
                                    headers={"User-Agent": USER_AGENT}, follow_redirects=False)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RelayClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, body: dict[str, Any] | None = None, *,
                token: str = "", timeout: httpx.Timeout | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = self._client.request(method, path, json=body, headers=headers, timeout=timeout or TIMEOUT)
        except httpx.HTTPError as exc:
            raise RelayError(None, str(exc) or type(exc).__name__) from exc
        return _answer(response)

    def text(self, path: str, *, token: str = "") -> str:
        """A GET whose answer is text (the coordinator's CSV)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = self._client.get(path, headers=headers)
        except httpx.HTTPError as exc:
            raise RelayError(None, str(exc) or type(exc).__name__) from exc
        if response.status_code >= 400:
            raise _error(response)
        return response.text

    # ---- the calls of ADR 0004 ----

    def mailbox(self, mailbox: str) -> dict[str, Any]:
        return self.request("GET", f"/v1/mailboxes/{mailbox}")

    def messages(self, mailbox: str, after: int, limit: int = 100) -> dict[str, Any]:
        return self.fetch(mailbox, after, limit=limit)

    def fetch(self, mailbox: str, after: int, *, limit: int = 100, wait: int = 0) -> dict[str, Any]:
        """The messages after `after`; with `wait` (seconds, up to 25) the relay holds the answer until one
        arrives or the wait is over (long poll), so the read timeout here is that much longer."""
        if not 0 <= wait <= MAX_WAIT:
            raise ValueError(f"wait must be 0 to {MAX_WAIT} seconds, not {wait}")
        path = f"/v1/mailboxes/{mailbox}/messages?after={after}&limit={limit}"
        if not wait:
            return self.request("GET", path)
        return self.request("GET", f"{path}&wait={wait}", timeout=httpx.Timeout(wait + 10.0, connect=5.0))

    def rotate_keys(self, mailbox: str, body: dict[str, Any]) -> dict[str, Any]:
        """A new epoch's post key and steward key (and protocol version), signed by the current steward key
        (ADR 0006): `{"epoch", "member_key", "leader_key", "version", "signature"}`."""
        return self.request("PUT", f"/v1/mailboxes/{mailbox}/keys", body)

    def join_code(self, lookup: str) -> dict[str, Any]:
        return self.request("GET", f"/v1/join-codes/{lookup}")


def _error(response: httpx.Response) -> RelayError:
    detail = _detail(response)
    if response.status_code != 409:
        return RelayError(response.status_code, detail)
    try:
        reason = response.json().get("reason")
    except (ValueError, AttributeError):
        reason = None
    return RelayRefused(reason if isinstance(reason, str) else "", detail)


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, list):  # FastAPI's validation errors
        detail = "; ".join(str(item.get("msg", item)) if isinstance(item, dict) else str(item) for item in detail)
    return str(detail or f"HTTP {response.status_code}")


def _answer(response: httpx.Response) -> dict[str, Any]:
    """The relay's JSON object, or the RelayError its status or a body that is not one makes."""
    if response.status_code >= 400:
        raise _error(response)
    if response.status_code == 204:  # done, and nothing to say (a withdrawn request)
        return {}
    try:
        data = response.json()
    except ValueError as exc:
        raise RelayError(502, "the relay sent something that is not JSON") from exc
    if not isinstance(data, dict):
        raise RelayError(502, "the relay sent an unexpected answer")
    return data


async def long_poll(base_url: str, mailbox: str, after: int, *, wait: int = MAX_WAIT,
                    transport: httpx.AsyncBaseTransport | None = None) -> dict[str, Any]:
    """One long poll (docs/adr/0008-delivery.md): the first message after `after`, or none once `wait` seconds
    pass. Asynchronous so that a lock can cancel it at once (the connection is closed). Errors as `request`."""
    if not 0 <= wait <= MAX_WAIT:
        raise ValueError(f"wait must be 0 to {MAX_WAIT} seconds, not {wait}")
    async with httpx.AsyncClient(base_url=check_relay_url(base_url), transport=transport,
                                 timeout=httpx.Timeout(wait + 10.0, connect=5.0), follow_redirects=False,
                                 headers={"User-Agent": USER_AGENT}) as client:
        try:
            response = await client.get(f"/v1/mailboxes/{mailbox}/messages",
                                        params={"after": after, "limit": 1, "wait": wait})
        except httpx.HTTPError as exc:
            raise RelayError(None, str(exc) or type(exc).__name__) from exc
    data = _answer(response)
    if not isinstance(data.get("messages", []), list):
        raise RelayError(502, "the relay sent an unexpected answer")
    return data
