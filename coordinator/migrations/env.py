"""Alembic's environment for the relay (ADR 0006). The relay runs it itself at every start
(`coordinator.db.migrate`, on its own connection); a developer runs it with
`alembic -c coordinator/migrations/alembic.ini ...`, on DATABASE_URL or the relay's default database.

A new revision: change `coordinator/models.py`, then
`alembic -c coordinator/migrations/alembic.ini revision --autogenerate -m "what and why"`, read it, and name the
file and its revision id with the next number (0003, ...). tests/coordinator/test_migrations.py fails while
the models and the migrations disagree.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from coordinator.models import RELAY_METADATA


def _migrate(connection: Connection) -> None:
    # render_as_batch: SQLite alters most columns only by copying the table, which batch mode does
    context.configure(connection=connection, target_metadata=RELAY_METADATA, compare_type=True,
                      compare_server_default=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    from coordinator.db import connect
    from coordinator.settings import default_database_url

    engine = connect(context.config.get_main_option("sqlalchemy.url") or default_database_url())
    try:
        with engine.connect() as conn:
            _migrate(conn)
            conn.commit()
    finally:
        engine.dispose()


run()
