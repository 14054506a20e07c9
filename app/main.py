"""Start Kraft: a window where there is a display, otherwise the web client on 127.0.0.1 (URL printed)."""

from __future__ import annotations

import os
import sys

import flet as ft

from app import i18n
from app.config import load_profile
from app.errors import KraftError
from app.views.app import build_main


def headless() -> bool:
    """No display to open a window on (Linux without X11/Wayland), or the web server was asked for."""
    if os.environ.get("FLET_FORCE_WEB_SERVER", "").lower() in ("1", "true", "yes"):
        return True
    return sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run() -> None:
    i18n.set_language(i18n.device_language())
    try:
        profile = load_profile()
    except KraftError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from exc
    if headless():
        host = os.environ.get("FLET_SERVER_IP") or profile.web.host
        port = int(os.environ.get("FLET_SERVER_PORT") or profile.web.port)
        print(f"Kraft is running at http://{host}:{port}/  (Ctrl+C stops it)", flush=True)
        ft.run(build_main(profile=profile), view=ft.AppView.WEB_BROWSER, host=host, port=port, no_cdn=True)
    else:
        ft.run(build_main(profile=profile), no_cdn=True)


if __name__ == "__main__":
    run()
