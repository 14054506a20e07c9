"""`kraft coordinator key|catalogue` and `kraft find` (issue 19 points 1 and 6) against a real relay process:
the coordinator makes the region key, lists groups, removes one; a person with no journal finds them by theme
and town, in text, in JSON and offline; bad input is a message, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import Kraft
from tests.conftest import PASSPHRASE
from tests.relay_process import Relay, shared_relay


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[Relay]:
    yield shared_relay()  # emptied; one process per test worker (tests/relay_process.py)


def _profile(folder: Path, key_line: str, relay_url: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / "flet.toml"
    path.write_text(f'[organisation]\nregion_key = "{key_line}"\n\n[relay]\nurl = "{relay_url}"\n', encoding="utf-8")
    return path


ADD = ("coordinator", "catalogue", "add", "--language", "sv", "--weekday", "2", "--time", "18:00",
       "--intake", "040-12 34 56")


def test_the_coordinator_lists_groups_and_anyone_finds_them(kraft: Kraft, vault: Path, relay: Relay,
                                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = kraft("coordinator", "key", "new")
    assert made.code == 0, made.err
    key_line = made.out.strip()
    assert key_line.startswith("KRAFT-REGION-1.") and "region_key" in made.err
    assert kraft("coordinator", "key", "show").out.strip() == key_line
    assert kraft("coordinator", "key", "new").code == 2  # made once: a second would orphan the region's apps

    monkeypatch.setenv("KRAFT_COORDINATOR_TOKEN", relay.coordinator_token())
    relay_opt = ("--relay", relay.url)
    stress = kraft(*ADD, *relay_opt, "--theme", "exhaustion", "--town", "Malmö", "--needed", "3")
    assert stress.code == 0, stress.err
    online = kraft(*ADD, *relay_opt, "--words", "Att leva med tinnitus", "--online", "--needed", "5")
    lund = kraft(*ADD, *relay_opt, "--theme", "separation", "--town", "Lund", "--status", "running")
    assert online.code == 0 and lund.code == 0, online.err + lund.err
    listed = json.loads(kraft("coordinator", "catalogue", "list", *relay_opt, "--json").out)
    assert [e["id"] for e in listed["entries"]] == [stress.out.strip(), online.out.strip(), lund.out.strip()]

    assert kraft("coordinator", "catalogue", "remove", lund.out.strip(), *relay_opt).code == 0
    assert kraft("coordinator", "catalogue", "remove", lund.out.strip(), *relay_opt).code == 2

    person = tmp_path / "anna"  # no journal
    person.mkdir()
    monkeypatch.setenv("KRAFT_HOME", str(person))
    monkeypatch.delenv("KRAFT_PASSPHRASE", raising=False)
    monkeypatch.setenv("KRAFT_CONFIG", str(_profile(tmp_path / "profile", key_line, relay.url)))
    found = kraft("find")
    assert found.code == 0, found.err
    assert "Exhaustion, stress and worry" in found.out and "Att leva med tinnitus" in found.out
    assert "Separation" not in found.out  # removed
    assert "Forming: 3 more people needed before it starts" in found.out
    assert "Intake: 040-12 34 56" in found.out
    by_theme = json.loads(kraft("find", "--theme", "stress", "--json").out)
    assert [e["id"] for e in by_theme["entries"]] == [stress.out.strip()] and by_theme["fresh"] is True
    assert [e["place"] for e in json.loads(kraft("find", "--town", "malmo", "--json").out)["entries"]] == ["Malmö"]
    assert "No group matches" in kraft("find", "--theme", "knitting").out
    assert not (person / "kraft.db").exists()  # looking made no journal and no database

    monkeypatch.setenv("KRAFT_CONFIG", str(_profile(tmp_path / "offline", key_line, "http://127.0.0.1:9")))
    offline = kraft("find", "--theme", "tinnitus")
    assert offline.code == 0 and "Att leva med tinnitus" in offline.out
    assert "copy on this device" in offline.err
    assert json.loads(kraft("find", "--offline", "--json").out)["fresh"] is False

    monkeypatch.setenv("KRAFT_CONFIG", str(_profile(tmp_path / "sv", key_line, relay.url)))
    monkeypatch.setenv("LANGUAGE", "sv")
    assert "Utmattning" in kraft("find", "--theme", "stress").out  # the theme in the reader's language


def test_bad_input_is_a_message(kraft: Kraft, vault: Path, relay: Relay, monkeypatch: pytest.MonkeyPatch,
                                tmp_path: Path) -> None:
    assert kraft("coordinator", "key", "new").code == 0
    monkeypatch.setenv("KRAFT_COORDINATOR_TOKEN", relay.coordinator_token())
    relay_opt = ("--relay", relay.url)
    for extra, words in [(("--theme", "nope", "--town", "Lund"), "theme: nope is not a theme"),
                         (("--town", "Lund"), "give a theme from the library"),
                         (("--theme", "life", "--town", "Lund", "--zone", "Mars/Base"), "zone:"),
                         (("--theme", "life", "--town", "Lund", "--needed", "9"), "needed: 0 to 8"),
                         (("--theme", "life", "--online", "--status", "running", "--needed", "2"), "needed:")]:
        result = kraft(*ADD, *relay_opt, *extra)
        assert result.code == 2 and words in result.err and "Traceback" not in result.err, (extra, result.err)
    assert kraft(*ADD, *relay_opt, "--theme", "life").code == 2  # neither --town nor --online
    bad_day = kraft("coordinator", "catalogue", "add", "--language", "sv", "--weekday", "8", "--time", "18:00",
                    "--intake", "x", "--theme", "life", "--online", *relay_opt)
    assert bad_day.code == 2 and "not a weekday" in bad_day.err
    monkeypatch.setenv("KRAFT_COORDINATOR_TOKEN", "not-a-token")
    refused = kraft(*ADD, *relay_opt, "--theme", "life", "--online")
    assert refused.code == 1 and "refused" in refused.err and "Traceback" not in refused.err

    monkeypatch.setenv("KRAFT_CONFIG", str(_profile(tmp_path / "p", "", relay.url)))
    no_key = kraft("find")
    assert no_key.code == 1 and "region key" in no_key.err
    bad_profile = _profile(tmp_path / "bad", "KRAFT-REGION-1.nope", relay.url)
    monkeypatch.setenv("KRAFT_CONFIG", str(bad_profile))
    broken = kraft("find")
    assert broken.code != 0 and "region_key" in broken.err and "Traceback" not in broken.err


def test_a_coordinator_without_a_key_is_told_how_to_make_one(kraft: Kraft, vault: Path, relay: Relay,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KRAFT_COORDINATOR_TOKEN", relay.coordinator_token())
    result = kraft("coordinator", "catalogue", "list", "--relay", relay.url)
    assert result.code == 1 and "kraft coordinator key new" in result.err


def _journal(home: Path) -> None:
    from app.services.vault_service import VaultService
    from tests.conftest import FAST_KDF

    home.mkdir()
    service = VaultService(home, kdf=FAST_KDF)
    pending = service.prepare_setup(PASSPHRASE)
    service.finish_setup(pending, pending.recovery_code)
    service.close()


def test_interest_the_coordinators_count_the_start_and_the_join(kraft: Kraft, vault: Path, relay: Relay,
                                                                tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                ) -> None:
    key_line = kraft("coordinator", "key", "new").out.strip()
    monkeypatch.setenv("KRAFT_COORDINATOR_TOKEN", relay.coordinator_token())
    relay_opt = ("--relay", relay.url)
    entry = kraft(*ADD, *relay_opt, "--theme", "exhaustion", "--town", "Malmö", "--needed", "2").out.strip()
    monkeypatch.setenv("KRAFT_CONFIG", str(_profile(tmp_path / "profile", key_line, relay.url)))

    anna = tmp_path / "anna"
    _journal(anna)
    monkeypatch.setenv("KRAFT_HOME", str(anna))
    added = kraft("interest", "add", entry[:6], "--contact", "anna@example.org")
    assert added.code == 0, added.err
    assert kraft("interest", "add", entry[:6]).code == 2  # asked already
    bad = kraft("interest", "add", entry[:6], "--contact", "call me")
    assert bad.code == 2 and "phone number or an e-mail address" in bad.err
    assert kraft("interest", "lead", "maybe").code == 0
    mine = json.loads(kraft("interest", "list", "--json").out)["requests"]
    assert [(r["kind"], r["entry"], r["contact"]) for r in mine] == [("interest", entry, "anna@example.org"),
                                                                      ("lead", "", "")]

    monkeypatch.setenv("KRAFT_HOME", str(vault))
    counted = json.loads(kraft("coordinator", "interest", *relay_opt, "--json").out)
    assert [(e["id"], e["interested"], e["contacts"]) for e in counted["entries"]] == [(entry, 1,
                                                                                        ["anna@example.org"])]
    assert counted["leaders"] == [{"answer": "maybe", "contact": ""}] and counted["unreadable"] == 0
    text = kraft("coordinator", "interest", *relay_opt).out
    assert "1 person interested" in text and "anna@example.org" in text

    starter = tmp_path / "starter"
    _journal(starter)
    monkeypatch.setenv("KRAFT_HOME", str(starter))
    created = kraft("lead", "create", "Tisdag", "--first", "2030-01-08", "--at", "18:00", "--count", "8",
                    "--relay", relay.url, "--enrolment", relay.enrolment_token())
    assert created.code == 0, created.err
    invite = kraft("lead", "invite", created.out.strip()[:6]).out.strip()
    monkeypatch.setenv("KRAFT_HOME", str(vault))
    assert kraft("coordinator", "start", entry, "--starter", "not a link", *relay_opt).code == 2
    started = kraft("coordinator", "start", entry, "--starter", invite, *relay_opt)
    assert started.code == 0 and "1 interested person" in started.out, started.err

    monkeypatch.setenv("KRAFT_HOME", str(anna))
    listed = kraft("interest", "list")
    assert f"kraft join {invite}" in listed.out
    joined = kraft("join", invite, "--name", "Anna", "--yes")  # her journal opens with KRAFT_PASSPHRASE
    assert joined.code == 0, joined.err
    running = json.loads(kraft("find", "--json").out)["entries"]
    assert [(e["status"], e["needed"]) for e in running] == [("running", 0)]

    assert kraft("interest", "withdraw", entry[:6]).code == 0
    assert kraft("interest", "withdraw", entry[:6]).code == 2
    assert "Taken back" in kraft("interest", "lead", "no").out
    assert "nothing to take back" in kraft("interest", "lead", "no").out
    monkeypatch.setenv("KRAFT_HOME", str(vault))
    after = json.loads(kraft("coordinator", "interest", *relay_opt, "--json").out)
    assert after["entries"][0]["interested"] == 0 and after["leaders"] == []


def test_announcements_from_the_coordinator_to_members_who_turned_them_on(
        kraft: Kraft, vault: Path, relay: Relay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key_line = kraft("coordinator", "key", "new").out.strip()
    monkeypatch.setenv("KRAFT_COORDINATOR_TOKEN", relay.coordinator_token())
    relay_opt = ("--relay", relay.url)
    announce = ("coordinator", "announce", *relay_opt, "--title", "Föreläsning: sömn och oro", "--time", "18:00")
    made = kraft(*announce, "--day", "2099-03-14", "--town", "Malmö", "--text", "Ingen anmälan.")
    assert made.code == 0, made.err
    passed = kraft(*announce, "--day", "2020-01-01", "--online")
    assert passed.code == 2 and "day: that day has passed" in passed.err
    no_title = kraft("coordinator", "announce", *relay_opt, "--day", "2099-03-14")
    assert no_title.code == 2 and "--title" in no_title.err
    follow = kraft(*announce, "--day", "2099-01-19", "--online", "--group", "x")
    assert follow.code == 2 and "group:" in follow.err

    member = tmp_path / "member"
    member.mkdir()
    monkeypatch.setenv("KRAFT_HOME", str(member))
    monkeypatch.delenv("KRAFT_PASSPHRASE", raising=False)
    monkeypatch.setenv("KRAFT_CONFIG", str(_profile(tmp_path / "profile", key_line, relay.url)))
    assert "kraft announcements --on" in kraft("announcements").out  # off until turned on
    assert kraft("announcements", "--on").code == 0
    shown = kraft("announcements")
    assert "Lecture: Föreläsning: sömn och oro" in shown.out and "Malmö" in shown.out and "Ingen anmälan." in shown.out
    [item] = json.loads(kraft("announcements", "--json").out)["announcements"]
    assert item["start"] == "2099-03-14T18:00:00+01:00" and item["mine"] is False
    ics = tmp_path / "region.ics"
    assert kraft("announcements", "--ics", str(ics)).code == 0
    assert "SUMMARY:Föreläsning: sömn och oro" in ics.read_text(encoding="utf-8")

    monkeypatch.setenv("KRAFT_HOME", str(vault))
    monkeypatch.setenv("KRAFT_PASSPHRASE", PASSPHRASE)
    assert kraft("coordinator", "announce", *relay_opt, "--cancel", made.out.strip()).code == 0
    monkeypatch.setenv("KRAFT_HOME", str(member))
    assert "No announcements" in kraft("announcements").out
    assert kraft("announcements", "--off").code == 0
    assert "are off" in kraft("announcements").out
