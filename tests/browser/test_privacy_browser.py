"""The web client loads nothing from anywhere but the app's own server (app.main.CONTENT_SECURITY_POLICY)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.support import FletWeb
from tests.browser.test_languages_browser import _journal
from tests.conftest import PASSPHRASE


@pytest.mark.browser
def test_the_web_client_asks_no_other_server_for_anything(served_app, web: FletWeb, tmp_path: Path) -> None:
    server = served_app("app", env={"KRAFT_HOME": str(_journal(tmp_path, "en"))})
    origin = urlsplit(server.url).netloc
    elsewhere: list[str] = []

    def watch(route: Any) -> None:  # every request the browser would send over the network
        if urlsplit(route.request.url).netloc == origin:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    web.page.context.route("**/*", watch)
    response = web.page.goto(server.url)
    assert response is not None and "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "no-referrer"
    web.enable_semantics()
    web.type_into("Passphrase", PASSPHRASE, submit=True)
    web.wait_for_button("New entry")
    web.open_tab("Settings", web.button("Lock now").first)
    web.page.wait_for_timeout(1000)  # late loads (fonts, packages) have had their chance
    assert elsewhere == [], f"the web client asked other servers: {elsewhere}"
