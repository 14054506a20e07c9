"""The one check of a relay's address, shared by the deployment profile (app/config.py) and the relay client
(app/services/relay_client.py): a prefix test let `http://127.0.0.1.evil.example` through the profile while the
client refused it, so there is now only this one, which reads the host as a URL parser does."""

from __future__ import annotations

from urllib.parse import urlsplit

from app.errors import KraftError, Msg

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def check_relay_url(url: str) -> str:
    """An http(s) base URL without query or fragment; plain http only to this machine."""
    url = url.strip().rstrip("/")
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading it is the check: out of range or not a number raises ValueError
    except ValueError as exc:  # "http://[::1" or a port of 99999
        raise KraftError(Msg.RELAY_URL_INVALID, url=url) from exc
    local = parts.hostname in LOCAL_HOSTS
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment \
            or (parts.scheme == "http" and not local):
        raise KraftError(Msg.RELAY_URL_INVALID, url=url)
    return url
