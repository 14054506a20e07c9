"""`kraft` in-process: every command, its --json output, and bad input that must change nothing."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from app.domain.prompts import PROMPTS
from app.storage import crypto
from tests.cli.conftest import Keyboard, Kraft, key_slots, records
from tests.conftest import PASSPHRASE

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CODE = "ABCD-EFGH-IJKL-MNOP-QRST-UVWX"
NEW_PASSPHRASE = "a new and longer passphrase"


def add(kraft: Kraft, *args: str, stdin: str = "") -> str:
    result = kraft("journal", "add", *args, stdin=stdin)
    assert result.code == 0, result.err
    return result.out.strip()


def listed(kraft: Kraft, *args: str) -> dict:
    result = kraft("journal", "list", "--json", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)


# ---- init ----


@pytest.fixture
def fixed_code(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(crypto, "new_recovery_code", lambda: CODE)
    return CODE


def test_init_prints_the_code_once_and_writes_after_it_comes_back(kraft: Kraft, home: Path,
                                                                   fixed_code: str) -> None:
    result = kraft("init", "--passphrase-stdin", stdin=f"{PASSPHRASE}\n{fixed_code.lower()}\n")
    assert result.code == 0, result.err
    assert result.out == fixed_code + "\n"  # the code alone on stdout, once
    assert "shown only this once" in result.err and "ready" in result.err
    assert set(key_slots(home)) == {"passphrase", "recovery"}
    assert kraft("journal", "list", "--passphrase-stdin", stdin=f"{PASSPHRASE}\n").code == 0
    # The code that was shown really opens the journal.
    recovered = kraft("passphrase", "recover", "--passphrase-stdin", stdin=f"{fixed_code}\n{NEW_PASSPHRASE}\n")
    assert recovered.code == 0, recovered.err
    assert kraft("journal", "list", "--passphrase-stdin", stdin=f"{NEW_PASSPHRASE}\n").code == 0


@pytest.mark.parametrize(("stdin", "message"), [
    (f"{PASSPHRASE}\nABCD-EFGH-IJKL-MNOP-QRST-UVWZ\n", "not the recovery code shown above"),
    (f"{PASSPHRASE}\n", "not typed back, so no journal was created"),
    (f"{PASSPHRASE}\n\n", "not typed back, so no journal was created"),
    ("short\n", "at least 8 characters"),
    ("", "No passphrase given"),
])
def test_init_without_a_confirmed_code_writes_nothing(kraft: Kraft, home: Path, fixed_code: str,
                                                      stdin: str, message: str) -> None:
    result = kraft("init", "--passphrase-stdin", stdin=stdin)
    assert result.code == 2
    assert message in result.err and "Traceback" not in result.err
    assert key_slots(home) == {}


def test_init_with_a_recovery_code_file(kraft: Kraft, home: Path, tmp_path: Path, fixed_code: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KRAFT_PASSPHRASE", PASSPHRASE)
    code_file = tmp_path / "recovery.txt"
    result = kraft("init", "--recovery-code-file", str(code_file))
    assert result.code == 0, result.err
    assert result.out == ""  # the code is in the file, not on the screen
    assert code_file.read_text() == fixed_code + "\n"
    assert stat.S_IMODE(os.stat(code_file).st_mode) == 0o600
    assert str(code_file) in result.err
    assert kraft("journal", "list").code == 0


def test_init_refuses_to_overwrite_a_code_file_or_a_journal(kraft: Kraft, home: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KRAFT_PASSPHRASE", PASSPHRASE)
    code_file = tmp_path / "recovery.txt"
    code_file.write_text("something precious\n")
    result = kraft("init", "--recovery-code-file", str(code_file))
    assert result.code == 1 and "the file already exists" in result.err
    assert code_file.read_text() == "something precious\n" and key_slots(home) == {}

    assert kraft("init", "--recovery-code-file", str(tmp_path / "new.txt")).code == 0
    slots = key_slots(home)
    again = kraft("init", "--recovery-code-file", str(tmp_path / "other.txt"))
    assert again.code == 1 and "already exists here" in again.err
    assert key_slots(home) == slots and not (tmp_path / "other.txt").exists()


# ---- add, list, show, search ----


def test_add_from_arguments_with_prompt_tags_and_theme(kraft: Kraft, vault: Path) -> None:
    entry_id = add(kraft, "--prompt", "hopes", "--tag", "hope", "--tag", "meaning", "--theme",
                   "relationships", "I", "hope", "to", "sleep", "better")
    assert len(entry_id) == 32
    (entry,) = listed(kraft)["entries"]
    assert entry["id"] == entry_id
    assert entry["text"] == "I hope to sleep better"
    assert (entry["prompt_id"], entry["prompt_text"]) == ("hopes", "What are your hopes and dreams?")
    assert entry["tags"] == ["hope", "meaning"] and entry["theme"] == "relationships"


def test_a_danish_device_keeps_the_prompt_and_searches_the_tags_in_danish(
        kraft: Kraft, vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app import i18n

    danish = i18n.language("da")
    monkeypatch.setenv("LANGUAGE", "da")
    add(kraft, "--prompt", "hopes", "--tag", "hope", "Jeg vil sove bedre")
    (entry,) = listed(kraft)["entries"]
    asked = "What are your hopes and dreams?"
    assert entry["prompt_text"] == danish.gettext(asked) != asked
    found = kraft("journal", "search", "--json", danish.gettext("Hope").lower())
    assert found.code == 0 and json.loads(found.out)["total"] == 1


def test_add_reads_text_and_passphrase_from_stdin(kraft: Kraft, vault: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KRAFT_PASSPHRASE")
    entry_id = add(kraft, "--passphrase-stdin", stdin=f"{PASSPHRASE}\nFørste linje\nandre linje\n")
    add(kraft, "--passphrase-stdin", "-", stdin=f"{PASSPHRASE}\nfrom a dash\n")
    result = kraft("journal", "show", entry_id, "--json", "--passphrase-stdin", stdin=f"{PASSPHRASE}\n")
    assert json.loads(result.out)["text"] == "Første linje\nandre linje"
    refused = kraft("journal", "list", "--passphrase-stdin")  # no passphrase line on stdin
    assert refused.code == 2 and "No passphrase given" in refused.err
    texts = [e["text"] for e in json.loads(
        kraft("journal", "list", "--json", "--passphrase-stdin", stdin=f"{PASSPHRASE}\n").out)["entries"]]
    assert texts == ["from a dash", "Første linje\nandre linje"]


def test_list_pages_newest_first(kraft: Kraft, vault: Path) -> None:
    ids = [add(kraft, f"entry {i}") for i in range(5)]
    page = listed(kraft, "--limit", "2", "--offset", "1")
    assert (page["total"], page["offset"], page["limit"]) == (5, 1, 2)
    assert [e["id"] for e in page["entries"]] == [ids[3], ids[2]]
    assert set(page["entries"][0]) == {"id", "created", "updated", "text", "prompt_id", "prompt_text",
                                       "tags", "theme", "toolkit"}
    human = kraft("journal", "list", "--limit", "2")
    assert human.out.splitlines()[0].startswith(ids[4][:12]) and "entry 4" in human.out
    assert "Showing 1-2 of 5" in human.err and "--offset 2" in human.err


def test_show_by_full_id_or_prefix(kraft: Kraft, vault: Path) -> None:
    entry_id = add(kraft, "--tag", "hope", "--theme", "activities", "A walk.\nThe lake was still.")
    human = kraft("journal", "show", entry_id[:8])
    assert human.code == 0
    assert f"Id: {entry_id}" in human.out and "Tags: Hope (hope)" in human.out
    assert "Theme: Activities (activities)" in human.out and human.out.endswith("A walk.\nThe lake was still.\n")
    data = json.loads(kraft("journal", "show", entry_id, "--json").out)
    assert data["id"] == entry_id and data["text"] == "A walk.\nThe lake was still."


def test_search_is_case_insensitive_and_has_json(kraft: Kraft, vault: Path) -> None:
    hit = add(kraft, "Kaffe med søsteren min")
    add(kraft, "Something else")
    result = json.loads(kraft("journal", "search", "SØSTEREN", "kaffe", "--json").out)
    assert result["query"] == "SØSTEREN kaffe" and result["total"] == 1
    assert [e["id"] for e in result["entries"]] == [hit]
    none = kraft("journal", "search", "nothing-like-this")
    assert none.code == 0 and none.out.splitlines() == ["No entries.", "Try a shorter word, or only its beginning."]


def test_search_forgives_missing_letters_and_says_what_to_try(kraft: Kraft, vault: Path) -> None:
    hit = add(kraft, "Kaffe med søsteren min efter mötet")
    assert json.loads(kraft("journal", "search", "sosteren", "motet", "--json").out)["entries"][0]["id"] == hit
    none = kraft("journal", "search", "soster", "zebra")
    assert none.out.splitlines() == ["No entries.", "Try fewer or shorter words: an entry is found only when it "
                                                    "has every word."]


# ---- edit, delete ----


def test_edit_text_tags_and_theme(kraft: Kraft, vault: Path) -> None:
    entry_id = add(kraft, "--tag", "hope", "--theme", "activities", "first draft")
    result = kraft("journal", "edit", entry_id[:10], "--text", "rewritten", "--tag", "identity", "--no-theme")
    assert result.code == 0 and entry_id in result.out
    entry = listed(kraft)["entries"][0]
    assert (entry["text"], entry["tags"], entry["theme"]) == ("rewritten", ["identity"], None)
    assert entry["updated"] > entry["created"]
    kraft("journal", "edit", entry_id, "--text", "-", "--no-tags", stdin="from stdin\n")
    entry = listed(kraft)["entries"][0]
    assert (entry["text"], entry["tags"]) == ("from stdin", [])


def test_delete_erases_the_record(kraft: Kraft, vault: Path) -> None:
    keep, gone = add(kraft, "keep"), add(kraft, "gone")
    assert len(records(vault)) == 2
    result = kraft("journal", "delete", gone)
    assert result.code == 0 and gone in result.out
    assert [e["id"] for e in listed(kraft)["entries"]] == [keep]
    assert [row[0] for row in records(vault)] == [keep]  # erased now, not parked in the undo window


@pytest.mark.parametrize("argv", [
    ("journal", "add", "--prompt", "no_such_prompt", "text"),
    ("journal", "add", "--tag", "joy", "text"),
    ("journal", "add", "--theme", "politics", "text"),
    ("journal", "add", "   "),
    ("journal", "add", "-"),
    ("journal", "show", "0123456789abcdef0123456789abcdef"),
    ("journal", "show", "zzzzzz"),
    ("journal", "show", "ab"),
    ("journal", "edit", "KNOWN", "--tag", "joy"),
    ("journal", "edit", "KNOWN", "--text", " "),
    ("journal", "edit", "KNOWN"),
    ("journal", "delete", "0123456789abcdef0123456789abcdef"),
    ("journal", "import", "--format", "jrnl-json", "does-not-exist.json"),
])
def test_bad_input_exits_2_and_changes_nothing(kraft: Kraft, vault: Path, argv: tuple[str, ...]) -> None:
    known = add(kraft, "--tag", "hope", "known entry")
    before = records(vault)
    result = kraft(*(known if a == "KNOWN" else a for a in argv))
    assert result.code == 2
    assert result.err.startswith("kraft: ") and "Traceback" not in result.err
    assert records(vault) == before


def test_bad_input_messages_name_the_problem(kraft: Kraft, vault: Path) -> None:
    assert "Unknown prompt: no_such_prompt." in kraft("journal", "add", "--prompt", "no_such_prompt", "x").err
    assert "Unknown tag: joy. Choose from: connectedness" in kraft("journal", "add", "--tag", "joy", "x").err
    assert "The entry is empty" in kraft("journal", "add", stdin="\n\n").err
    assert "No entry with id zzzzzz." in kraft("journal", "show", "zzzzzz").err
    assert "Nothing to change" in kraft("journal", "edit", "abcdef").err


def test_an_ambiguous_prefix_is_refused(kraft: Kraft, vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.services import journal as journal_service

    ids = iter(["abcd" + "0" * 28, "abcd" + "1" * 28])
    monkeypatch.setattr(journal_service, "new_record_id", lambda: next(ids))
    add(kraft, "one")
    add(kraft, "two")
    result = kraft("journal", "delete", "abcd")
    assert result.code == 2 and "More than one entry starts with abcd" in result.err
    assert len(records(vault)) == 2
    assert kraft("journal", "delete", "abcd1").code == 0 and len(records(vault)) == 1


# ---- passphrases ----


def test_wrong_or_missing_passphrase(kraft: Kraft, vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add(kraft, "secret entry")
    before = records(vault)
    monkeypatch.setenv("KRAFT_PASSPHRASE", "not the passphrase")
    wrong = kraft("journal", "add", "more")
    assert wrong.code == 1 and "does not open this journal" in wrong.err and wrong.out == ""
    monkeypatch.delenv("KRAFT_PASSPHRASE")
    missing = kraft("journal", "list")
    assert missing.code == 2 and "No passphrase given" in missing.err
    assert records(vault) == before


def test_commands_need_a_journal(kraft: Kraft, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KRAFT_PASSPHRASE", PASSPHRASE)
    result = kraft("journal", "list")
    assert result.code == 1 and "There is no journal here yet" in result.err


def test_passphrase_change_rewraps_without_touching_records(kraft: Kraft, vault: Path) -> None:
    add(kraft, "one")
    add(kraft, "--tag", "hope", "two")
    before, slots = records(vault), key_slots(vault)
    result = kraft("passphrase", "change", "--passphrase-stdin", stdin=f"{PASSPHRASE}\n{NEW_PASSPHRASE}\n")
    assert result.code == 0, result.err
    assert records(vault) == before  # not one ciphertext byte changed
    after = key_slots(vault)
    assert after["passphrase"] != slots["passphrase"] and after["recovery"] == slots["recovery"]
    old = kraft("journal", "list")  # KRAFT_PASSPHRASE still holds the old one
    assert old.code == 1 and "does not open" in old.err
    new = kraft("journal", "list", "--json", "--passphrase-stdin", stdin=f"{NEW_PASSPHRASE}\n")
    assert new.code == 0 and [e["text"] for e in json.loads(new.out)["entries"]] == ["two", "one"]


def test_passphrase_change_from_the_environment(kraft: Kraft, vault: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    slots = key_slots(vault)
    assert kraft("passphrase", "change").code == 2  # no new passphrase anywhere
    monkeypatch.setenv("KRAFT_NEW_PASSPHRASE", "short")
    assert "at least 8" in kraft("passphrase", "change").err
    monkeypatch.setenv("KRAFT_NEW_PASSPHRASE", NEW_PASSPHRASE)
    monkeypatch.setenv("KRAFT_PASSPHRASE", "wrong passphrase")
    assert kraft("passphrase", "change").code == 1
    assert key_slots(vault) == slots
    monkeypatch.setenv("KRAFT_PASSPHRASE", PASSPHRASE)
    assert kraft("passphrase", "change").code == 0
    monkeypatch.setenv("KRAFT_PASSPHRASE", NEW_PASSPHRASE)
    assert kraft("journal", "list").code == 0


def test_recover_with_a_wrong_code(kraft: Kraft, vault: Path) -> None:
    slots = key_slots(vault)
    result = kraft("passphrase", "recover", "--passphrase-stdin", stdin=f"{CODE}\n{NEW_PASSPHRASE}\n")
    assert result.code == 1 and "recovery code does not open" in result.err
    assert key_slots(vault) == slots


# ---- export and import ----


def test_export_json_to_stdout_warns_on_stderr(kraft: Kraft, vault: Path) -> None:
    first = add(kraft, "--prompt", "strengths", "--tag", "identity", "I asked for help")
    second = add(kraft, "second")
    result = kraft("journal", "export", "--format", "json")
    assert result.code == 0
    assert "NOT encrypted" in result.err and "NOT encrypted" not in result.out
    doc = json.loads(result.out)
    assert [e["id"] for e in doc["entries"]] == [first, second]  # oldest first
    assert doc["entries"][0]["prompt_id"] == "strengths" and doc["entries"][0]["tags"] == ["identity"]


def test_export_markdown_to_a_private_file(kraft: Kraft, vault: Path, tmp_path: Path) -> None:
    add(kraft, "--prompt", "hopes", "--tag", "hope", "--theme", "activities", "To swim again")
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "journal.md"
    target.write_text("old content")
    os.chmod(target, 0o644)
    result = kraft("journal", "export", "--format", "markdown", "--output", str(target))
    assert result.code == 0 and result.out == ""
    assert "NOT encrypted" in result.err and f"Wrote 1 entry to {target}" in result.err
    text = target.read_text()
    assert text.startswith("# Journal\n") and "- Prompt: What are your hopes and dreams?" in text
    assert "- Tags: Hope" in text and "- Theme: Activities" in text and "\nTo swim again\n" in text
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["journal.md"]  # no temp file left behind


def test_export_to_an_unwritable_place(kraft: Kraft, vault: Path, tmp_path: Path) -> None:
    result = kraft("journal", "export", "--format", "json", "-o", str(tmp_path / "missing-dir" / "x.json"))
    assert result.code == 1 and "Cannot write" in result.err and "Traceback" not in result.err


def test_export_then_import_into_a_new_journal(kraft: Kraft, vault: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    add(kraft, "--prompt", "meaning", "--tag", "meaning", "--theme", "relationships", "Coffee, small things")
    add(kraft, "Second entry\nwith two lines")
    export = tmp_path / "kraft.json"
    assert kraft("journal", "export", "--format", "json", "-o", str(export)).code == 0
    original = listed(kraft)["entries"]

    new_home = tmp_path / "new-home"
    monkeypatch.setenv("KRAFT_HOME", str(new_home))
    monkeypatch.setenv("KRAFT_PASSPHRASE", PASSPHRASE)
    assert kraft("init", "--recovery-code-file", str(tmp_path / "code.txt")).code == 0
    result = kraft("journal", "import", "--format", "kraft-json", str(export), "--json")
    assert result.code == 0 and json.loads(result.out) == {"imported": 2, "skipped": [], "left_out": []}
    restored = listed(kraft)["entries"]
    assert [{k: v for k, v in e.items() if k != "id"} for e in restored] == \
           [{k: v for k, v in e.items() if k != "id"} for e in original]


def test_import_jrnl_fixture(kraft: Kraft, vault: Path) -> None:
    result = kraft("journal", "import", "--format", "jrnl-json", str(FIXTURES / "jrnl.json"))
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "Imported 4 entries.",
        "Skipped 1 item:",
        "  - entry 4 (2024-08-01 21:10): the text is empty",
    ]
    entries = listed(kraft)["entries"]
    assert len(entries) == 4 and entries[-1]["tags"] == ["hope", "meaning"]
    assert entries[-1]["text"].startswith("Good meeting tonight.\nWe talked about @hope")
    again = json.loads(kraft("journal", "import", "--format", "jrnl-json", str(FIXTURES / "jrnl.json"),
                             "--json").out)
    assert again["imported"] == 0 and len(again["skipped"]) == 5


def test_import_from_stdin_after_the_passphrase(kraft: Kraft, vault: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KRAFT_PASSPHRASE")
    data = (FIXTURES / "jrnl.json").read_text()
    result = kraft("journal", "import", "--format", "jrnl-json", "-", "--passphrase-stdin",
                   stdin=f"{PASSPHRASE}\n{data}")
    assert result.code == 0 and result.out.startswith("Imported 4 entries.")


@pytest.mark.parametrize(("content", "detail"), [
    ("this is not json", "it stops making sense at line 1, character 1"),
    ('{"entries": "nope"}', '"entries" list'),
    ("[1, 2, 3]", '"entries" list'),
])
def test_import_malformed_file(kraft: Kraft, vault: Path, tmp_path: Path, content: str, detail: str) -> None:
    add(kraft, "already here")
    before = records(vault)
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    result = kraft("journal", "import", "--format", "jrnl-json", str(bad))
    assert result.code == 2
    assert f"Cannot import {bad}: " in result.err and detail in result.err
    assert records(vault) == before


# ---- on a terminal ----


def test_init_on_a_terminal_asks_twice_and_allows_a_retyped_code(kraft: Kraft, home: Path, fixed_code: str,
                                                                 keyboard: Keyboard) -> None:
    keyboard.answers += [PASSPHRASE, PASSPHRASE]
    result = kraft("init", tty=True, stdin=f"ABCD-EFGH-0000-0000-0000-0000\n{fixed_code}\n")
    assert result.code == 0, result.err
    assert keyboard.prompts == ["New passphrase: ", "Repeat the new passphrase: "]
    assert result.out == fixed_code + "\n"
    assert result.err.count("Type the recovery code to confirm you saved it: ") == 2
    assert "not the recovery code shown above" in result.err
    assert set(key_slots(home)) == {"passphrase", "recovery"}


def test_init_on_a_terminal_refuses_different_passphrases(kraft: Kraft, home: Path, keyboard: Keyboard) -> None:
    keyboard.answers += [PASSPHRASE, PASSPHRASE + "!"]
    result = kraft("init", tty=True)
    assert result.code == 2 and "The two passphrases are not the same." in result.err
    assert key_slots(home) == {}


def test_terminal_prompts_for_the_passphrase_and_confirms_delete(kraft: Kraft, vault: Path, keyboard: Keyboard,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    entry_id = add(kraft, "keep me")
    monkeypatch.delenv("KRAFT_PASSPHRASE")
    keyboard.answers += [PASSPHRASE]
    declined = kraft("journal", "delete", entry_id, tty=True, stdin="n\n")
    assert keyboard.prompts == ["Passphrase: "]
    assert declined.code == 1 and "Delete this entry for good?" in declined.err and len(records(vault)) == 1
    keyboard.answers += [PASSPHRASE]
    assert kraft("journal", "delete", entry_id, tty=True, stdin="y\n").code == 0
    assert records(vault) == []
    no_answer = kraft("journal", "list", tty=True)  # the prompt got end-of-input
    assert no_answer.code == 2 and "No passphrase given" in no_answer.err


def test_add_on_a_terminal_reads_until_end_of_input(kraft: Kraft, vault: Path) -> None:
    result = kraft("journal", "add", tty=True, stdin="typed at the terminal\n")
    assert result.code == 0 and "Ctrl-D" in result.err
    assert listed(kraft)["entries"][0]["text"] == "typed at the terminal"


# ---- prompts, help, usage ----


def test_prompts(kraft: Kraft) -> None:
    data = json.loads(kraft("prompts", "--json").out)
    assert [p["id"] for p in data] == [p.id for p in PROMPTS]
    assert data[1] == {"id": "hopes", "text": "What are your hopes and dreams?", "tags": ["hope"],
                       "toolkit": None}
    human = kraft("prompts").out.splitlines()
    assert human[0].split()[0] == "meaning" and "What gives meaning" in human[0]


COMMANDS = [("init",), ("passphrase", "change"), ("passphrase", "recover"), ("prompts",)] + [
    ("journal", c) for c in ("add", "list", "show", "search", "edit", "delete", "export", "import")]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_documented(kraft: Kraft, command: tuple[str, ...]) -> None:
    result = kraft(*command, "--help")
    assert result.code == 0 and result.out.startswith(f"usage: kraft {' '.join(command)}")
    top = kraft("--help").out + kraft(command[0], "--help").out
    assert command[-1] in top


def test_usage_errors_exit_2(kraft: Kraft) -> None:
    assert kraft().code == 2
    assert kraft("journal", "export").code == 2  # --format is required
    assert kraft("journal", "import", "--format", "csv", "x").code == 2
    assert kraft("no-such-command").code == 2
    assert kraft("journal", "edit", "abcd", "--tag", "hope", "--no-tags").code == 2


def test_import_day_one_reports_what_was_left_out(kraft: Kraft, vault: Path) -> None:
    source = Path(__file__).parents[1] / "fixtures" / "dayone.json"
    result = kraft("journal", "import", "--format", "dayone-json", str(source))
    assert result.code == 0, result.err
    assert "Imported 2 entries." in result.out and "Skipped 2 items:" in result.out
    assert "left out 1 photo or other attachment, the place, the weather" in result.out
    as_json = kraft("journal", "import", "--format", "dayone-json", str(source), "--json")
    assert json.loads(as_json.out)["imported"] == 0  # already there
