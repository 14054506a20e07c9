"""Issue 18's CLI contract for themes and today's meeting (docs/adr/0014-meeting-and-themes.md):
`kraft theme list|propose|vote|results|set` and `kraft meeting guide`, in-process, against a real relay."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.services.vault_service import VaultService
from tests.cli.conftest import Kraft
from tests.cli.test_lead_v2_cli import NOW, _as, _clock, relay  # noqa: F401
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.relay_process import Relay


def _journal(home: Path) -> None:
    service = VaultService(home, kdf=FAST_KDF)
    pending = service.prepare_setup(PASSPHRASE)
    service.finish_setup(pending, pending.recovery_code)
    service.close()


def test_the_library_lists_in_the_members_language(kraft: Kraft, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "sv")
    listed = json.loads(kraft("theme", "list", "--json").out)["themes"]
    assert {"id": "job_seeker", "text": "Att vara arbetssökande", "family": "centre"} in listed
    assert len(listed) == 16


def test_a_group_proposes_votes_and_its_host_sets_the_theme_for_the_guide(
        kraft: Kraft, vault: Path, relay: Relay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    created = kraft("lead", "create", "Tisdag", "--first", NOW.date().isoformat(), "--at", "23:59", "--count", "8",
                    "--duration", "90", "--relay", relay.url, "--enrolment", relay.enrolment_token())
    assert created.code == 0, created.err
    group = created.out.strip()[:6]
    link = kraft("lead", "invite", group).out.strip()
    astrid = tmp_path / "Astrid"
    astrid.mkdir()
    _journal(astrid)
    _as(monkeypatch, astrid, passphrase=True)
    assert kraft("join", link, "--name", "Astrid", "--yes").code == 0
    _as(monkeypatch, vault, passphrase=True)
    assert kraft("lead", "admit", group, "--all").code == 0

    _as(monkeypatch, astrid, passphrase=True)
    assert kraft("sync").code == 0
    proposed = kraft("theme", "propose", group, "living_with_pain")
    assert proposed.code == 0, proposed.err
    own = kraft("theme", "propose", group, "--text", "Att våga säga nej")
    assert own.code == 0, own.err
    meeting = json.loads(kraft("group", "show", group, "--json").out)["meetings"][0]["id"]
    assert kraft("theme", "vote", group, meeting, "living_with_pain").code == 0
    own_choice = next(c["id"] for c in json.loads(kraft("theme", "results", group, "--json").out)["polls"][0]["choices"]
                      if c["theme"] == "")
    assert kraft("theme", "vote", group, meeting, own_choice).code == 0  # then her own words
    taken = kraft("theme", "unvote", group, meeting)
    assert taken.code == 0 and "taken back" in taken.out, taken.err
    mine = json.loads(kraft("theme", "results", group, "--json").out)["polls"][0]["choices"]
    assert [(c["votes"], c["mine"]) for c in mine] == [(0, False), (0, False)]
    assert kraft("theme", "vote", group, meeting, "living_with_pain").code == 0  # and pain after all

    _as(monkeypatch, vault, passphrase=True)
    results = json.loads(kraft("theme", "results", group, "--json").out)["polls"]
    assert [(c["text"], c["votes"]) for c in results[0]["choices"]] == [("Living with pain", 1),
                                                                        ("Att våga säga nej", 0)]
    assert "voters" not in json.dumps(results)  # counts, never who voted what
    astrid_id = next(m["id"] for m in json.loads(kraft("lead", "members", group, "--json").out)["members"]
                     if m["name"] == "Astrid")
    choice = results[0]["choices"][0]["id"]
    assert all(not c["id"].startswith("-") for c in results[0]["choices"])  # never read as an option
    done = kraft("theme", "set", group, meeting, choice, f"--introduced-by={astrid_id}")  # a member id may start with -
    assert done.code == 0, done.err

    _as(monkeypatch, astrid, passphrase=True)
    kraft("sync")
    guide = json.loads(kraft("meeting", "guide", group, "--json").out)
    assert (guide["theme"], guide["introduced_by"], guide["size"]) == ("Living with pain", "Astrid", 2)
    assert sum(p["seconds"] for p in guide["parts"]) == 90 * 60
    text = kraft("meeting", "guide", group, "--size", "6").out
    assert "Each person's turn in the round: 4 min 15 s (6 people)." in text


@pytest.mark.parametrize(("argv", "says"), [
    (("theme", "propose", "nogroup", "hopes"), "No group"),
    (("theme", "vote", "nogroup", "20260101T000000Z", "x"), "No group"),
    (("meeting", "guide", "nogroup", "--size", "1"), "No group"),
])
def test_bad_input_gets_words_not_a_traceback(kraft: Kraft, vault: Path, argv: tuple[str, ...], says: str) -> None:
    got = kraft(*argv)
    assert got.code != 0 and says in got.err and "Traceback" not in got.err


def test_the_regions_own_themes_are_listed_from_its_profile(kraft: Kraft, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from app.domain.themes import use_region_pack

    config = tmp_path / "flet.toml"
    config.write_text('[[themes]]\nid = "loneliness"\nen = "Loneliness"\nda = "Ensomhed"\n', encoding="utf-8")
    monkeypatch.setenv("KRAFT_CONFIG", str(config))
    monkeypatch.setenv("LANGUAGE", "da")
    try:
        listed = json.loads(kraft("theme", "list", "--json").out)["themes"]
    finally:
        use_region_pack([])
    assert listed[-1] == {"id": "loneliness", "text": "Ensomhed", "family": "region"}
