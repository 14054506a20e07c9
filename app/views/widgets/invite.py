"""The invite a host shows (issue 17): the QR code of the short link, which a tap shows full screen for a
room to scan, the link itself, "Copy link", and the system share sheet where the platform has one.

Copying and sharing are Flet client actions: the client does them inside the tap, the only moment a browser
lets a page write to the clipboard or open a share sheet (Safari drops them after a round trip).
"""

from __future__ import annotations

import flet as ft

from app.i18n import _, format_day
from app.services.invite_qr import qr_png
from app.services.leader import Invite
from app.views.common import text_input

# Built apps whose platform has a share sheet (share_plus). The web client serves only this machine's
# browser, where desktop browsers have no navigator.share; desktop Linux has none either.
SHARE_PLATFORMS = (ft.PagePlatform.ANDROID, ft.PagePlatform.IOS, ft.PagePlatform.MACOS, ft.PagePlatform.WINDOWS)
QR_SIZE = 260
FULL_MARGIN = 24  # on each side of the full-screen code


def can_share(page: ft.Page) -> bool:
    """True where the share button opens the system's sheet (a built phone or desktop app)."""
    return not page.web and page.platform in SHARE_PLATFORMS


def _full_size(page: ft.Page) -> float:
    """As large as the screen's shorter side allows, with a margin (the code stays square)."""
    width, height = page.width or 390, page.height or 844
    return max(200.0, min(float(width), float(height) - 96) - 2 * FULL_MARGIN)


@ft.component
def InviteCard(invite: Invite) -> ft.Control:
    """The invite's QR code, link and ways to pass it on; a tap on the code shows it full screen."""
    full, set_full = ft.use_state(False)
    copied, set_copied = ft.use_state(False)
    page = ft.context.page
    link = invite.shown
    image = qr_png(link, scale=10)

    size = _full_size(page)
    dialog = ft.AlertDialog(  # the whole screen, white: nothing else for a camera across the room to see
        key="invite-full", inset_padding=ft.Padding.all(0), content_padding=ft.Padding.all(0),
        shape=ft.RoundedRectangleBorder(radius=0), bgcolor=ft.Colors.WHITE, on_dismiss=lambda: set_full(False),
        content=ft.Container(ft.Image(src=image, width=size, height=size, fit=ft.BoxFit.CONTAIN,
                                      key="invite-qr-full", semantics_label=_("QR code of the invite link")),
                             width=float(page.width or size), height=float(page.height or size) - 96,
                             alignment=ft.Alignment.CENTER, on_click=lambda: set_full(False)),
        actions=[ft.FilledButton(_("Close"), key="invite-full-close", on_click=lambda: set_full(False))],
        actions_alignment=ft.MainAxisAlignment.CENTER)
    ft.use_dialog(dialog if full else None)  # a hook: called on every render

    buttons: list[ft.Control] = [
        ft.OutlinedButton(_("Show full screen"), icon=ft.Icons.FULLSCREEN, key="invite-full-open",
                          on_click=lambda: set_full(True)),
        ft.OutlinedButton(_("Copy link"), icon=ft.Icons.COPY, key="invite-copy",
                          action=ft.CopyToClipboard(link), on_click=lambda: set_copied(True)),
    ]
    if can_share(page):
        buttons.append(ft.OutlinedButton(_("Share…"), icon=ft.Icons.SHARE, key="invite-share",
                                         action=ft.ShareText(link, subject=_("An invite to a Kraft group"))))
    controls: list[ft.Control] = [
        ft.Container(ft.Image(src=image, width=QR_SIZE, height=QR_SIZE, key="invite-qr",
                              semantics_label=_("QR code of the invite link")),
                     key="invite-qr-open", on_click=lambda: set_full(True),
                     tooltip=_("Show full screen")),
        text_input(_("Invite link"), link, key="invite-link", read_only=True, multiline=True, max_lines=3),
        ft.Row(buttons, wrap=True, spacing=8, run_spacing=8),
    ]
    if copied:
        controls.append(ft.Text(_("The link is copied. Paste it into a message to the person you invite."),
                                key="invite-copied"))
    controls.append(ft.Text(_("Valid until {day}.").format(day=format_day(invite.expires_on))))
    return ft.Column(controls, spacing=12)
