from __future__ import annotations

from pathlib import Path

import pytest

from app.config import Profile, load_profile
from app.errors import KraftError, Msg


def test_shipped_profile_is_valid_with_crisis_lines_for_three_countries() -> None:
    profile = load_profile()
    assert {line.country for line in profile.crisis_lines} == {"SE", "NO", "DK"}
    assert profile.relay.url == "" and profile.web.host == "127.0.0.1"


def test_missing_profile_gives_defaults(tmp_path: Path) -> None:
    assert load_profile(tmp_path / "absent.toml") == Profile()


@pytest.mark.parametrize(("body", "fragment"), [
    ('default_language = "de"', "default_language"),
    ('[relay]\nurl = "http://relay.example"', "relay.url"),
    ('[web]\nport = 70000', "web.port"),
    ('[[crisis_lines]]\ncountry = "SE"\nname = "x"\nnumber = "call me"', "crisis_lines.0.number"),
    ('colour = "blue"', "colour"),
])
def test_invalid_profile_names_the_field(tmp_path: Path, body: str, fragment: str) -> None:
    path = tmp_path / "flet.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(KraftError) as err:
        load_profile(path)
    assert err.value.msg is Msg.CONFIG_INVALID
    assert fragment in str(err.value) and str(path) in str(err.value)


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
