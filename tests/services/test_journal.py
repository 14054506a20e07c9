"""The journal service: entries, paging, search, undo, toolkit, prompt history, drafts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.domain.journal import Draft, MonotonicClock
from app.errors import KraftError, Msg
from app.services.journal import NEW_DRAFT, Journal, NewEntry
from app.services.vault_service import VaultService
from tests.conftest import FAST_KDF, PASSPHRASE


def test_entries_list_newest_first_with_paging(journal: Journal) -> None:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    journal.add_many([NewEntry(f"entry {i}", created=base + timedelta(days=i)) for i in range(120)])
    first = journal.page(limit=50)
    assert first.total == 120 and first.has_more
    assert [e.text for e in first.entries[:3]] == ["entry 119", "entry 118", "entry 117"]
    last = journal.page(offset=100, limit=50)
    assert [e.text for e in last.entries][-1] == "entry 0" and len(last.entries) == 20 and not last.has_more
    assert journal.page(offset=500).entries == []


def test_edit_keeps_position_and_updates_text(journal: Journal) -> None:
    a = journal.add("first")
    journal.add("second")
    edited = journal.edit(a.id, text="first, rewritten", tags=["meaning"], theme="relationships")
    assert edited.created == a.created and edited.updated > a.updated
    assert [e.text for e in journal.page().entries] == ["second", "first, rewritten"]
    assert journal.get(a.id).theme == "relationships"
    assert journal.edit(a.id, clear_theme=True).theme is None


def test_bad_input_is_refused_with_a_clear_message(journal: Journal) -> None:
    cases = [
        (lambda: journal.add("   "), Msg.ENTRY_EMPTY),
        (lambda: journal.add("x", prompt_id="nope"), Msg.UNKNOWN_PROMPT),
        (lambda: journal.add("x", tags=["joy"]), Msg.UNKNOWN_TAG),
        (lambda: journal.add("x", theme="politics"), Msg.UNKNOWN_THEME),
        (lambda: journal.add("x" * 100_001), Msg.ENTRY_TOO_LONG),
        (lambda: journal.get("0" * 32), Msg.ENTRY_NOT_FOUND),
        (lambda: journal.pin(journal.add("ok").id, "hobbies"), Msg.UNKNOWN_TOOLKIT),
    ]
    for call, msg in cases:
        with pytest.raises(KraftError) as err:
            call()
        assert err.value.msg is msg
        assert str(err.value) and "{" not in str(err.value)
    assert journal.count() == 1  # only "ok"


def test_delete_undo_and_purge(journal: Journal, service: VaultService) -> None:
    keep, gone = journal.add("keep"), journal.add("gone")
    journal.delete(gone.id)
    assert [e.text for e in journal.page().entries] == ["keep"]
    assert journal.search("gone") == []
    journal.undo_delete(gone.id)
    assert [e.text for e in journal.page().entries] == ["gone", "keep"]

    journal.delete(gone.id)
    assert journal.purge_deleted() == 0  # still inside the undo window
    assert journal.purge_deleted(older_than=timedelta(0)) == 1
    with pytest.raises(KraftError) as err:
        journal.undo_delete(gone.id)
    assert err.value.msg is Msg.NOTHING_TO_UNDO
    with service.engine.connect() as conn:
        ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM record WHERE kind='entry'")]
    assert ids == [keep.id]


def test_deleted_entry_survives_a_restart_inside_the_window_and_is_purged_on_lock(
        journal: Journal, service: VaultService, home: Path) -> None:
    entry = journal.add("ångrar mig kanske")
    journal.delete(entry.id)
    # app killed before the undo window ended: the deletion is remembered, not lost or resurrected
    other = VaultService(home, kdf=FAST_KDF)
    reopened = other.unlock(PASSPHRASE)
    assert reopened.count() == 0
    reopened.undo_delete(entry.id)
    assert reopened.count() == 1
    reopened.delete(entry.id)
    other.lock()  # locking ends the undo window
    assert other.unlock(PASSPHRASE).count() == 0
    with other.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM record WHERE kind='entry'").scalar() == 0
    other.close()


def test_search_is_case_insensitive_all_words_newest_first(journal: Journal) -> None:
    journal.add("Åsa och jag tog en promenad vid havet")
    journal.add("Kaffe med Åsa", tags=["connectedness"])
    journal.add("ÖVNING: andas lugnt")
    assert [e.text for e in journal.search("åsa")] == ["Kaffe med Åsa", "Åsa och jag tog en promenad vid havet"]
    assert [e.text for e in journal.search("ÅSA promenad")] == ["Åsa och jag tog en promenad vid havet"]
    assert [e.text for e in journal.search("övning")] == ["ÖVNING: andas lugnt"]
    assert journal.search("connectedness")[0].text == "Kaffe med Åsa"  # tags are searchable
    assert journal.search("   ") == [] and journal.search("zebra") == []
    # decomposed input (as some keyboards send it) finds composed text
    assert len(journal.search("A\u030asa")) == 2


def test_search_sees_new_and_edited_entries(journal: Journal) -> None:
    assert journal.search("styrka") == []
    entry = journal.add("en styrka")
    assert journal.search("styrka") == [entry]
    journal.edit(entry.id, text="en förmåga")
    assert journal.search("styrka") == [] and len(journal.search("förmåga")) == 1


def test_prompt_answers_over_time_and_toolkit(journal: Journal) -> None:
    base = datetime(2026, 3, 1, tzinfo=UTC)
    first = journal.add("Jag är envis", prompt_id="strengths", created=base)
    journal.add("fri text", created=base + timedelta(days=3))
    second = journal.add("Jag lyssnar", prompt_id="strengths", created=base + timedelta(days=14))
    assert [e.id for e in journal.answers_to("strengths")] == [first.id, second.id]
    assert first.prompt_text and "strengths" in first.prompt_text

    journal.pin(second.id, "strengths")
    journal.pin(first.id, "coping")
    kit = journal.toolkit()
    assert [e.id for e in kit["strengths"]] == [second.id]
    assert [e.id for e in kit["coping"]] == [first.id] and kit["meaning"] == []
    journal.pin(first.id, None)
    assert journal.toolkit()["coping"] == []


def test_drafts_autosave_encrypted_and_are_dropped_with_the_save(
        journal: Journal, service: VaultService, home: Path) -> None:
    journal.save_draft(Draft(NEW_DRAFT, "halvfärdig tanke", prompt_id="hopes"))
    journal.save_draft(Draft(NEW_DRAFT, "halvfärdig tanke om hopp", prompt_id="hopes"))
    other = VaultService(home, kdf=FAST_KDF)  # as after a crash: a fresh process
    restored = other.unlock(PASSPHRASE)
    draft = restored.get_draft()
    assert draft is not None and draft.text == "halvfärdig tanke om hopp" and draft.prompt_id == "hopes"
    restored.add(draft.text, prompt_id=draft.prompt_id, from_draft=NEW_DRAFT)
    assert restored.get_draft() is None
    with other.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM record WHERE kind='draft'").scalar() == 0
    other.close()


def test_empty_draft_discards(journal: Journal) -> None:
    journal.save_draft(Draft(NEW_DRAFT, "något"))
    journal.save_draft(Draft(NEW_DRAFT, "  "))
    assert journal.get_draft() is None


def test_clock_set_backwards_does_not_reorder_entries() -> None:
    times = iter([datetime(2026, 5, 1, 12, tzinfo=UTC), datetime(2026, 4, 1, 12, tzinfo=UTC)])
    clock = MonotonicClock(lambda: next(times))
    first, second = clock.now(), clock.now()
    assert second > first


def test_lock_drops_everything_decrypted(journal: Journal, service: VaultService) -> None:
    journal.add("hemlig")
    journal.search("hemlig")
    service.lock()
    assert journal.count() == 0 and journal.search("hemlig") == []
    assert service.journal is None and not service.is_unlocked


def test_no_plaintext_reaches_any_file_in_the_data_directory(home: Path) -> None:
    marker = "KRAFTMARKER-7f3a-hemlig-anteckning"
    svc = VaultService(home, kdf=FAST_KDF)
    journal = svc.finish_setup(pending := svc.prepare_setup(PASSPHRASE), pending.recovery_code)
    entry = journal.add(f"Idag {marker} på träffen", prompt_id="coping", tags=["hope"], theme="activities")
    journal.edit(entry.id, text=f"Idag {marker} igen")
    journal.save_draft(Draft(NEW_DRAFT, f"utkast {marker}"))
    journal.pin(entry.id, "coping")
    # look while the app is still open (WAL and journal files present) and after it closed
    for phase in ("open", "closed"):
        if phase == "closed":
            svc.close()
        files = [p for p in home.rglob("*") if p.is_file()]
        assert any(p.name == "kraft.db" for p in files)
        for path in files:
            data = path.read_bytes()
            for needle in (marker, "träffen", "coping", "activities", pending.recovery_code):
                for encoding in ("utf-8", "utf-16-le"):
                    assert needle.encode(encoding) not in data, f"{needle!r} in {path.name} ({phase})"


def test_tags_and_themes_are_found_by_their_name_in_the_current_language(journal: Journal) -> None:
    from app import i18n

    entry = journal.add("En bra dag", tags=["hope"], theme="relationships")
    assert journal.search("hope") == [entry]
    with i18n.use("sv"):  # the caller's context's language when none is passed
        assert journal.search("hopp") == [entry] and journal.search("relationer") == [entry]
    assert journal.search("hopp") == [] and journal.search("relationships") == [entry]
    assert journal.search("håb", lang=i18n.language("da")) == [entry]  # or the one passed in


def test_text_that_is_not_valid_utf8_is_a_message_and_nothing_is_saved(journal: Journal) -> None:
    kept = journal.add("kept")
    for attempt in (lambda: journal.add("half \ud800"), lambda: journal.edit(kept.id, text="half \udcff")):
        with pytest.raises(KraftError) as err:  # was UnicodeEncodeError while sealing
            attempt()
        assert err.value.msg is Msg.TEXT_NOT_UNICODE
    assert [e.text for e in journal.live_entries()] == ["kept"]
