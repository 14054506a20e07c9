"""Health, and the page a phone camera opens from an invite's QR code."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from coordinator.schemas import Health

router = APIRouter()

JOIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>Kraft invite</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;line-height:1.5}</style>
</head><body>
<h1>Kraft</h1>
<p lang="sv">Öppna inbjudan i appen Kraft: <b>Jag har en inbjudan från min grupp</b>, och klistra in länken.</p>
<p lang="nb">Åpne invitasjonen i Kraft-appen: lim inn lenken under <b>Bli med i en gruppe</b>.</p>
<p lang="da">Åbn invitationen i Kraft-appen: indsæt linket under <b>Bliv en del af en gruppe</b>.</p>
<p>Open the invite in the Kraft app: <b>I have an invite from my group</b>, then paste this link.</p>
<p><small>The invite is the part of the link after #. It never reaches this server.</small></p>
</body></html>
"""


@router.get("/v1/health", response_model=Health, tags=["health"])
def health() -> Health:
    return Health(ok=True)


@router.get("/join", response_class=HTMLResponse, include_in_schema=False)
def join_page() -> HTMLResponse:
    return HTMLResponse(JOIN_PAGE, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})
