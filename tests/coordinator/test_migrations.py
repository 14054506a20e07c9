"""The relay's schema under Alembic (coordinator/migrations/, ADR 0006): a database made before Alembic (the
committed fixtures, made by main's `create_all`) is stamped 0001 and upgraded without losing a row, so are ones
at 0002 (before the region catalogue, ADR 0016) and at 0003 (before interest and replies), a fresh one ends at
head, and the models agree with the migrations (no pending autogenerate diff), on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import threading
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from psycopg import sql
from sqlalchemy import Column, Integer, MetaData, inspect, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

import protocol as p
from coordinator import crud
from coordinator.db import alembic_config, connect, make_engine
from coordinator.models import RELAY_METADATA
from tests.coordinator.conftest import Api

FIXTURES = Path(__file__).parent / "fixtures"
KEYS = json.loads((FIXTURES / "relay-v1.json").read_text())
TABLES_V1 = {"attendancetoken", "joincode", "mailbox", "meetingcount", "message", "token"}  # before Alembic
TABLES_0003 = TABLES_V1 | {"catalogue"}
TABLES = TABLES_0003 | {"interest", "reply"}  # head


def _head() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _schema(url: str) -> str:
    options = make_url(url).query.get("options", "")
    found = re.search(r"search_path=(\S+)", str(options))
    assert found, url
    return found.group(1)


def load_v1_fixture(url: str) -> None:
    """Empty the test's database and fill it from the fixture dump of a relay made before Alembic."""
    if url.startswith("sqlite"):
        path = Path(make_url(url).database or "")
        path.unlink(missing_ok=True)
        with closing(sqlite3.connect(path)) as conn:
            conn.executescript((FIXTURES / "relay-v1.sqlite.sql").read_text())
        return
    schema = _schema(url)
    dump = (FIXTURES / "relay-v1.pg.sql").read_text()
    # pg_dump's \restrict lines are for psql; the schema is this run's own, made here
    lines = [line for line in dump.splitlines() if not line.startswith("\\")
             and not line.startswith("CREATE SCHEMA")]
    script = "\n".join(lines).replace("kraft_v1_fixture", schema)
    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        conn.execute(script.encode())  # type: ignore[arg-type]


def _tables(url: str) -> set[str]:
    engine = connect(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _version(engine: object) -> str | None:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        return MigrationContext.configure(conn).get_current_revision()


def _diff(engine: object) -> list[object]:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        return list(compare_metadata(context, RELAY_METADATA))


def test_the_fixture_is_a_relay_made_before_alembic(database_url: str) -> None:
    load_v1_fixture(database_url)
    assert _tables(database_url) == TABLES_V1  # no alembic_version: what every relay in use had before 0001


def test_a_relay_made_before_alembic_is_stamped_and_upgraded_and_serves_its_rows(database_url: str) -> None:
    load_v1_fixture(database_url)
    api = Api(database_url)
    try:
        api.today = date.fromisoformat(KEYS["day"])
        engine = api.app.state.engine
        assert _version(engine) == _head()
        assert _diff(engine) == []  # the upgraded database is exactly what the models say
        mailbox = KEYS["mailbox"]
        state = api.client.get(f"/v1/mailboxes/{mailbox}").json()
        assert state["epoch"] == 1 and state["last_seq"] == 3 and state["version"] == 1
        page = api.client.get(f"/v1/mailboxes/{mailbox}/messages").json()
        assert [(m["position"], m["sender"], m["epoch"], m["seq"]) for m in page["messages"]] == [
            (1, "leader", 0, 1), (2, "leader", 0, 2), (3, "member", 0, 0), (4, "leader", 1, 3), (5, "member", 1, 0)]
        assert api.client.get(f"/v1/join-codes/{KEYS['lookup']}").json()["mailbox"] == mailbox
        with Session(engine) as session:
            counts = crud.attendance(session=session)
        assert [(g.mailbox, g.region, g.label, g.meetings) for g in counts] == [
            (mailbox, "Skåne", "Tisdagsgruppen", {KEYS["meetings"][0]: (3, 4), KEYS["meetings"][1]: (3, None)})]
        with engine.connect() as conn:
            tokens = sorted(conn.execute(text("SELECT kind, uses_left, region FROM token")).all())
        assert tokens == [("coordinator", 2**31 - 1, "Skåne"), ("enrolment", 1, "Skåne")]
        assert _tables(database_url) == TABLES | {"alembic_version"}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM catalogue")).scalar_one() == 0

        # the mailbox goes on: the leader's next seq, a member of epoch 1, positions after the old ones
        leader = Ed25519PrivateKey.from_private_bytes(p.b64d(KEYS["leader"]))
        key1 = p.b64d(KEYS["group_key_1"])
        url = f"/v1/mailboxes/{mailbox}/messages"
        stale = p.seal_message(mailbox=mailbox, sender=p.LEADER, epoch=1, seq=3, group_key=key1, channel=p.CONTENT,
                               kind="prompt", body={}, signer=leader).to_post()
        assert api.client.post(url, json=stale).status_code == 409
        fresh = p.seal_message(mailbox=mailbox, sender=p.LEADER, epoch=1, seq=4, group_key=key1, channel=p.CONTENT,
                               kind="prompt", body={}, signer=leader).to_post()
        assert api.client.post(url, json=fresh).json() == {"position": 6}
        member = p.seal_message(mailbox=mailbox, sender=p.MEMBER, epoch=1, seq=0, group_key=key1, channel=p.CONTENT,
                                kind="cant_come", body={}, signer=p.member_signer(key1)).to_post()
        assert api.client.post(url, json=member).json() == {"position": 7}
    finally:
        api.close()
    again = make_engine(database_url)  # the next start finds it at head and changes nothing
    try:
        assert _version(again) == _head()
        with again.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM message")).scalar_one() == 7
    finally:
        again.dispose()


def test_a_fresh_database_ends_at_head_and_agrees_with_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert _version(engine) == _head()
        assert _diff(engine) == []
        with engine.connect() as conn:
            command.check(alembic_config(conn))  # `alembic check`: raises on a pending autogenerate diff
    finally:
        engine.dispose()
    assert _tables(database_url) == TABLES | {"alembic_version"}


def test_a_model_change_without_a_migration_is_caught(database_url: str) -> None:
    """The check above can fail: a column only the models know is a diff."""
    models = MetaData()
    for table in RELAY_METADATA.tables.values():
        table.to_metadata(models)
    models.tables["mailbox"].append_column(Column("not_migrated", Integer, nullable=True))
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            found = compare_metadata(MigrationContext.configure(conn), models)
        assert [(d[0], d[3].name) for d in found] == [("add_column", "not_migrated")]  # type: ignore[index]
    finally:
        engine.dispose()


def test_the_v2_column_defaults_to_version_1(database_url: str) -> None:
    load_v1_fixture(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT id, version FROM mailbox")).all() == [(KEYS["mailbox"], 1)]
    finally:
        engine.dispose()


@pytest.mark.parametrize("revision", ["0001", "0002", "0003"])
def test_downgrade_to_an_earlier_revision_and_back(database_url: str, revision: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), revision)
        assert _version(engine) == revision
        tables = set(inspect(engine).get_table_names())
        assert not {"interest", "reply"} & tables
        assert ("catalogue" in tables) == (revision >= "0003")
        has_version = "version" in {c["name"] for c in inspect(engine).get_columns("mailbox")}
        assert has_version == (revision >= "0002")
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
        assert _diff(engine) == []
    finally:
        engine.dispose()


def _rows(engine: object, tables: set[str] = TABLES_V1) -> dict[str, list[tuple[object, ...]]]:
    """Every row of `tables` (those from before the catalogue), in a fixed order."""
    with engine.connect() as conn:  # type: ignore[attr-defined]
        return {table: sorted((tuple(row) for row in conn.execute(text(f"SELECT * FROM {table}")).all()), key=repr)
                for table in sorted(tables)}


def _in_use_at(conn: Any, revision: str) -> None:
    """The fixture's relay (made before Alembic) brought to `revision`, with a version 2 mailbox beside its own."""
    command.stamp(alembic_config(conn), "0001")
    command.upgrade(alembic_config(conn), revision)
    conn.execute(text("INSERT INTO mailbox (id, leader_key, member_key, epoch, last_seq, created_on, region, label,"
                      " version) VALUES (:id, :key, :key, 3, 0, :day, 'Skåne', 'v2', 2)"),
                 {"id": p.b64e(bytes(16)), "key": p.b64e(bytes(32)), "day": date(2026, 12, 1)})


def test_a_relay_at_0002_is_upgraded_keeping_every_row_and_gains_an_empty_catalogue(database_url: str) -> None:
    """A relay in use before ADR 0016: the fixture's mailbox, messages, join code, tokens and attendance, at
    0002 with a version 2 mailbox beside them, then started by the new relay."""
    load_v1_fixture(database_url)
    engine = connect(database_url)
    try:
        with engine.begin() as conn:
            _in_use_at(conn, "0002")
        assert _version(engine) == "0002" and _tables(database_url) == TABLES_V1 | {"alembic_version"}
        before = _rows(engine)
    finally:
        engine.dispose()
    assert len(before["message"]) == 5 and len(before["attendancetoken"]) > 0 and len(before["mailbox"]) == 2
    api = Api(database_url)  # the new relay's start upgrades it
    try:
        engine = api.app.state.engine
        assert _version(engine) == _head()
        assert _diff(engine) == []
        assert _rows(engine) == before
        assert _tables(database_url) == TABLES | {"alembic_version"}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM catalogue")).scalar_one() == 0
        assert api.client.get(f"/v1/mailboxes/{p.b64e(bytes(16))}").json()["version"] == 2
        region = p.Identity.new()
        signed = p.sign_catalogue(region, serial=1, issued=date(2026, 12, 7), entries=[])
        url = f"/v1/catalogues/{p.region_id(region.public().sig)}"
        assert api.client.put(url, json=signed,
                              headers={"Authorization": f"Bearer {api.token(crud.COORDINATOR)}"}).status_code == 200
        assert api.client.get(url).json() == signed
    finally:
        api.close()


def test_a_relay_at_0003_is_upgraded_keeping_every_row_and_gains_empty_interest_and_replies(
        database_url: str) -> None:
    """A relay in use before interest (ADR 0016, "Planned"): the fixture's mailbox, messages, join code, tokens
    and attendance, a version 2 mailbox and a region's catalogue, at 0003, then started by the new relay."""
    load_v1_fixture(database_url)
    region = p.Identity.new()
    region_id = p.region_id(region.public().sig)
    entry = p.new_entry(status="forming", theme="stress", words="", place="Malmö", language="sv", weekday=2,
                        time="18:00", zone="Europe/Stockholm", needed=3, intake="040-123 45 67")
    signed = p.sign_catalogue(region, serial=4, issued=date(2026, 12, 7), entries=[entry])
    engine = connect(database_url)
    try:
        with engine.begin() as conn:
            _in_use_at(conn, "0003")
            conn.execute(text("INSERT INTO catalogue (region, key, serial, document, signature, day) VALUES "
                              "(:region, :key, 4, :document, :signature, :day)"),
                         {"region": region_id, "key": region.public().sig, "signature": signed["signature"],
                          "document": p.canonical(signed["catalogue"]).decode("utf-8"), "day": date(2026, 12, 7)})
        assert _version(engine) == "0003" and _tables(database_url) == TABLES_0003 | {"alembic_version"}
        before = _rows(engine, TABLES_0003)
    finally:
        engine.dispose()
    assert len(before["message"]) == 5 and len(before["attendancetoken"]) > 0 and len(before["mailbox"]) == 2
    assert len(before["catalogue"]) == 1 and len(before["token"]) == 2
    api = Api(database_url)  # the new relay's start upgrades it
    try:
        engine = api.app.state.engine
        assert _version(engine) == _head()
        assert _diff(engine) == []
        assert _rows(engine, TABLES_0003) == before
        assert _tables(database_url) == TABLES | {"alembic_version"}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM interest")).scalar_one() == 0
            assert conn.execute(text("SELECT count(*) FROM reply")).scalar_one() == 0
        assert api.client.get(f"/v1/catalogues/{region_id}").json() == signed  # the old catalogue, served as signed
        sealed = p.seal_request(region.public().dh, region=region_id, kind=p.INTEREST, entry=entry.id, contact="",
                                reply=p.new_reply_box(), language="sv")
        answer = api.client.post(f"/v1/catalogues/{region_id}/interest",
                                 json={"sealed": sealed, "withdraw": p.withdraw_hash(p.new_withdraw_secret())})
        assert answer.status_code == 201, answer.text  # the new tables take requests for the old catalogue
    finally:
        api.close()


def _schema_text(url: str) -> str:
    """The database's schema as text, the same for the same tables however they were made."""
    if url.startswith("sqlite"):
        with closing(sqlite3.connect(make_url(url).database or "")) as conn:
            rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE '%alembic_version%'"
                                " ORDER BY name").fetchall()
        return "\n".join(map(str, rows))
    schema = _schema(url)
    plain = url.replace("postgresql+psycopg://", "postgresql://", 1).split("?")[0]
    dump = subprocess.run(["pg_dump", "--schema-only", "--schema", schema, "--exclude-table",
                           f"{schema}.alembic_version", "--no-owner", "--no-privileges", "--dbname", plain],
                          capture_output=True, text=True, check=True).stdout
    return "\n".join(line for line in dump.replace(schema, "S").splitlines()
                     if line and not line.startswith(("--", "\\")))


def test_revision_0001_is_exactly_what_the_relay_made_before_alembic(database_url: str) -> None:
    load_v1_fixture(database_url)
    before = _schema_text(database_url)
    assert "CREATE" in before
    engine = make_engine(database_url)
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
        command.upgrade(alembic_config(conn), "0001")
    engine.dispose()
    assert _schema_text(database_url) == before


def test_relays_starting_at_once_on_a_fresh_database_migrate_one_after_the_other(database_url: str) -> None:
    """`kraft coordinator serve` and `kraft coordinator enrol` (or two workers) starting together: without a
    lock both create the tables and one fails ("table alembic_version already exists")."""
    if not database_url.startswith("sqlite"):
        engine = make_engine(database_url)
        SQLModel.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE alembic_version"))
        engine.dispose()
    starting = threading.Barrier(4)
    failed: list[str] = []

    def start() -> None:
        starting.wait()
        try:
            make_engine(database_url).dispose()
        except Exception as exc:
            failed.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failed == []
    engine = connect(database_url)
    try:
        assert _version(engine) == _head() and _diff(engine) == []
    finally:
        engine.dispose()


def test_a_relay_starting_while_another_migrates_slowly_waits_for_it(tmp_path: Path) -> None:
    """On a loaded machine one start's migration can hold SQLite's write lock longer than a request's 5 s
    busy wait (seen once under `make check`: "database is locked"): a start waits for it instead."""
    url = f"sqlite:///{tmp_path / 'relay.db'}"
    make_engine(url).dispose()
    holder = sqlite3.connect(tmp_path / "relay.db", isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another start, migrating
    releaser = threading.Timer(6.0, holder.rollback)
    releaser.start()
    try:
        make_engine(url).dispose()
    finally:
        releaser.join()
        holder.close()


def test_a_relay_connecting_while_another_start_holds_a_fresh_database_waits_for_it(tmp_path: Path) -> None:
    """CI (a loaded 2-core machine, four starts at once on a fresh file) failed once with "database is
    locked" and no statement: a connection's own set-up, switching the file to WAL, failed at once while
    another start held the file's lock (SQLite does not busy-wait there). It waits for that start instead."""
    path = tmp_path / "relay.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another start, its file not yet switched to WAL
    releaser = threading.Timer(6.0, holder.rollback)
    releaser.start()
    try:
        engine = make_engine(f"sqlite:///{path}")
        try:
            assert _version(engine) == _head() and _diff(engine) == []
        finally:
            engine.dispose()
    finally:
        releaser.join()
        holder.close()
