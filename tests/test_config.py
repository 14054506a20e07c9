from __future__ import annotations

from pathlib import Path

import pytest

from app.config import Profile, load_profile
from app.errors import KraftError, Msg


def test_shipped_profile_is_valid_with_crisis_lines_for_three_countries() -> None:
    profile = load_profile()
    assert {line.country for line in profile.crisis_lines} == {"SE", "NO", "DK"}
    assert profile.relay.url == "" and profile.web.host == "127.0.0.1"


def test_missing_profile_beside_the_app_gives_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KRAFT_CONFIG", raising=False)
    monkeypatch.setattr("app.config.DEFAULT_PATH", tmp_path / "absent.toml")
    assert load_profile() == Profile()


def test_kraft_config_naming_a_missing_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A region that names its profile and mistypes the name would otherwise run with the defaults: another
    region's crisis lines and no relay, with nothing said."""
    missing = tmp_path / "regoin.toml"
    monkeypatch.setenv("KRAFT_CONFIG", str(missing))
    with pytest.raises(KraftError) as err:
        load_profile()
    assert err.value.msg is Msg.CONFIG_UNREADABLE
    assert str(missing) in str(err.value) and "No such file" in str(err.value)


@pytest.mark.parametrize(("body", "fragment"), [
    ('default_language = "de"', "default_language"),
    ('[relay]\nurl = "http://relay.example"', "relay.url"),
    ('[web]\nport = 70000', "web.port"),
    ('[[crisis_lines]]\ncountry = "SE"\nname = "x"\nnumber = "call me"', "crisis_lines.0.number"),
    ('colour = "blue"', "colour"),
    ("crisis_lines = []", "crisis_lines"),
    ('[relay]\nurl = "http://127.0.0.1.evil.example"', "relay.url"),
    ('[relay]\nurl = "http://localhost.evil.example/"', "relay.url"),
    ('[relay]\nurl = "http://[::1"', "relay.url"),
    ('[relay]\nurl = "https://relay.example:99999"', "relay.url"),
    ('[relay]\nurl = "https://relay.example/?q=1"', "relay.url"),
])
def test_invalid_profile_names_the_field(tmp_path: Path, body: str, fragment: str) -> None:
    path = tmp_path / "flet.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(KraftError) as err:
        load_profile(path)
    assert err.value.msg is Msg.CONFIG_INVALID
    assert fragment in str(err.value) and str(path) in str(err.value)


@pytest.mark.parametrize("body", [
    "x = " + "[" * 5000 + "]" * 5000,
    "x = " + "{a = " * 5000 + "1" + "}" * 5000,
    "crisis_lines = " + "[" * 900 + "]" * 900,
])
def test_deeply_nested_profile_is_a_clear_error(tmp_path: Path, body: str) -> None:
    path = tmp_path / "flet.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(KraftError) as err:
        load_profile(path)
    assert err.value.msg in (Msg.CONFIG_UNREADABLE, Msg.CONFIG_INVALID) and str(path) in str(err.value)


def test_relay_url_on_this_device_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "flet.toml"
    for url in ("http://127.0.0.1:8800/", "http://localhost:8800", "https://relay.example/kraft"):
        path.write_text(f'[relay]\nurl = "{url}"', encoding="utf-8")
        assert load_profile(path).relay.url == url.rstrip("/")


def test_unparseable_profile_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "flet.toml"
    path.write_text("default_language = ", encoding="utf-8")
    with pytest.raises(KraftError) as err:
        load_profile(path)
    assert err.value.msg is Msg.CONFIG_UNREADABLE


def test_kraft_config_variable_points_at_another_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "region.toml"
    path.write_text('default_language = "da"\n[organisation]\nname = "Region Syd"\n', encoding="utf-8")
    monkeypatch.setenv("KRAFT_CONFIG", str(path))
    profile = load_profile()
    assert profile.default_language == "da" and profile.organisation.name == "Region Syd"
