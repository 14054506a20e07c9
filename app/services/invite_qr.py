"""The invite's QR code, as SVG or PNG bytes (segno: pure Python). The link inside is what a phone camera opens."""

from __future__ import annotations

import io

import segno


def _code(link: str) -> segno.QRCode:
    return segno.make(link, error="m", micro=False)


def qr_version(link: str) -> int:
    """The QR version (1 to 40) the link needs at error correction M: a phone reads up to about 10 from across
    a room, the denser ones only close up (issue 17)."""
    return int(_code(link).version)


def qr_svg(link: str) -> bytes:
    buffer = io.BytesIO()
    _code(link).save(buffer, kind="svg", scale=4, border=4, dark="#000000", light="#ffffff",
                     title="Kraft invite")
    return buffer.getvalue()


def qr_png(link: str, *, scale: int = 6) -> bytes:
    buffer = io.BytesIO()
    _code(link).save(buffer, kind="png", scale=scale, border=4, dark="#000000", light="#ffffff")
    return buffer.getvalue()
