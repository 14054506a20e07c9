"""Issue 18 point 6's CLI: `kraft course show|go-on|lead`, in-process, against a real relay."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Kraft
from tests.cli.test_lead_v2_cli import NOW, relay  # noqa: F401
from tests.relay_process import Relay


def test_after_the_last_meeting_the_group_answers_and_would_lead_stays_here(
        kraft: Kraft, vault: Path, relay: Relay, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    created = kraft("lead", "create", "Tisdag", "--first", NOW.date().isoformat(), "--at", "00:01", "--count", "1",
                    "--relay", relay.url, "--enrolment", relay.enrolment_token())
    assert created.code == 0, created.err
    group = created.out.strip()[:6]
    before = json.loads(kraft("course", "show", group, "--json").out)
    assert before["go_on"] == {"yes": 0, "no": 0} and before["mine"] == "" and before["would_lead"] == ""
    answered = kraft("course", "go-on", group, "yes")
    assert answered.code == 0, answered.err
    assert json.loads(kraft("course", "show", group, "--json").out)["go_on"] == {"yes": 1, "no": 0}
    assert kraft("course", "lead", "maybe").code == 0
    assert json.loads(kraft("course", "show", group, "--json").out)["would_lead"] == "maybe"
    assert kraft("course", "lead", "--clear").code == 0
    shown = json.loads(kraft("course", "show", group, "--json").out)
    assert (shown["mine"], shown["would_lead"]) == ("yes", "")
    for argv in (("go-on", group, "ja"), ("lead", "kanske"), ("lead",)):
        bad = kraft("course", *argv)
        assert bad.code == 2 and "Traceback" not in bad.err and bad.err.strip(), bad


def test_before_the_last_meeting_the_course_is_not_over(kraft: Kraft, vault: Path, relay: Relay) -> None:  # noqa: F811
    created = kraft("lead", "create", "Tisdag", "--first", NOW.date().isoformat(), "--at", "23:59", "--count", "8",
                    "--relay", relay.url, "--enrolment", relay.enrolment_token())
    group = created.out.strip()[:6]
    for argv in (("show", group), ("go-on", group, "no")):
        got = kraft("course", *argv)
        assert got.code == 1 and "not over yet" in got.err and "Traceback" not in got.err, got
