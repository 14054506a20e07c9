"""Talking to a region's relay (ADR 0004) over HTTP: the only place the app opens a network connection.

Every request names only public ids and carries signed ciphertext. Failures are `RelayError` with the HTTP
status (None when the relay could not be reached) so the outbox can tell "try again later" from "refused".
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from app.errors import KraftError, Msg

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
USER_AGENT = "Kraft"  # the same for every member: nothing that tells devices apart


class RelayError(Exception):
    def __init__(self, status: int | None, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail

    @property
    def retry(self) -> bool:
        """Worth trying again later: unreachable, rate-limited, or the relay's own trouble."""
        return self.status is None or self.status in (408, 425, 429) or self.status >= 500

    def to_kraft(self, relay: str) -> KraftError:
        if self.status is None:
            return KraftError(Msg.RELAY_UNREACHABLE, relay=relay)
        # The message ends the sentence itself; the relay's details end with a full stop of their own.
        return KraftError(Msg.RELAY_REFUSED, detail=self.detail.rstrip(" ."))


def check_relay_url(url: str) -> str:
    """An http(s) base URL without query or fragment; plain http only to this machine."""
    url = url.strip().rstrip("/")
    if not url:
        return ""
    parts = urlsplit(url)
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment \
            or (parts.scheme == "http" and not local):
        raise KraftError(Msg.RELAY_URL_INVALID, url=url)
    return url


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
                token: str = "") -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = self._client.request(method, path, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise RelayError(None, str(exc) or type(exc).__name__) from exc
        if response.status_code >= 400:
            raise RelayError(response.status_code, _detail(response))
        try:
            data = response.json()
        except ValueError as exc:
            raise RelayError(502, "the relay sent something that is not JSON") from exc
        if not isinstance(data, dict):
            raise RelayError(502, "the relay sent an unexpected answer")
        return data

    def text(self, path: str, *, token: str = "") -> str:
        """A GET whose answer is text (the coordinator's CSV)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = self._client.get(path, headers=headers)
        except httpx.HTTPError as exc:
            raise RelayError(None, str(exc) or type(exc).__name__) from exc
        if response.status_code >= 400:
            raise RelayError(response.status_code, _detail(response))
        return response.text

    # ---- the calls of ADR 0004 ----

    def mailbox(self, mailbox: str) -> dict[str, Any]:
        return self.request("GET", f"/v1/mailboxes/{mailbox}")

    def messages(self, mailbox: str, after: int, limit: int = 100) -> dict[str, Any]:
        return self.request("GET", f"/v1/mailboxes/{mailbox}/messages?after={after}&limit={limit}")

    def join_code(self, lookup: str) -> dict[str, Any]:
        return self.request("GET", f"/v1/join-codes/{lookup}")


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, list):  # FastAPI's validation errors
        detail = "; ".join(str(item.get("msg", item)) if isinstance(item, dict) else str(item) for item in detail)
    return str(detail or f"HTTP {response.status_code}")
